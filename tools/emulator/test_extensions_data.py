"""Smoke test of the data-tier models in extensions/: Aurora clusters, Secrets Manager (secrets,
target attachments, rotation schedules, dynamic references, the AWS::SecretsManager transform),
SES identities and Cognito identity pools. Stacks are deployed, updated and deleted through change
sets, and every step is checked through the service APIs, never through CloudFormation.

    .tools/venv/bin/python tools/emulator/test_extensions_data.py

Starts its own emulator through launch.py on a free port and stops it at the end. Secret values
are compared, never printed.
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

DATABASE = """
Transform: AWS::SecretsManager-2020-07-23
Parameters:
  MaxCapacity: {Type: Number, Default: 4}
  RotationDays: {Type: Number, Default: 30}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.8.0.0/16}}
  A: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.8.1.0/24, AvailabilityZone: eu-west-1a}}
  B: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.8.2.0/24, AvailabilityZone: eu-west-1b}}
  Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: db, VpcId: !Ref Vpc}}
  Subnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties: {DBSubnetGroupName: smoke-db, DBSubnetGroupDescription: smoke, SubnetIds: [!Ref A, !Ref B]}
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: smoke-db
      GenerateSecretString:
        SecretStringTemplate: '{"username": "smoke_admin"}'
        GenerateStringKey: password
        PasswordLength: 24
        ExcludeCharacters: '"@/'
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      EngineVersion: '16.4'
      MasterUsername: !Sub '{{resolve:secretsmanager:${Secret}::username}}'
      MasterUserPassword: !Sub '{{resolve:secretsmanager:${Secret}:SecretString:password}}'
      ServerlessV2ScalingConfiguration: {MinCapacity: 0.5, MaxCapacity: !Ref MaxCapacity}
      DBSubnetGroupName: !Ref Subnets
      VpcSecurityGroupIds: [!GetAtt Sg.GroupId]
      StorageEncrypted: true
      DeletionProtection: false
      BackupRetentionPeriod: 1
  Writer:
    Type: AWS::RDS::DBInstance
    Properties: {DBClusterIdentifier: !Ref Cluster, Engine: aurora-postgresql, DBInstanceClass: db.serverless}
  Attachment:
    Type: AWS::SecretsManager::SecretTargetAttachment
    Properties: {SecretId: !Ref Secret, TargetId: !Ref Cluster, TargetType: AWS::RDS::DBCluster}
  Rotation:
    Type: AWS::SecretsManager::RotationSchedule
    DependsOn: Writer
    Properties:
      SecretId: !Ref Attachment
      HostedRotationLambda:
        RotationType: PostgreSQLSingleUser
        RotationLambdaName: smoke-db-rotation
        VpcSecurityGroupIds: !GetAtt Sg.GroupId
        VpcSubnetIds: !Join [",", [!Ref A, !Ref B]]
      RotationRules: {AutomaticallyAfterDays: !Ref RotationDays}
Outputs:
  Cluster: {Value: !Ref Cluster}
  Endpoint: {Value: !GetAtt Cluster.Endpoint.Address}
  Port: {Value: !GetAtt Cluster.Endpoint.Port}
  Secret: {Value: !Ref Secret}
  SecretId: {Value: !GetAtt Secret.Id}
"""

MAIL_AND_IDENTITY = """
Parameters:
  Unauthenticated: {Type: String, Default: "false"}
Resources:
  Mail:
    Type: AWS::SES::EmailIdentity
    Properties: {EmailIdentity: smoke.example.org, DkimSigningAttributes: {NextSigningKeyLength: RSA_2048_BIT}}
  Pool: {Type: AWS::Cognito::UserPool, Properties: {UserPoolName: smoke-users}}
  Client: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref Pool, ClientName: web}}
  Identities:
    Type: AWS::Cognito::IdentityPool
    Properties:
      IdentityPoolName: smoke_identities
      AllowUnauthenticatedIdentities: !Ref Unauthenticated
      CognitoIdentityProviders:
        - {ClientId: !Ref Client, ProviderName: !GetAtt Pool.ProviderName}
  Authenticated:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com},
                     Action: sts:AssumeRoleWithWebIdentity,
                     Condition: {StringEquals: {cognito-identity.amazonaws.com:aud: !Ref Identities}}}]
  Roles:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties: {IdentityPoolId: !Ref Identities, Roles: {authenticated: !GetAtt Authenticated.Arn}}
