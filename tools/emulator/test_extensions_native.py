"""Tests of the mended native models in extensions/ (awslambda.py, logs.py, kms.py,
ec2_native.py, rds_native.py, route53_record_set_group.py, batch.py, iam_managed_policy.py):
stacks are created, updated and deleted through change sets, and every step is checked through
the service APIs, never through CloudFormation, which reports success either way.

    .tools/venv/bin/python -m pytest -q tools/emulator/test_extensions_native.py

The file has its own emulator (conftest.py). Each stack's stages are module fixtures, applied
when a test first needs them: tests run in file order, so the tests of a stage come before the
first test of the next one, and the deletions come last.
"""

import json
import time

import pytest
from botocore.exceptions import ClientError

# One template, its variants made by the parameters and by `variant()` below.
PLATFORM = """
Parameters:
  Retention: {Type: String, Default: "14"}
  Port: {Type: Number, Default: 5432}
  KeyActions: {Type: String, Default: "kms:*"}
  AliasName: {Type: String, Default: alias/smoke}
  Priority: {Type: Number, Default: 1}
  Class: {Type: String, Default: db.t4g.micro}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.7.0.0/16}}
  A: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.7.1.0/24, AvailabilityZone: eu-west-1a}}
  B: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.7.2.0/24, AvailabilityZone: eu-west-1b}}
  Nodes: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: nodes, VpcId: !Ref Vpc}}
  Db: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: db, VpcId: !Ref Vpc}}
  Ingress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Db, IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, SourceSecurityGroupId: !Ref Nodes, Description: nodes}
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties: {VpcId: !Ref Vpc, ServiceName: com.amazonaws.eu-west-1.s3, VpcEndpointType: Interface, SubnetIds: [!Ref A], SecurityGroupIds: [!Ref Nodes],
                 PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "*"}]}}
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}, Action: !Ref KeyActions, Resource: "*"}]}
      EnableKeyRotation: "false"
  Alias: {Type: AWS::KMS::Alias, Properties: {AliasName: !Ref AliasName, TargetKeyId: !Ref Key}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}
  Other:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Role]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ssm:GetParameter, Resource: "*"}]}
  Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}
  Logs: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /aws/lambda/smoke, RetentionInDays: !Ref Retention}}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: smoke
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(event, context):\\n    return 1\\n"}
      Environment: {Variables: {MODE: one}}
      VpcConfig: {SubnetIds: [!Ref A, !Ref B], SecurityGroupIds: [!Ref Nodes]}
  Invoke:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt Fn.Arn, Action: lambda:InvokeFunction, Principal: cognito-idp.amazonaws.com}
  Instance:
    Type: AWS::EC2::Instance
    Properties: {ImageId: ami-12c6146b, InstanceType: t3.micro, SubnetId: !Ref A, SecurityGroupIds: [!Ref Nodes]}
  DbSubnets: {Type: AWS::RDS::DBSubnetGroup, Properties: {DBSubnetGroupDescription: smoke, SubnetIds: [!Ref A, !Ref B]}}
  Database:
    Type: AWS::RDS::DBInstance
    Properties: {DBInstanceIdentifier: smoke-db, Engine: postgres, DBInstanceClass: !Ref Class, AllocatedStorage: "20", MasterUsername: smoke,
                 MasterUserPassword: smoke-password, DBSubnetGroupName: !Ref DbSubnets, VPCSecurityGroups: [!Ref Db]}
  ServiceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: batch.amazonaws.com}, Action: sts:AssumeRole}]}
  Compute:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ServiceRole: !GetAtt ServiceRole.Arn
      ComputeResources: {Type: EC2, MinvCpus: 0, MaxvCpus: 4, InstanceTypes: [optimal], Subnets: [!Ref A], SecurityGroupIds: [!Ref Nodes],
                         InstanceRole: !GetAtt Profile.Arn}
  Linked:
    Type: AWS::Batch::ComputeEnvironment
    Properties:
      Type: MANAGED
      ComputeResources: {Type: FARGATE, MaxvCpus: 4, Subnets: [!Ref A], SecurityGroupIds: [!Ref Nodes]}
  Queue:
    Type: AWS::Batch::JobQueue
    Properties: {JobQueueName: smoke, Priority: !Ref Priority, ComputeEnvironmentOrder: [{Order: 1, ComputeEnvironment: !Ref Compute}]}
  Job:
    Type: AWS::Batch::JobDefinition
    Properties: {JobDefinitionName: smoke, Type: container, Parameters: {InputPath: none}, Timeout: {AttemptDurationSeconds: 60},
                 ContainerProperties: {Image: "smoke:1", Vcpus: 1, Memory: 512}}
  Dkim:
    Type: AWS::Route53::RecordSetGroup
    Properties:
      HostedZoneName: Smoke.Example.
      RecordSets:
        - {Name: a._domainkey.smoke.example, Type: CNAME, TTL: "300", ResourceRecords: [a.dkim.amazonses.com]}
        - {Name: b._domainkey.smoke.example, Type: CNAME, TTL: "300", ResourceRecords: [b.dkim.amazonses.com]}
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      Definition: {StartAt: A, States: {A: {Type: Task, Resource: "${Target}", End: true}}}
      DefinitionSubstitutions: {Target: !GetAtt Fn.Arn}
  Images:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: smoke
      ImageScanningConfiguration: {ScanOnPush: "true"}
      LifecyclePolicy: {LifecyclePolicyText: '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]}'}
  Template:
    Type: AWS::EC2::LaunchTemplate
    Properties: {LaunchTemplateData: {BlockDeviceMappings: [{DeviceName: /dev/xvda, Ebs: {VolumeSize: 50}}]}}
  Internal:
    Type: AWS::Route53::HostedZone
    Properties: {Name: internal.smoke.example, HostedZoneConfig: {Comment: one}, VPCs: [{VPCId: !Ref Vpc, VPCRegion: !Ref AWS::Region}]}
  Api:
    Type: AWS::Route53::RecordSet
    DependsOn: Internal
    Properties: {HostedZoneName: Internal.Smoke.Example., Name: api.internal.smoke.example., Type: A, TTL: "60", ResourceRecords: [10.7.1.10]}
Outputs:
  Linked: {Value: !Ref Linked}
  Internal: {Value: !Ref Internal}
  Machine: {Value: !Ref Machine}
  Template: {Value: !Ref Template}
  Invoke: {Value: !Ref Invoke}
  Ingress: {Value: !Ref Ingress}
  DbSubnets: {Value: !Ref DbSubnets}
  Key: {Value: !Ref Key}
  Managed: {Value: !Ref Managed}
  Profile: {Value: !Ref Profile}
  Endpoint: {Value: !Ref Endpoint}
  Instance: {Value: !Ref Instance}
  Compute: {Value: !Ref Compute}
  Job: {Value: !Ref Job}
  Db: {Value: !Ref Db}
  Nodes: {Value: !Ref Nodes}
  B: {Value: !Ref B}
"""


