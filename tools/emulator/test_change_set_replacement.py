"""Tests of change sets that say what CloudFormation says about replacement (change_set_fidelity.py,
part 9, with resource_schemas.py) and of termination protection and stack policies
(stack_protection.py). Results are read through the CloudFormation, DynamoDB, S3 and SQS APIs.

    .tools/venv/bin/python -m pytest -q tools/emulator/test_change_set_replacement.py

The file has its own emulator (conftest.py); tests run in file order on one stack.
"""

import itertools
import json

import pytest
from botocore.exceptions import ClientError

import resource_schemas

STACK = "replacement-smoke"

TEMPLATE = """
Parameters:
  Suffix: {Type: String, Default: one}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      TableName: !Sub "smoke-table-${Suffix}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}, {AttributeName: other, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: smoke-bucket-one}
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Delete
    Properties: {QueueName: smoke-queue-one}
  Topic:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: one}
"""

_names = (f"cs{n}" for n in itertools.count())


def change_set(cfn, body, kind="UPDATE", parameters=()):
    name = next(_names)
    cfn.create_change_set(
        StackName=STACK, ChangeSetName=name, ChangeSetType=kind, TemplateBody=body,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters],
    )
    described = cfn.describe_change_set(StackName=STACK, ChangeSetName=name)
    return name, {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}


@pytest.fixture(scope="module")
def stack(cfn):
    name, _ = change_set(cfn, TEMPLATE, "CREATE")
    cfn.execute_change_set(StackName=STACK, ChangeSetName=name)
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    return STACK


def test_the_schemas_come_from_cfn_lint_not_from_a_list():
    rules = resource_schemas.replacement_rules("AWS::DynamoDB::Table")
    assert ("TableName",) in rules.always and ("KeySchema",) in rules.conditionally
    assert resource_schemas.replacement_rules("Custom::Anything") == resource_schemas.NO_RULES
    assert resource_schemas.recreation("AWS::SQS::Queue", "QueueName", "a", "b") == "Always"
    assert resource_schemas.recreation("AWS::SQS::Queue", "VisibilityTimeout", 1, 2) == "Never"


def test_a_changed_name_replaces_a_parameter_change_says_which_parameter(cfn, stack):
    body = TEMPLATE.replace("smoke-bucket-one", "smoke-bucket-two").replace("DisplayName: one", "DisplayName: two")
    name, changes = change_set(cfn, body, parameters=[("Suffix", "two")])
    assert changes["Bucket"]["Replacement"] == "True"
    assert changes["Bucket"]["Scope"] == ["Properties"]
    assert changes["Bucket"]["Details"] == [
        {"Target": {"Attribute": "Properties", "Name": "BucketName", "RequiresRecreation": "Always"}, "Evaluation": "Static", "ChangeSource": "DirectModification"}
    ]
    assert changes["Bucket"]["PhysicalResourceId"] == "smoke-bucket-one"
    assert changes["Bucket"]["PolicyAction"] == "ReplaceAndDelete"
    assert changes["Table"]["Replacement"] == "True"
    assert changes["Table"]["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "TableName", "RequiresRecreation": "Always"},
            "Evaluation": "Static",
            "ChangeSource": "ParameterReference",
            "CausingEntity": "Suffix",
        }
    ]
    assert changes["Table"]["PolicyAction"] == "ReplaceAndRetain"
    assert changes["Topic"]["Replacement"] == "False"
    assert changes["Topic"]["Details"][0]["Target"] == {"Attribute": "Properties", "Name": "DisplayName", "RequiresRecreation": "Never"}
    cfn.delete_change_set(StackName=STACK, ChangeSetName=name)


def test_a_conditionally_create_only_property_is_conditional(cfn, stack):
    body = TEMPLATE.replace("KeySchema: [{AttributeName: id, KeyType: HASH}]", "KeySchema: [{AttributeName: other, KeyType: HASH}]")
    name, changes = change_set(cfn, body)
    assert changes["Table"]["Replacement"] == "Conditional"
    assert changes["Table"]["Details"][0]["Target"] == {"Attribute": "Properties", "Name": "KeySchema", "RequiresRecreation": "Conditionally"}
    cfn.delete_change_set(StackName=STACK, ChangeSetName=name)


