"""Tests of the data-tier models in extensions/: Aurora clusters, Secrets Manager (secrets,
target attachments, rotation schedules, dynamic references, the AWS::SecretsManager transform),
SES identities and Cognito identity pools. Stacks are deployed, updated and deleted through change
sets, and every step is checked through the service APIs, never through CloudFormation.

    .tools/venv/bin/python -m pytest -q tools/emulator/test_extensions_data.py

The file has its own emulator (conftest.py). Each stack's stages are module fixtures, applied
when a test first needs them: tests run in file order, so the tests of a stage come before the
first test of the next one, and the deletions come last. Secret values are compared, never printed.
"""

import json
import time

import pytest
from botocore.exceptions import ClientError

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


# Aurora + generated secret + attachment + hosted rotation under the transform.

@pytest.fixture(scope="module")
def database(cfn):
    return deploy(cfn, "smoke-db", DATABASE)


def db_cluster(client, out):
    [cluster] = client("rds").describe_db_clusters(DBClusterIdentifier=out["Cluster"])["DBClusters"]
    return cluster


def secret_value(client, out):
    return json.loads(client("secretsmanager").get_secret_value(SecretId=out["Secret"])["SecretString"])


@pytest.fixture(scope="module")
def first_value(client, database):
    """The secret's value as the stack's creation left it."""
    return secret_value(client, database)


def test_secret_is_referenced_by_its_arn(database):
    assert database["SecretId"] == database["Secret"] and database["Secret"].startswith("arn:aws:secretsmanager:")


def test_cluster_master_username_comes_from_the_secret(client, database, first_value):
    assert db_cluster(client, database)["MasterUsername"] == first_value["username"] == "smoke_admin"


def test_generated_password_follows_its_rules(first_value):
    # Computed apart so that a failure never prints the password.
    follows = len(first_value["password"]) == 24 and not set('"@/') & set(first_value["password"])
    assert follows, "the generated password is not 24 characters without any of \"@/"


def test_cluster_engine_and_encryption(client, database):
    cluster = db_cluster(client, database)
    assert cluster["Engine"] == "aurora-postgresql" and cluster["StorageEncrypted"] is True