def variant(body: str) -> str:
    """The template's second shape: what a later revision of a platform template changes."""
    edits = [
        ('InstanceType: t3.micro, SubnetId', 'InstanceType: t3.large, SubnetId'),
        ('ImageScanningConfiguration: {ScanOnPush: "true"}', 'ImageScanningConfiguration: {ScanOnPush: "false"}'),
        ('VolumeSize: 50', 'VolumeSize: 80'),
        ('HostedZoneConfig: {Comment: one}', 'HostedZoneConfig: {Comment: two}'),
        ('      Environment: {Variables: {MODE: one}}\n', ''),  # a removed setting goes back to the default
        ('return 1', 'return 2'),
        ('Managed:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Roles: [!Ref Role]',
         'Managed:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      Roles: [!Ref Other]'),
        ('Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Role]}}',
         'Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Other]}}'),
        ('SubnetIds: [!Ref A], SecurityGroupIds: [!Ref Nodes],\n', 'SubnetIds: [!Ref A, !Ref B], SecurityGroupIds: [!Ref Nodes],\n'),
        ('Principal: cognito-idp.amazonaws.com}', 'Principal: s3.amazonaws.com}'),
        ('MaxvCpus: 4', 'MaxvCpus: 16'),
        ('Memory: 512', 'Memory: 1024'),
        ('        - {Name: b._domainkey.smoke.example, Type: CNAME, TTL: "300", ResourceRecords: [b.dkim.amazonses.com]}\n',
         '        - {Name: c._domainkey.smoke.example, Type: CNAME, TTL: "300", ResourceRecords: [c.dkim.amazonses.com]}\n'),
    ]
    for old, new in edits:
        assert old in body, old
        body = body.replace(old, new)
    # The repository's lifecycle policy is removed from the template.
    return "\n".join(line for line in body.split("\n") if not line.startswith("      LifecyclePolicy:"))