Outputs:
  Identities: {Value: !Ref Identities}
  Name: {Value: !GetAtt Identities.Name}
  DkimName1: {Value: !GetAtt Mail.DkimDNSTokenName1}
  DkimValue1: {Value: !GetAtt Mail.DkimDNSTokenValue1}
  Role: {Value: !GetAtt Authenticated.Arn}
"""


def deploy(cfn, name, body, expect=None, **parameters):
    exists = any(s["StackName"] == name for s in cfn.describe_stacks()["Stacks"])
    kind = "UPDATE" if exists else "CREATE"
    cfn.create_change_set(StackName=name, ChangeSetName=f"cs{time.monotonic_ns()}", TemplateBody=body, ChangeSetType=kind,
                          Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                          Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    change_set = cfn.list_change_sets(StackName=name)["Summaries"][-1]["ChangeSetId"]
    cfn.execute_change_set(ChangeSetName=change_set, StackName=name)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    if stack["StackStatus"] != (expect or f"{kind}_COMPLETE"):
        failed = [e.get("ResourceStatusReason") for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
                  if e["ResourceStatus"].endswith("_FAILED")]
        raise AssertionError(f"{name}: {stack['StackStatus']} {failed}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def refused(call, text):
    try:
        call()
    except ClientError as error:
        assert text in str(error), error
        return
    raise AssertionError(f"accepted, expected a refusal naming {text!r}")


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="emulator-smoke-")
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
        cfn, rds, sm, lam = client("cloudformation"), client("rds"), client("secretsmanager"), client("lambda")
        iam, ses, ci = client("iam"), client("sesv2"), client("cognito-identity")

        # Aurora + generated secret + attachment + hosted rotation under the transform.
        out = deploy(cfn, "smoke-db", DATABASE)
        [cluster] = rds.describe_db_clusters(DBClusterIdentifier=out["Cluster"])["DBClusters"]
        value = json.loads(sm.get_secret_value(SecretId=out["Secret"])["SecretString"])
        assert out["SecretId"] == out["Secret"] and out["Secret"].startswith("arn:aws:secretsmanager:")
        assert cluster["MasterUsername"] == value["username"] == "smoke_admin"
        assert len(value["password"]) == 24 and not set('"@/') & set(value["password"])
        assert cluster["Engine"] == "aurora-postgresql" and cluster["StorageEncrypted"] is True
        assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}, cluster
        assert cluster["DBSubnetGroup"] == "smoke-db" and cluster["Endpoint"] == out["Endpoint"] and out["Port"] == "5432"
        [member] = cluster["DBClusterMembers"]
        [writer] = rds.describe_db_instances(DBInstanceIdentifier=member["DBInstanceIdentifier"])["DBInstances"]
        assert writer["DBInstanceClass"] == "db.serverless" and writer["DBClusterIdentifier"] == out["Cluster"]
        # The attachment's connection details, as Secrets Manager writes them.
        assert (value["host"], value["port"], value["engine"], value["dbClusterIdentifier"]) == (
            cluster["Endpoint"], 5432, "postgres", out["Cluster"]), {k: v for k, v in value.items() if k != "password"}
        # The transform's function, role and permission, and the rotation pointing at them.
        secret = sm.describe_secret(SecretId=out["Secret"])
        function = lam.get_function(FunctionName="smoke-db-rotation")["Configuration"]
        assert secret["RotationEnabled"] and secret["RotationLambdaARN"] == function["FunctionArn"], secret
        assert secret["RotationRules"]["AutomaticallyAfterDays"] == 30
        assert sorted(function["VpcConfig"]["SubnetIds"]) == sorted(
            r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName="smoke-db")["StackResourceSummaries"]
            if r["LogicalResourceId"] in ("A", "B"))
        policy = json.loads(lam.get_policy(FunctionName="smoke-db-rotation")["Policy"])
        assert [s["Principal"] for s in policy["Statement"]] == [{"Service": "secretsmanager.amazonaws.com"}], policy
        role = function["Role"].rsplit("/", 1)[-1]
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
        [inline] = iam.list_role_policies(RoleName=role)["PolicyNames"]
        statements = iam.get_role_policy(RoleName=role, PolicyName=inline)["PolicyDocument"]["Statement"]
        assert statements[0]["Resource"] == out["Secret"], statements  # scoped to the one secret

        # Update in place: capacity and rotation period; the cluster, secret value and function stay.
        out2 = deploy(cfn, "smoke-db", DATABASE, MaxCapacity="8", RotationDays="7")
        assert out2["Cluster"] == out["Cluster"] and out2["Secret"] == out["Secret"]
        [cluster] = rds.describe_db_clusters(DBClusterIdentifier=out["Cluster"])["DBClusters"]
        assert cluster["ServerlessV2ScalingConfiguration"]["MaxCapacity"] == 8.0
        assert sm.describe_secret(SecretId=out["Secret"])["RotationRules"]["AutomaticallyAfterDays"] == 7
        assert json.loads(sm.get_secret_value(SecretId=out["Secret"])["SecretString"])["password"] == value["password"]

        # A transform the emulator cannot expand is refused, naming it.
        refused(lambda: cfn.create_change_set(StackName="smoke-sam", ChangeSetName="sam", ChangeSetType="CREATE",
                                              TemplateBody=json.dumps({"Transform": ["AWS::Serverless-2016-10-31"], "Resources": {
                                                  "W": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})),
                "AWS::Serverless-2016-10-31")

        # SES identity with DKIM tokens; identity pool with its roles.
        out = deploy(cfn, "smoke-id", MAIL_AND_IDENTITY)
        mail = ses.get_email_identity(EmailIdentity="smoke.example.org")
        tokens = mail["DkimAttributes"]["Tokens"]
        assert len(tokens) == 3 and out["DkimName1"] == f"{tokens[0]}._domainkey.smoke.example.org"
        assert out["DkimValue1"] == f"{tokens[0]}.dkim.amazonses.com" and mail["DkimAttributes"]["SigningEnabled"]
        pool = ci.describe_identity_pool(IdentityPoolId=out["Identities"])
        assert pool["IdentityPoolName"] == out["Name"] == "smoke_identities" and not pool["AllowUnauthenticatedIdentities"]
        assert pool["CognitoIdentityProviders"][0]["ProviderName"].startswith("cognito-idp.eu-west-1.amazonaws.com/")
        assert ci.get_identity_pool_roles(IdentityPoolId=out["Identities"])["Roles"] == {"authenticated": out["Role"]}
        out2 = deploy(cfn, "smoke-id", MAIL_AND_IDENTITY, Unauthenticated="true")
        assert out2["Identities"] == out["Identities"]
        assert ci.describe_identity_pool(IdentityPoolId=out["Identities"])["AllowUnauthenticatedIdentities"] is True

        for name in ("smoke-db", "smoke-id"):
            cfn.delete_stack(StackName=name)
        assert not rds.describe_db_clusters()["DBClusters"] and not rds.describe_db_instances()["DBInstances"]
        assert not sm.list_secrets()["SecretList"]
        refused(lambda: lam.get_function(FunctionName="smoke-db-rotation"), "ResourceNotFound")
        assert not ses.list_email_identities()["EmailIdentities"]
        assert not ci.list_identity_pools(MaxResults=10)["IdentityPools"]
        print("data-tier extensions smoke test: ok")
        return 0
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