def test_a_value_known_only_at_execution_is_dynamic_and_conditional(cfn, stack):
    body = TEMPLATE.replace("QueueName: smoke-queue-one", "QueueName: !GetAtt NewTopic.TopicName") + "  NewTopic: {Type: AWS::SNS::Topic}\n"
    name, changes = change_set(cfn, body)
    assert changes["NewTopic"]["Action"] == "Add" and "Replacement" not in changes["NewTopic"]
    assert changes["Queue"]["Replacement"] == "Conditional"
    assert changes["Queue"]["Details"] == [
        {"Target": {"Attribute": "Properties", "Name": "QueueName", "RequiresRecreation": "Always"}, "Evaluation": "Dynamic", "ChangeSource": "DirectModification"}
    ]
    cfn.delete_change_set(StackName=STACK, ChangeSetName=name)


READERS = """
Parameters:
  Suffix: {Type: String, Default: one}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Sub "readers-${Suffix}"}
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: !Sub "${Topic.TopicName}-jobs"}
  Alarm:
    Type: AWS::SQS::Queue
    Properties: {QueueName: readers-alarm, Tags: [{Key: topic, Value: !Ref Topic}]}
"""


def test_a_resource_reading_a_replaced_one_is_listed_dynamic(cfn):
    cfn.create_stack(StackName="readers", TemplateBody=READERS)
    cfn.create_change_set(
        StackName="readers", ChangeSetName="rename", ChangeSetType="UPDATE", TemplateBody=READERS,
        Parameters=[{"ParameterKey": "Suffix", "ParameterValue": "two"}],
    )
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in cfn.describe_change_set(StackName="readers", ChangeSetName="rename")["Changes"]}
    assert changes["Topic"]["Replacement"] == "True"
    # Its template text is unchanged, but its create-only QueueName is read from the new topic.
    assert changes["Queue"]["Replacement"] == "Conditional"
    assert changes["Queue"]["Details"] == [
        {"Target": {"Attribute": "Properties", "Name": "QueueName", "RequiresRecreation": "Always"}, "Evaluation": "Dynamic", "ChangeSource": "ResourceReference", "CausingEntity": "Topic"}
    ]
    # A tag read from it changes in place.
    assert changes["Alarm"]["Replacement"] == "False"
    assert changes["Alarm"]["Details"][0]["ChangeSource"] == "ResourceReference"


def test_a_resource_dropped_from_the_template_is_a_remove_with_its_deletion_policy(cfn, stack):
    body = TEMPLATE.replace("  Queue:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Delete\n    Properties: {QueueName: smoke-queue-one}\n", "")
    name, changes = change_set(cfn, body)
    assert changes["Queue"]["Action"] == "Remove"
    assert changes["Queue"]["PolicyAction"] == "Delete"
    assert changes["Queue"]["PhysicalResourceId"].endswith("/smoke-queue-one")
    assert "Replacement" not in changes["Queue"]
    cfn.delete_change_set(StackName=STACK, ChangeSetName=name)


def test_termination_protection_is_set_read_and_enforced(cfn, stack):
    cfn.update_termination_protection(StackName=STACK, EnableTerminationProtection=True)
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["EnableTerminationProtection"] is True
    with pytest.raises(ClientError, match="cannot be deleted while TerminationProtection is enabled"):
        cfn.delete_stack(StackName=STACK)
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


POLICY = {
    "Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*", "Resource": ["LogicalResourceId/Table"]},
    ]
}