def deploy(cfn, name, body, expect=None, **parameters):
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    exists = any(s["StackName"] == name for s in cfn.describe_stacks()["Stacks"])
    kind = "UPDATE" if exists else "CREATE"
    cfn.create_change_set(StackName=name, ChangeSetName=f"cs{time.monotonic_ns()}", TemplateBody=body, Parameters=params,
                          ChangeSetType=kind, Capabilities=["CAPABILITY_IAM"])
    change_set = cfn.list_change_sets(StackName=name)["Summaries"][-1]["ChangeSetId"]
    cfn.execute_change_set(ChangeSetName=change_set, StackName=name)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    failed = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName=name)["StackEvents"] if e["ResourceStatus"].endswith("FAILED")]
    assert stack["StackStatus"] == (expect or f"{kind}_COMPLETE"), (stack["StackStatus"], failed)
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def gone(call) -> bool:
    try:
        call()
    except ClientError:
        return True
    return False


@pytest.fixture(scope="module")
def zone(client):
    """The public zone the RecordSetGroup finds by name."""
    return client("route53").create_hosted_zone(Name="smoke.example", CallerReference="smoke")["HostedZone"]["Id"].split("/")[-1]


def cnames(client, zone):
    return sorted(r["Name"].rstrip(".") for r in client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "CNAME")


def statements(client):
    return json.loads(client("lambda").get_policy(FunctionName="smoke")["Policy"])["Statement"]


def function_config(client):
    return client("lambda").get_function(FunctionName="smoke")["Configuration"]


@pytest.fixture(scope="module")
def out(cfn, zone):
    """The outputs of the stack as created."""
    return deploy(cfn, "smoke-native", PLATFORM)


@pytest.fixture(scope="module")
def vpc(client, out):
    return client("ec2").describe_subnets(SubnetIds=[out["B"]])["Subnets"][0]["VpcId"]


# Lambda: the network's VPC (not moto's fixed one); the permission has CloudFormation's composite
# id and its statement; no FunctionName copied into the statement.

def test_function_runs_in_the_networks_vpc_with_its_environment(client, vpc):
    config = function_config(client)
    assert config["VpcConfig"]["VpcId"] == vpc and config["Environment"]["Variables"] == {"MODE": "one"}, config


def test_permission_has_cloudformations_composite_id_and_its_statement(client, out):
    function_arn, sid = out["Invoke"].split("|")
    assert function_arn == function_config(client)["FunctionArn"] and [s["Sid"] for s in statements(client)] == [sid], statements(client)


def test_permission_statement_has_no_function_name(client, out):
    assert "FunctionName" not in statements(client)[0]


# Logs: retention from a parameter is a number. KMS: the key is describable (its policy JSON).

def test_log_group_retention_from_a_parameter_is_a_number(client, out):
    assert client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/smoke")["logGroups"][0]["retentionInDays"] == 14


def test_key_is_describable(client, out):
    assert client("kms").describe_key(KeyId=out["Key"])["KeyMetadata"]["KeyState"] == "Enabled"


def test_key_rotation_false_from_text(client, out):
    assert client("kms").get_key_rotation_status(KeyId=out["Key"])["KeyRotationEnabled"] is False  # "false" from text


# EC2: the rule's id is the physical id, with its description; the instance has its group.

def test_ingress_rule_id_is_the_physical_id_with_its_description(client, out):
    ec2 = client("ec2")
    [rule] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[out["Ingress"]])["SecurityGroupRules"]
    [permission] = ec2.describe_security_groups(GroupIds=[out["Db"]])["SecurityGroups"][0]["IpPermissions"]
    assert rule["FromPort"] == 5432 and permission["UserIdGroupPairs"][0]["Description"] == "nodes", permission


