"""Tests of stack_deletion.py: stack deletion as CloudFormation does it. Stacks are deployed with
CreateStack, deleted with DeleteStack, and what was kept or removed is checked through the
service APIs (S3, DynamoDB, RDS), never through CloudFormation alone.

    .tools/venv/bin/python -m pytest -q tools/emulator/test_stack_deletion.py
"""

import pytest
from botocore.exceptions import ClientError

POLICIES = """
Parameters:
  Environment: {Type: String}
Conditions:
  IsDevelopment: !Equals [!Ref Environment, development]
Resources:
  Kept:
    Type: AWS::S3::Bucket
    DeletionPolicy: !If [IsDevelopment, Delete, Retain]
    Properties: {BucketName: !Sub 'deletion-kept-${Environment}'}
  PlainRetain:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      TableName: !Sub 'deletion-plain-${Environment}'
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Gone:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub 'deletion-gone-${Environment}'}
  Database:
    Type: AWS::RDS::DBInstance
    DeletionPolicy: !If [IsDevelopment, Delete, Snapshot]
    Properties:
      DBInstanceIdentifier: !Sub 'deletion-db-${Environment}'
      Engine: postgres
      DBInstanceClass: db.t3.micro
      AllocatedStorage: '20'
      MasterUsername: admin_user
      MasterUserPassword: not-a-real-secret-1
"""

EXPORTER = """
Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: deletion-exported}}
Outputs:
  TopicArn: {Value: !Ref Topic, Export: {Name: deletion-topic-arn}}
"""

IMPORTER = """
Parameters:
  Wanted: {Type: String, Default: 'yes'}
Conditions:
  Wants: !Equals [!Ref Wanted, 'yes']
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: deletion-importer
      Tags: [{Key: topic, Value: !If [Wants, !ImportValue deletion-topic-arn, none]}]
"""

BUCKET = """
Resources:
  Uploads: {Type: AWS::S3::Bucket, Properties: {BucketName: deletion-uploads}}
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: deletion-beside-uploads}}
"""


def create(cfn, name, body, **parameters):
    cfn.create_stack(
        StackName=name,
        TemplateBody=body,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
    )
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def gone(cfn, name):
    try:
        cfn.describe_stacks(StackName=name)
    except ClientError as error:
        return "does not exist" in str(error)
    return False


def events(cfn, name):
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason", "")) for e in cfn.describe_stack_events(StackName=name)["StackEvents"]]


def test_an_if_deletion_policy_is_resolved_with_the_stacks_conditions(cfn, client):
    create(cfn, "deletion-staging", POLICIES, Environment="staging")
    stack_id = cfn.describe_stacks(StackName="deletion-staging")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="deletion-staging")
    assert gone(cfn, "deletion-staging")
    client("s3").head_bucket(Bucket="deletion-kept-staging")
    client("dynamodb").describe_table(TableName="deletion-plain-staging")
    with pytest.raises(ClientError):
        client("sqs").get_queue_url(QueueName="deletion-gone-staging")
    # Snapshot: the instance is gone, its final snapshot is there.
    rds = client("rds")
    assert not [d for d in rds.describe_db_instances()["DBInstances"] if d["DBInstanceIdentifier"] == "deletion-db-staging"]
    snapshots = rds.describe_db_snapshots(DBInstanceIdentifier="deletion-db-staging")["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"] for s in snapshots] == [f"deletion-staging-database-snapshot-{stack_id.rsplit('/', 1)[-1].replace('-', '')[:8]}"]
    kept = {e["LogicalResourceId"] for e in cfn.describe_stack_events(StackName=stack_id)["StackEvents"] if e["ResourceStatus"] == "DELETE_SKIPPED"}
    assert kept == {"Kept", "PlainRetain"}


def test_in_development_the_same_template_deletes_everything(cfn, client):
    create(cfn, "deletion-development", POLICIES, Environment="development")
    cfn.delete_stack(StackName="deletion-development")
    assert gone(cfn, "deletion-development")
    with pytest.raises(ClientError):
        client("s3").head_bucket(Bucket="deletion-kept-development")
    rds = client("rds")
    assert rds.describe_db_snapshots(DBInstanceIdentifier="deletion-db-development")["DBSnapshots"] == []
    # A plain "Retain" was already honoured by moto.
    client("dynamodb").describe_table(TableName="deletion-plain-development")


def test_a_non_empty_bucket_fails_the_deletion_and_a_retry_resumes(cfn, client):
    create(cfn, "deletion-bucket", BUCKET)
    s3 = client("s3")
    s3.put_object(Bucket="deletion-uploads", Key="data.txt", Body=b"kept")
    cfn.delete_stack(StackName="deletion-bucket")
    stack = cfn.describe_stacks(StackName="deletion-bucket")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED"
    failed = [e for e in events(cfn, "deletion-bucket") if e[1] == "DELETE_FAILED" and e[0] == "Uploads"]
    assert failed and "The bucket you tried to delete is not empty" in failed[0][2]
    s3.head_bucket(Bucket="deletion-uploads")
    # The rest was deleted: the retry has only the bucket left.
    with pytest.raises(ClientError):
        client("sqs").get_queue_url(QueueName="deletion-beside-uploads")

    s3.delete_object(Bucket="deletion-uploads", Key="data.txt")
    cfn.delete_stack(StackName="deletion-bucket")
    assert gone(cfn, "deletion-bucket")
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket="deletion-uploads")