def test_cluster_serverless_scaling(client, database):
    cluster = db_cluster(client, database)
    assert cluster["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}, cluster


def test_cluster_subnet_group_endpoint_and_port(client, database):
    cluster = db_cluster(client, database)
    assert cluster["DBSubnetGroup"] == "smoke-db" and cluster["Endpoint"] == database["Endpoint"] and database["Port"] == "5432"


def test_cluster_has_its_serverless_writer(client, database):
    [member] = db_cluster(client, database)["DBClusterMembers"]
    [writer] = client("rds").describe_db_instances(DBInstanceIdentifier=member["DBInstanceIdentifier"])["DBInstances"]
    assert writer["DBInstanceClass"] == "db.serverless" and writer["DBClusterIdentifier"] == database["Cluster"]


def test_attachment_writes_the_connection_details(client, database, first_value):
    # The attachment's connection details, as Secrets Manager writes them.
    cluster = db_cluster(client, database)
    assert (first_value["host"], first_value["port"], first_value["engine"], first_value["dbClusterIdentifier"]) == (
        cluster["Endpoint"], 5432, "postgres", database["Cluster"]), {k: v for k, v in first_value.items() if k != "password"}


# The transform's function, role and permission, and the rotation pointing at them.

@pytest.fixture(scope="module")
def rotation_function(client, database):
    return client("lambda").get_function(FunctionName="smoke-db-rotation")["Configuration"]


@pytest.fixture(scope="module")
def rotation_role(rotation_function):
    return rotation_function["Role"].rsplit("/", 1)[-1]


def test_rotation_runs_the_transforms_function(client, database, rotation_function):
    secret = client("secretsmanager").describe_secret(SecretId=database["Secret"])
    assert secret["RotationEnabled"] and secret["RotationLambdaARN"] == rotation_function["FunctionArn"], secret


def test_rotation_period(client, database):
    assert client("secretsmanager").describe_secret(SecretId=database["Secret"])["RotationRules"]["AutomaticallyAfterDays"] == 30


def test_rotation_function_runs_in_the_stacks_subnets(cfn, rotation_function):
    assert sorted(rotation_function["VpcConfig"]["SubnetIds"]) == sorted(
        r["PhysicalResourceId"] for r in cfn.list_stack_resources(StackName="smoke-db")["StackResourceSummaries"]
        if r["LogicalResourceId"] in ("A", "B"))


def test_rotation_function_is_invoked_by_secrets_manager_only(client, rotation_function):
    policy = json.loads(client("lambda").get_policy(FunctionName="smoke-db-rotation")["Policy"])
    assert [s["Principal"] for s in policy["Statement"]] == [{"Service": "secretsmanager.amazonaws.com"}], policy


def test_rotation_role_trusts_lambda(client, rotation_role):
    trust = client("iam").get_role(RoleName=rotation_role)["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_rotation_role_policy_is_scoped_to_the_one_secret(client, database, rotation_role):
    iam = client("iam")
    [inline] = iam.list_role_policies(RoleName=rotation_role)["PolicyNames"]
    statements = iam.get_role_policy(RoleName=rotation_role, PolicyName=inline)["PolicyDocument"]["Statement"]
    assert statements[0]["Resource"] == database["Secret"], statements


# Update in place: capacity and rotation period; the cluster, secret value and function stay.

@pytest.fixture(scope="module")
def database_updated(cfn, database, first_value, rotation_function):
    return deploy(cfn, "smoke-db", DATABASE, MaxCapacity="8", RotationDays="7")


def test_update_keeps_the_cluster_and_the_secret(database, database_updated):
    assert database_updated["Cluster"] == database["Cluster"] and database_updated["Secret"] == database["Secret"]


def test_update_changes_the_capacity(client, database, database_updated):
    assert db_cluster(client, database)["ServerlessV2ScalingConfiguration"]["MaxCapacity"] == 8.0


def test_update_changes_the_rotation_period(client, database, database_updated):
    assert client("secretsmanager").describe_secret(SecretId=database["Secret"])["RotationRules"]["AutomaticallyAfterDays"] == 7


def test_update_keeps_the_secret_value(client, database, first_value, database_updated):
    # Computed apart so that a failure never prints the password.
    same = secret_value(client, database)["password"] == first_value["password"]
    assert same, "the update changed the generated password"


def test_a_transform_the_emulator_cannot_expand_is_refused_by_name(cfn):
    refused(lambda: cfn.create_change_set(StackName="smoke-sam", ChangeSetName="sam", ChangeSetType="CREATE",
                                          TemplateBody=json.dumps({"Transform": ["AWS::Serverless-2016-10-31"], "Resources": {
                                              "W": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})),
            "AWS::Serverless-2016-10-31")


# SES identity with DKIM tokens; identity pool with its roles.

@pytest.fixture(scope="module")
def mail_and_identity(cfn):
    return deploy(cfn, "smoke-id", MAIL_AND_IDENTITY)


@pytest.fixture(scope="module")
def mail(client, mail_and_identity):
    return client("sesv2").get_email_identity(EmailIdentity="smoke.example.org")


def test_ses_identity_has_three_dkim_tokens_named_in_the_outputs(mail, mail_and_identity):
    tokens = mail["DkimAttributes"]["Tokens"]
    assert len(tokens) == 3 and mail_and_identity["DkimName1"] == f"{tokens[0]}._domainkey.smoke.example.org"


def test_ses_identity_dkim_value_and_signing(mail, mail_and_identity):
    tokens = mail["DkimAttributes"]["Tokens"]
    assert mail_and_identity["DkimValue1"] == f"{tokens[0]}.dkim.amazonses.com" and mail["DkimAttributes"]["SigningEnabled"]


@pytest.fixture(scope="module")
def identity_pool(client, mail_and_identity):
    return client("cognito-identity").describe_identity_pool(IdentityPoolId=mail_and_identity["Identities"])


def test_identity_pool_name_and_no_unauthenticated_identities(identity_pool, mail_and_identity):
    assert identity_pool["IdentityPoolName"] == mail_and_identity["Name"] == "smoke_identities" and not identity_pool["AllowUnauthenticatedIdentities"]


def test_identity_pool_provider_is_the_user_pool(identity_pool):
    assert identity_pool["CognitoIdentityProviders"][0]["ProviderName"].startswith("cognito-idp.eu-west-1.amazonaws.com/")


def test_identity_pool_roles(client, mail_and_identity):
    assert client("cognito-identity").get_identity_pool_roles(IdentityPoolId=mail_and_identity["Identities"])["Roles"] == {
        "authenticated": mail_and_identity["Role"]}


@pytest.fixture(scope="module")
def mail_and_identity_updated(cfn, mail_and_identity, mail, identity_pool):
    return deploy(cfn, "smoke-id", MAIL_AND_IDENTITY, Unauthenticated="true")


def test_update_keeps_the_identity_pool(mail_and_identity, mail_and_identity_updated):
    assert mail_and_identity_updated["Identities"] == mail_and_identity["Identities"]


def test_update_allows_unauthenticated_identities(client, mail_and_identity, mail_and_identity_updated):
    assert client("cognito-identity").describe_identity_pool(IdentityPoolId=mail_and_identity["Identities"])["AllowUnauthenticatedIdentities"] is True


# Deleting the stacks deletes what the extensions created.

@pytest.fixture(scope="module")
def stacks_deleted(cfn, database_updated, mail_and_identity_updated):
    for name in ("smoke-db", "smoke-id"):
        cfn.delete_stack(StackName=name)


def test_deleting_the_stacks_deletes_clusters_and_instances(client, stacks_deleted):
    rds = client("rds")
    assert not rds.describe_db_clusters()["DBClusters"] and not rds.describe_db_instances()["DBInstances"]


def test_deleting_the_stacks_deletes_secrets(client, stacks_deleted):
    assert not client("secretsmanager").list_secrets()["SecretList"]


def test_deleting_the_stacks_deletes_the_rotation_function(client, stacks_deleted):
    refused(lambda: client("lambda").get_function(FunctionName="smoke-db-rotation"), "ResourceNotFound")


def test_deleting_the_stacks_deletes_email_identities(client, stacks_deleted):
    assert not client("sesv2").list_email_identities()["EmailIdentities"]


def test_deleting_the_stacks_deletes_identity_pools(client, stacks_deleted):
    assert not client("cognito-identity").list_identity_pools(MaxResults=10)["IdentityPools"]


if __name__ == "__main__":
    # Run directly, the file still runs its tests (under pytest).
    raise SystemExit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