def test_instance_has_its_security_group(client, out):
    instance = client("ec2").describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"][0]
    assert [g["GroupId"] for g in instance["SecurityGroups"]] == [out["Nodes"]], instance["SecurityGroups"]


def test_vpc_endpoint_has_its_policy(client, out):
    assert json.loads(client("ec2").describe_vpc_endpoints(VpcEndpointIds=[out["Endpoint"]])["VpcEndpoints"][0]["PolicyDocument"])


# RDS: Ref gives the subnet group's name; the instance has the template's security group.

def test_subnet_group_ref_is_its_name(client, out):
    db = client("rds").describe_db_instances(DBInstanceIdentifier="smoke-db")["DBInstances"][0]
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == out["DbSubnets"], db


def test_database_has_the_templates_security_group_and_port(client, out):
    db = client("rds").describe_db_instances(DBInstanceIdentifier="smoke-db")["DBInstances"][0]
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [out["Db"]] and db["Endpoint"]["Port"] == 5432, db


# Batch: the job definition's parameters keep their keys, its timeout is applied.

def test_job_definition_keeps_its_parameters_and_timeout(client, out):
    job = client("batch").describe_job_definitions(jobDefinitions=[out["Job"]])["jobDefinitions"][0]
    assert job["parameters"] == {"InputPath": "none"} and job["timeout"] == {"attemptDurationSeconds": 60}, job


def test_compute_environment_without_a_service_role_uses_batchs_service_linked_role(client, out):
    # Without a ServiceRole, Batch's service-linked role, created when missing.
    linked = client("batch").describe_compute_environments(computeEnvironments=[out["Linked"]])["computeEnvironments"][0]
    assert linked["serviceRole"].endswith(":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"), linked


def test_record_set_group_finds_its_zone_by_name_whatever_its_case_and_trailing_dot(client, zone, out):
    assert cnames(client, zone) == ["a._domainkey.smoke.example", "b._domainkey.smoke.example"], cnames(client, zone)


# Step Functions: the object Definition, substituted; ECR: scanning and lifecycle policy.

def test_state_machine_definition_is_substituted(client, out):
    function_arn = out["Invoke"].split("|")[0]
    definition = json.loads(client("stepfunctions").describe_state_machine(stateMachineArn=out["Machine"])["definition"])
    assert definition["States"]["A"]["Resource"] == function_arn, definition


def test_repository_scans_on_push(client, out):
    assert client("ecr").describe_repositories(repositoryNames=["smoke"])["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": True}


def test_repository_has_its_lifecycle_policy(client, out):
    assert json.loads(client("ecr").get_lifecycle_policy(repositoryName="smoke")["lifecyclePolicyText"])["rules"][0]["selection"]["countNumber"] == 5


# A private zone with its VPC and comment, named as Route 53 names zones; its record found it by name.

def test_private_zone_is_named_as_route53_names_zones_with_its_comment(client, out):
    internal = client("route53").get_hosted_zone(Id=out["Internal"])
    assert internal["HostedZone"]["Name"] == "internal.smoke.example." and internal["HostedZone"]["Config"] == {"Comment": "one", "PrivateZone": True}


def test_private_zone_is_in_its_vpc(client, out, vpc):
    internal = client("route53").get_hosted_zone(Id=out["Internal"])
    assert [v["VPCId"] for v in internal["VPCs"]] == [vpc], internal["VPCs"]


def test_record_finds_the_private_zone_by_name(client, out):
    assert [r["Name"] for r in client("route53").list_resource_record_sets(HostedZoneId=out["Internal"])["ResourceRecordSets"] if r["Type"] == "A"] == [
        "api.internal.smoke.example."]


# Update: parameters and the template's second shape.

@pytest.fixture(scope="module")
def out2(cfn, out, vpc):
    """The outputs of the stack after the update."""
    return deploy(cfn, "smoke-native", variant(PLATFORM), Retention="30", Port="5433", KeyActions="kms:Decrypt", AliasName="alias/smoke-two",
                  Priority="5", Class="db.t4g.small")


def test_update_removes_a_removed_environment(client, out2):
    config = function_config(client)
    assert not config.get("Environment", {}).get("Variables"), config