def test_an_export_in_use_is_listed_by_list_imports_and_refuses_deletion(cfn, client):
    create(cfn, "deletion-exporter", EXPORTER)
    with pytest.raises(ClientError, match="is not imported by any stack"):
        cfn.list_imports(ExportName="deletion-topic-arn")
    create(cfn, "deletion-importer", IMPORTER)
    assert cfn.list_imports(ExportName="deletion-topic-arn")["Imports"] == ["deletion-importer"]

    cfn.delete_stack(StackName="deletion-exporter")
    stack = cfn.describe_stacks(StackName="deletion-exporter")["Stacks"][0]
    assert stack["StackStatus"] == "DELETE_FAILED"
    assert ("deletion-exporter", "DELETE_FAILED", "Export deletion-topic-arn cannot be deleted as it is in use by deletion-importer") in events(
        cfn, "deletion-exporter"
    )
    topics = [t["TopicArn"] for t in client("sns").list_topics()["Topics"]]
    assert any(t.endswith(":deletion-exported") for t in topics)

    cfn.delete_stack(StackName="deletion-importer")
    cfn.delete_stack(StackName="deletion-exporter")
    assert gone(cfn, "deletion-exporter")


def test_an_import_on_a_dead_branch_is_not_an_import(cfn):
    create(cfn, "deletion-exporter-2", EXPORTER)
    create(cfn, "deletion-importer-2", IMPORTER.replace("deletion-importer", "deletion-importer-2"), Wanted="no")
    with pytest.raises(ClientError, match="is not imported by any stack"):
        cfn.list_imports(ExportName="deletion-topic-arn")
    cfn.delete_stack(StackName="deletion-exporter-2")
    assert gone(cfn, "deletion-exporter-2")
    cfn.delete_stack(StackName="deletion-importer-2")


def test_termination_protection_refuses_deletion_until_lifted(cfn, client):
    create(cfn, "deletion-protected", EXPORTER.replace("deletion-exported", "deletion-protected").replace("deletion-topic-arn", "deletion-protected-arn"))
    cfn.update_termination_protection(StackName="deletion-protected", EnableTerminationProtection=True)
    assert cfn.describe_stacks(StackName="deletion-protected")["Stacks"][0]["EnableTerminationProtection"] is True
    with pytest.raises(ClientError, match=r"Stack \[deletion-protected\] cannot be deleted while TerminationProtection is enabled"):
        cfn.delete_stack(StackName="deletion-protected")
    assert cfn.describe_stacks(StackName="deletion-protected")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    cfn.update_termination_protection(StackName="deletion-protected", EnableTerminationProtection=False)
    cfn.delete_stack(StackName="deletion-protected")
    assert gone(cfn, "deletion-protected")


def test_deleting_a_stack_that_does_not_exist_succeeds_as_in_aws(cfn):
    cfn.delete_stack(StackName="deletion-never-made")


def test_a_deleted_stack_described_by_id_re_creates_nothing(cfn, client):
    body = "Resources:\n  T: {Type: AWS::SNS::Topic, Properties: {TopicName: deletion-output}}\nOutputs:\n  Arn: {Value: !Ref T, Export: {Name: deletion-output-arn}}\n"
    create(cfn, "deletion-output", body)
    stack_id = cfn.describe_stacks(StackName="deletion-output")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="deletion-output")
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    cfn.list_stack_resources(StackName=stack_id)
    assert not [t for t in client("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":deletion-output")]


def test_retain_except_on_create_keeps_on_deletion_but_not_when_a_creation_rolls_back(cfn, client):
    body = """
Resources:
  Kept:
    Type: AWS::SQS::Queue
    DeletionPolicy: RetainExceptOnCreate
    Properties: {QueueName: deletion-rexc}
"""
    create(cfn, "deletion-rexc", body)
    cfn.delete_stack(StackName="deletion-rexc")
    client("sqs").get_queue_url(QueueName="deletion-rexc")
    client("sqs").delete_queue(QueueUrl=client("sqs").get_queue_url(QueueName="deletion-rexc")["QueueUrl"])

    failing = body.replace("deletion-rexc}", "deletion-rexc-rollback}") + """
  Broken:
    Type: AWS::SQS::Queue
    DependsOn: Kept
    Properties: {QueueName: deletion-rexc-broken, DelaySeconds: not-a-number}
"""
    change_set = cfn.create_change_set(StackName="deletion-rexc-rollback", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=failing)
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"], WaiterConfig={"Delay": 1})
    cfn.execute_change_set(ChangeSetName=change_set["Id"])
    assert cfn.describe_stacks(StackName="deletion-rexc-rollback")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    with pytest.raises(ClientError):
        client("sqs").get_queue_url(QueueName="deletion-rexc-rollback")
