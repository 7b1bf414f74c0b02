"""Smoke test of the mended native models in extensions/ (awslambda.py, logs.py, kms.py,
ec2_native.py, rds_native.py, route53_record_set_group.py, batch.py, iam_managed_policy.py):
stacks are created, updated and deleted through change sets, and every step is checked through
the service APIs, never through CloudFormation, which reports success either way.

    .tools/venv/bin/python tools/emulator/test_extensions_native.py

Starts its own emulator through launch.py on a free port and stops it at the end.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))

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
    body = "\n".join(line for line in body.split("\n") if not line.startswith("      LifecyclePolicy:"))
    return body


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


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="emulator-smoke-native-")
    ready = os.path.join(workdir, "ready.json")
    emulator = subprocess.Popen([sys.executable, os.path.join(HERE, "launch.py"), "--ready-file", ready])
    try:
        for _ in range(100):
            if os.path.exists(ready):
                break
            time.sleep(0.1)
        port = json.load(open(ready))["port"]
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")
        client = lambda service: session.client(service, endpoint_url=f"http://127.0.0.1:{port}")  # noqa: E731
        cfn, lam, logs, kms, ec2, iam, rds, batch, r53 = (client(s) for s in ("cloudformation", "lambda", "logs", "kms", "ec2", "iam", "rds", "batch", "route53"))
        zone = r53.create_hosted_zone(Name="smoke.example", CallerReference="smoke")["HostedZone"]["Id"].split("/")[-1]
        cnames = lambda: sorted(r["Name"].rstrip(".") for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "CNAME")  # noqa: E731
        statements = lambda: json.loads(lam.get_policy(FunctionName="smoke")["Policy"])["Statement"]  # noqa: E731

        out = deploy(cfn, "smoke-native", PLATFORM)
        # Lambda: the network's VPC (not moto's fixed one); the permission has CloudFormation's
        # composite id and its statement; no FunctionName copied into the statement.
        config = lam.get_function(FunctionName="smoke")["Configuration"]
        vpc = ec2.describe_subnets(SubnetIds=[out["B"]])["Subnets"][0]["VpcId"]
        assert config["VpcConfig"]["VpcId"] == vpc and config["Environment"]["Variables"] == {"MODE": "one"}, config
        function_arn, sid = out["Invoke"].split("|")
        assert function_arn == config["FunctionArn"] and [s["Sid"] for s in statements()] == [sid], statements()
        assert "FunctionName" not in statements()[0]
        # Logs: retention from a parameter is a number. KMS: the key is describable (its policy JSON).
        assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/smoke")["logGroups"][0]["retentionInDays"] == 14
        assert kms.describe_key(KeyId=out["Key"])["KeyMetadata"]["KeyState"] == "Enabled"
        assert kms.get_key_rotation_status(KeyId=out["Key"])["KeyRotationEnabled"] is False  # "false" from text
        # EC2: the rule's id is the physical id, with its description; the instance has its group.
        [rule] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[out["Ingress"]])["SecurityGroupRules"]
        [permission] = ec2.describe_security_groups(GroupIds=[out["Db"]])["SecurityGroups"][0]["IpPermissions"]
        assert rule["FromPort"] == 5432 and permission["UserIdGroupPairs"][0]["Description"] == "nodes", permission
        instance = ec2.describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"][0]
        assert [g["GroupId"] for g in instance["SecurityGroups"]] == [out["Nodes"]], instance["SecurityGroups"]
        assert json.loads(ec2.describe_vpc_endpoints(VpcEndpointIds=[out["Endpoint"]])["VpcEndpoints"][0]["PolicyDocument"])
        # RDS: Ref gives the subnet group's name; the instance has the template's security group.
        db = rds.describe_db_instances(DBInstanceIdentifier="smoke-db")["DBInstances"][0]
        assert db["DBSubnetGroup"]["DBSubnetGroupName"] == out["DbSubnets"], db
        assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [out["Db"]] and db["Endpoint"]["Port"] == 5432, db
        # Batch: the job definition's parameters keep their keys, its timeout is applied.
        job = batch.describe_job_definitions(jobDefinitions=[out["Job"]])["jobDefinitions"][0]
        assert job["parameters"] == {"InputPath": "none"} and job["timeout"] == {"attemptDurationSeconds": 60}, job
        # Without a ServiceRole, Batch's service-linked role, created when missing.
        linked = batch.describe_compute_environments(computeEnvironments=[out["Linked"]])["computeEnvironments"][0]
        assert linked["serviceRole"].endswith(":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"), linked
        # Route 53: the group's zone found by name whatever its case and trailing dot.
        assert cnames() == ["a._domainkey.smoke.example", "b._domainkey.smoke.example"], cnames()
        # Step Functions: the object Definition, substituted; ECR: scanning and lifecycle policy.
        sfn, ecr = client("stepfunctions"), client("ecr")
        definition = json.loads(sfn.describe_state_machine(stateMachineArn=out["Machine"])["definition"])
        assert definition["States"]["A"]["Resource"] == function_arn, definition
        assert ecr.describe_repositories(repositoryNames=["smoke"])["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": True}
        assert json.loads(ecr.get_lifecycle_policy(repositoryName="smoke")["lifecyclePolicyText"])["rules"][0]["selection"]["countNumber"] == 5
        # A private zone with its VPC and comment, named as Route 53 names zones; its record found it by name.
        internal = r53.get_hosted_zone(Id=out["Internal"])
        assert internal["HostedZone"]["Name"] == "internal.smoke.example." and internal["HostedZone"]["Config"] == {"Comment": "one", "PrivateZone": True}
        assert [v["VPCId"] for v in internal["VPCs"]] == [vpc], internal["VPCs"]
        assert [r["Name"] for r in r53.list_resource_record_sets(HostedZoneId=out["Internal"])["ResourceRecordSets"] if r["Type"] == "A"] == ["api.internal.smoke.example."]

        # Update: parameters and the template's second shape.
        out2 = deploy(cfn, "smoke-native", variant(PLATFORM), Retention="30", Port="5433", KeyActions="kms:Decrypt", AliasName="alias/smoke-two",
                      Priority="5", Class="db.t4g.small")
        config = lam.get_function(FunctionName="smoke")["Configuration"]
        assert not config.get("Environment", {}).get("Variables"), config
        assert [s["Principal"] for s in statements()] == [{"Service": "s3.amazonaws.com"}], statements()
        assert logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/smoke")["logGroups"][0]["retentionInDays"] == 30
        assert json.loads(kms.get_key_policy(KeyId=out["Key"], PolicyName="default")["Policy"])["Statement"][0]["Action"] == "kms:Decrypt"
        assert [a["AliasName"] for a in kms.list_aliases(KeyId=out["Key"])["Aliases"]] == ["alias/smoke-two"]
        # The changed ingress rule was replaced: the old one is gone, the new one has the new port.
        assert gone(lambda: ec2.describe_security_group_rules(SecurityGroupRuleIds=[out["Ingress"]]))
        [rule] = [r for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [out["Db"]]}])["SecurityGroupRules"] if not r["IsEgress"]]
        assert rule["SecurityGroupRuleId"] == out2["Ingress"] and rule["FromPort"] == 5433, rule
        # The managed policy and the instance profile moved from Role to Other.
        attached = {r["RoleName"]: [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=r["RoleName"])["AttachedPolicies"]]
                    for r in iam.list_roles()["Roles"]}
        holders = [name for name, arns in attached.items() if out["Managed"] in arns]
        assert len(holders) == 1 and "-Other-" in holders[0], attached
        assert [r["RoleName"] for r in iam.get_instance_profile(InstanceProfileName=out["Profile"])["InstanceProfile"]["Roles"]] == holders
        assert sorted(ec2.describe_vpc_endpoints(VpcEndpointIds=[out["Endpoint"]])["VpcEndpoints"][0]["SubnetIds"]) == sorted(
            ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][i]["SubnetId"] for i in range(2))
        assert rds.describe_db_instances(DBInstanceIdentifier="smoke-db")["DBInstances"][0]["DBInstanceClass"] == "db.t4g.small"
        assert batch.describe_compute_environments(computeEnvironments=[out["Compute"]])["computeEnvironments"][0]["computeResources"]["maxvCpus"] == 16
        assert batch.describe_job_queues(jobQueues=["smoke"])["jobQueues"][0]["priority"] == 5
        jobs = {d["revision"]: d["status"] for d in batch.describe_job_definitions(jobDefinitionName="smoke")["jobDefinitions"]}
        assert jobs == {1: "INACTIVE", 2: "ACTIVE"} and out2["Job"].endswith(":2"), jobs
        assert cnames() == ["a._domainkey.smoke.example", "c._domainkey.smoke.example"], cnames()
        assert r53.get_hosted_zone(Id=out["Internal"])["HostedZone"]["Config"]["Comment"] == "two"
        # The instance changed in place: the same instance, the new type.
        assert out2["Instance"] == out["Instance"]
        assert ec2.describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"][0]["InstanceType"] == "t3.large"
        assert ecr.describe_repositories(repositoryNames=["smoke"])["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": False}
        assert gone(lambda: ecr.get_lifecycle_policy(repositoryName="smoke"))
        versions = ec2.describe_launch_template_versions(LaunchTemplateId=out["Template"])["LaunchTemplateVersions"]
        assert [(v["VersionNumber"], v["LaunchTemplateData"]["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"]) for v in versions if v["DefaultVersion"]] == [(2, 80)], versions

        # A new parameter Default alone (no value passed) updates the resources using it, through Ref
        # or Fn::Sub (change_set_fidelity.py).
        ssm = client("ssm")
        defaults = "Parameters:\n  V: {Type: String, Default: %s}\nResources:\n  P: {Type: AWS::SSM::Parameter, Properties: {Name: /smoke, Type: String, Value: !Sub 'v-${V}'}}\n"
        deploy(cfn, "smoke-defaults", defaults % "one")
        deploy(cfn, "smoke-defaults", defaults % "two")
        assert ssm.get_parameter(Name="/smoke")["Parameter"]["Value"] == "v-two"
        cfn.delete_stack(StackName="smoke-defaults")

        # Delete: everything goes from its service (a KMS key waits out its deletion window).
        cfn.delete_stack(StackName="smoke-native")
        assert gone(lambda: lam.get_function(FunctionName="smoke"))
        assert not logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/smoke")["logGroups"]
        assert kms.describe_key(KeyId=out["Key"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
        assert not kms.list_aliases(KeyId=out["Key"])["Aliases"]
        assert gone(lambda: iam.get_policy(PolicyArn=out["Managed"])) and gone(lambda: iam.get_instance_profile(InstanceProfileName=out["Profile"]))
        assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["AWSServiceRoleForBatch"]  # not the stack's: it stays
        assert ec2.describe_vpc_endpoints(VpcEndpointIds=[out["Endpoint"]])["VpcEndpoints"][0]["State"].lower() == "deleted"
        assert not rds.describe_db_instances()["DBInstances"] and gone(lambda: rds.describe_db_subnet_groups(DBSubnetGroupName=out["DbSubnets"]))
        assert not batch.describe_compute_environments()["computeEnvironments"] and not batch.describe_job_queues()["jobQueues"]
        assert {d["status"] for d in batch.describe_job_definitions(jobDefinitionName="smoke")["jobDefinitions"]} == {"INACTIVE"}
        assert cnames() == [], cnames()
        assert gone(lambda: r53.get_hosted_zone(Id=out["Internal"]))
        assert ec2.describe_instances(InstanceIds=[out["Instance"]])["Reservations"][0]["Instances"][0]["State"]["Name"] == "terminated"
        print("native extensions smoke test: ok")
        return 0
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