def test_update_changes_the_permission(client, out2):
    assert [s["Principal"] for s in statements(client)] == [{"Service": "s3.amazonaws.com"}], statements(client)


def test_update_changes_the_retention(client, out2):
    assert client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/smoke")["logGroups"][0]["retentionInDays"] == 30


def test_update_changes_the_key_policy(client, out, out2):
    assert json.loads(client("kms").get_key_policy(KeyId=out["Key"], PolicyName="default")["Policy"])["Statement"][0]["Action"] == "kms:Decrypt"


def test_update_renames_the_alias(client, out, out2):
    assert [a["AliasName"] for a in client("kms").list_aliases(KeyId=out["Key"])["Aliases"]] == ["alias/smoke-two"]


def test_update_replaces_a_changed_ingress_rule_the_old_one_is_gone(client, out, out2):
    assert gone(lambda: client("ec2").describe_security_group_rules(SecurityGroupRuleIds=[out["Ingress"]]))


def test_update_replaces_a_changed_ingress_rule_the_new_one_has_the_new_port(client, out, out2):
    [rule] = [r for r in client("ec2").describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [out["Db"]]}])["SecurityGroupRules"]
              if not r["IsEgress"]]
    assert rule["SecurityGroupRuleId"] == out2["Ingress"] and rule["FromPort"] == 5433, rule


def managed_policy_holders(client, out):
    iam = client("iam")
    attached = {r["RoleName"]: [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=r["RoleName"])["AttachedPolicies"]]
                for r in iam.list_roles()["Roles"]}
    return [name for name, arns in attached.items() if out["Managed"] in arns], attached


def test_update_moves_the_managed_policy_to_the_other_role(client, out, out2):
    holders, attached = managed_policy_holders(client, out)
    assert len(holders) == 1 and "-Other-" in holders[0], attached


def test_update_moves_the_instance_profile_to_the_same_role(client, out, out2):
    holders, _ = managed_policy_holders(client, out)
    assert [r["RoleName"] for r in client("iam").get_instance_profile(InstanceProfileName=out["Profile"])["InstanceProfile"]["Roles"]] == holders


def test_update_changes_the_endpoints_subnets(client, out, vpc, out2):
    ec2 = client("ec2")
    assert sorted(ec2.describe_vpc_endpoints(VpcEndpointIds=[out["Endpoint"]])["VpcEndpoints"][0]["SubnetIds"]) == sorted(
        ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][i]["SubnetId"] for i in range(2))


def test_update_changes_the_database_class(client, out2):
    assert client("rds").describe_db_instances(DBInstanceIdentifier="smoke-db")["DBInstances"][0]["DBInstanceClass"] == "db.t4g.small"


def test_update_changes_the_compute_environment(client, out, out2):
    assert client("batch").describe_compute_environments(computeEnvironments=[out["Compute"]])["computeEnvironments"][0]["computeResources"]["maxvCpus"] == 16


def test_update_changes_the_job_queue(client, out2):
    assert client("batch").describe_job_queues(jobQueues=["smoke"])["jobQueues"][0]["priority"] == 5


def test_update_makes_a_new_job_definition_revision(client, out2):
    jobs = {d["revision"]: d["status"] for d in client("batch").describe_job_definitions(jobDefinitionName="smoke")["jobDefinitions"]}
    assert jobs == {1: "INACTIVE", 2: "ACTIVE"} and out2["Job"].endswith(":2"), jobs


def test_update_changes_the_record_set_group(client, zone, out2):
    assert cnames(client, zone) == ["a._domainkey.smoke.example", "c._domainkey.smoke.example"], cnames(client, zone)


def test_update_changes_the_private_zones_comment(client, out, out2):
    assert client("route53").get_hosted_zone(Id=out["Internal"])["HostedZone"]["Config"]["Comment"] == "two"


def test_update_keeps_the_instance(out, out2):
    # The instance changed in place: the same instance, the new type.
    assert out2["Instance"] == out["Instance"]


def test_update_changes_the_instance_type(client, out, out2):
    assert client("ec2").describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"][0]["InstanceType"] == "t3.large"


def test_update_changes_the_repositorys_scanning(client, out2):
    assert client("ecr").describe_repositories(repositoryNames=["smoke"])["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": False}