def test_a_stack_policy_denies_a_replacement_before_anything_changes(cfn, client, stack):
    cfn.set_stack_policy(StackName=STACK, StackPolicyBody=json.dumps(POLICY))
    assert json.loads(cfn.get_stack_policy(StackName=STACK)["StackPolicyBody"]) == POLICY
    body = TEMPLATE.replace("DisplayName: one", "DisplayName: two")
    name, _ = change_set(cfn, body, parameters=[("Suffix", "two")])
    cfn.execute_change_set(StackName=STACK, ChangeSetName=name)
    described = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert described["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
    failed = next(e for e in events if e["ResourceStatus"] == "UPDATE_FAILED")
    assert failed["LogicalResourceId"] == "Table"
    assert "Action denied by stack policy" in failed["ResourceStatusReason"]
    tables = client("dynamodb").list_tables()["TableNames"]
    assert "smoke-table-one" in tables and "smoke-table-two" not in tables
    sns = client("sns")
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if "Topic" in t["TopicArn"])
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"] == "one"


def test_an_allowed_replacement_replaces_the_table_and_the_bucket(cfn, client, stack):
    allowing = {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}
    cfn.set_stack_policy(StackName=STACK, StackPolicyBody=json.dumps(allowing))
    body = TEMPLATE.replace("smoke-bucket-one", "smoke-bucket-two")
    name, _ = change_set(cfn, body, parameters=[("Suffix", "two")])
    cfn.execute_change_set(StackName=STACK, ChangeSetName=name)
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    tables = client("dynamodb").list_tables()["TableNames"]
    # The table's UpdateReplacePolicy is Retain: the old one stays, out of the stack; the bucket has none.
    assert "smoke-table-two" in tables and "smoke-table-one" in tables
    buckets = {b["Name"] for b in client("s3").list_buckets()["Buckets"]}
    assert "smoke-bucket-two" in buckets and "smoke-bucket-one" not in buckets
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in cfn.describe_stack_resources(StackName=STACK)["StackResources"]}
    assert resources["Table"] == "smoke-table-two"
    events = cfn.describe_stack_events(StackName=STACK)["StackEvents"]
    assert any(e["LogicalResourceId"] == "Table" and e["ResourceStatus"] == "DELETE_SKIPPED" and e["PhysicalResourceId"] == "smoke-table-one" for e in events)


def test_list_change_sets_names_the_stack_s_only_and_execution_drops_the_others(cfn, stack):
    current = TEMPLATE.replace("smoke-bucket-one", "smoke-bucket-two")
    first, _ = change_set(cfn, current.replace("DisplayName: one", "DisplayName: three"), parameters=[("Suffix", "two")])
    second, _ = change_set(cfn, current.replace("DisplayName: one", "DisplayName: four"), parameters=[("Suffix", "two")])
    cfn.create_change_set(StackName="elsewhere", ChangeSetName="other", ChangeSetType="CREATE", TemplateBody="Resources: {T: {Type: AWS::SNS::Topic}}")
    listed = {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=STACK)["Summaries"]}
    assert {first, second} <= listed and "other" not in listed
    cfn.execute_change_set(StackName=STACK, ChangeSetName=second)
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName=STACK)["Summaries"]] == [second]
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName="elsewhere")["Summaries"]] == ["other"]


def test_a_resource_dropped_with_deletion_policy_retain_stays(cfn, client):
    body = "Resources:\n  Kept:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Retain\n    Properties: {QueueName: smoke-kept}\n  Other: {Type: AWS::SNS::Topic}\n"
    cfn.create_stack(StackName="dropping", TemplateBody=body)
    cfn.create_change_set(StackName="dropping", ChangeSetName="drop", ChangeSetType="UPDATE", TemplateBody="Resources:\n  Other: {Type: AWS::SNS::Topic}\n")
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in cfn.describe_change_set(StackName="dropping", ChangeSetName="drop")["Changes"]}
    assert (changes["Kept"]["Action"], changes["Kept"]["PolicyAction"]) == ("Remove", "Retain")
    cfn.execute_change_set(StackName="dropping", ChangeSetName="drop")
    assert cfn.describe_stacks(StackName="dropping")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert [r["LogicalResourceId"] for r in cfn.describe_stack_resources(StackName="dropping")["StackResources"]] == ["Other"]
    assert client("sqs").get_queue_url(QueueName="smoke-kept")["QueueUrl"].endswith("/smoke-kept")