def test_update_removes_the_repositorys_lifecycle_policy(client, out2):
    assert gone(lambda: client("ecr").get_lifecycle_policy(repositoryName="smoke"))


def test_update_makes_the_new_launch_template_version_the_default(client, out, out2):
    versions = client("ec2").describe_launch_template_versions(LaunchTemplateId=out["Template"])["LaunchTemplateVersions"]
    assert [(v["VersionNumber"], v["LaunchTemplateData"]["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"]) for v in versions if v["DefaultVersion"]] == [(2, 80)], versions


# A new parameter Default alone (no value passed) updates the resources using it, through Ref or
# Fn::Sub (change_set_fidelity.py).

DEFAULTS = "Parameters:\n  V: {Type: String, Default: %s}\nResources:\n  P: {Type: AWS::SSM::Parameter, Properties: {Name: /smoke, Type: String, Value: !Sub 'v-${V}'}}\n"


@pytest.fixture(scope="module")
def defaults_changed(cfn):
    deploy(cfn, "smoke-defaults", DEFAULTS % "one")
    deploy(cfn, "smoke-defaults", DEFAULTS % "two")


def test_a_new_parameter_default_alone_updates_the_resources_using_it(client, defaults_changed):
    assert client("ssm").get_parameter(Name="/smoke")["Parameter"]["Value"] == "v-two"


# Delete: everything goes from its service (a KMS key waits out its deletion window).

@pytest.fixture(scope="module")
def deleted(cfn, out2, defaults_changed):
    cfn.delete_stack(StackName="smoke-defaults")
    cfn.delete_stack(StackName="smoke-native")


def test_delete_removes_the_function(client, deleted):
    assert gone(lambda: client("lambda").get_function(FunctionName="smoke"))


def test_delete_removes_the_log_group(client, deleted):
    assert not client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/smoke")["logGroups"]


def test_delete_schedules_the_keys_deletion(client, out, deleted):
    assert client("kms").describe_key(KeyId=out["Key"])["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_delete_removes_the_alias(client, out, deleted):
    assert not client("kms").list_aliases(KeyId=out["Key"])["Aliases"]


def test_delete_removes_the_managed_policy_and_the_instance_profile(client, out, deleted):
    iam = client("iam")
    assert gone(lambda: iam.get_policy(PolicyArn=out["Managed"])) and gone(lambda: iam.get_instance_profile(InstanceProfileName=out["Profile"]))


def test_delete_removes_the_stacks_roles_and_keeps_batchs_service_linked_role(client, deleted):
    assert [r["RoleName"] for r in client("iam").list_roles()["Roles"]] == ["AWSServiceRoleForBatch"]  # not the stack's: it stays


def test_delete_deletes_the_vpc_endpoint(client, out, deleted):
    assert client("ec2").describe_vpc_endpoints(VpcEndpointIds=[out["Endpoint"]])["VpcEndpoints"][0]["State"].lower() == "deleted"


def test_delete_removes_the_database_and_its_subnet_group(client, out, deleted):
    rds = client("rds")
    assert not rds.describe_db_instances()["DBInstances"] and gone(lambda: rds.describe_db_subnet_groups(DBSubnetGroupName=out["DbSubnets"]))


def test_delete_removes_the_compute_environments_and_job_queues(client, deleted):
    batch = client("batch")
    assert not batch.describe_compute_environments()["computeEnvironments"] and not batch.describe_job_queues()["jobQueues"]


def test_delete_deactivates_the_job_definitions(client, deleted):
    assert {d["status"] for d in client("batch").describe_job_definitions(jobDefinitionName="smoke")["jobDefinitions"]} == {"INACTIVE"}


def test_delete_removes_the_record_set_groups_records(client, zone, deleted):
    assert cnames(client, zone) == [], cnames(client, zone)


def test_delete_removes_the_private_zone(client, out, deleted):
    assert gone(lambda: client("route53").get_hosted_zone(Id=out["Internal"]))


def test_delete_terminates_the_instance(client, out, deleted):
    assert client("ec2").describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"][0]["State"]["Name"] == "terminated"


if __name__ == "__main__":
    # Run directly, the file still runs its tests (under pytest).
    raise SystemExit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
