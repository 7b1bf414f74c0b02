"""Tests of drift_detection.py: deploy a stack, change its resources through their services' own
APIs (as someone working outside CloudFormation would), and check what DetectStackDrift,
DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts and DetectStackResourceDrift report.

    .tools/venv/bin/python -m pytest -q tools/emulator/test_drift.py

The file has its own emulator (conftest.py). Tests run in file order: the unchanged stack is
checked first, then each test changes one resource and looks at that resource only, and the
deletions come last.
"""

import json
import time

import pytest
from botocore.exceptions import ClientError

TEMPLATE = """
Parameters:
  Retention: {Type: Number, Default: 14}
  Memory: {Type: Number, Default: 256}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: TlsOnly
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: [!GetAtt Bucket.Arn, !Sub "${Bucket.Arn}/*"]
            Condition: {Bool: {aws:SecureTransport: "false"}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      DeletionProtectionEnabled: false
  Queue: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 300, MessageRetentionPeriod: 345600}}
  Topic: {Type: AWS::SNS::Topic, Properties: {DisplayName: results, KmsMasterKeyId: alias/aws/sns}}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: sqs, Endpoint: !GetAtt Queue.Arn, RawMessageDelivery: true}
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Sid: FromTopic, Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: sqs:SendMessage,
             Resource: !GetAtt Queue.Arn, Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: read-bucket
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Action: [s3:GetObject], Resource: !Sub "${Bucket.Arn}/*"}]
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      MemorySize: !Ref Memory
      Timeout: 10
      Environment: {Variables: {TABLE: !Ref Table}}
      Code: {ZipFile: "def handler(event, context):\\n    return None\\n"}
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.20.0.0/16}}
  WebGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.20.0.0/16, Description: https}]
  DatabaseGroup: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: database, VpcId: !Ref Vpc}}
  DatabaseFromWeb:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt DatabaseGroup.GroupId
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      SourceSecurityGroupId: !GetAtt WebGroup.GroupId
      Description: postgres from web
  Logs: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: !Ref Retention}}
  Setting: {Type: AWS::SSM::Parameter, Properties: {Name: drift-smoke-setting, Type: String, Value: "1"}}
Outputs:
  Bucket: {Value: !Ref Bucket}
  Table: {Value: !Ref Table}
  Queue: {Value: !Ref Queue}
  Topic: {Value: !Ref Topic}
  Subscription: {Value: !Ref Subscription}
  Role: {Value: !Ref Role}
  Function: {Value: !Ref Function}
  WebGroup: {Value: !GetAtt WebGroup.GroupId}
  DatabaseGroup: {Value: !GetAtt DatabaseGroup.GroupId}
  Logs: {Value: !Ref Logs}
"""

STACK = "drift-smoke"
SUPPORTED = {"Bucket", "BucketPolicy", "Table", "Queue", "QueuePolicy", "Topic", "Subscription", "Role", "Function", "WebGroup", "DatabaseGroup", "DatabaseFromWeb", "Logs"}


def deploy(cfn, name, body, kind="CREATE", **parameters):
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    cfn.create_change_set(StackName=name, ChangeSetName=f"cs{time.monotonic_ns()}", TemplateBody=body,
                          Parameters=params, ChangeSetType=kind, Capabilities=["CAPABILITY_IAM"])
    change_set = cfn.list_change_sets(StackName=name)["Summaries"][-1]["ChangeSetId"]
    cfn.execute_change_set(ChangeSetName=change_set, StackName=name)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == f"{kind}_COMPLETE", stack["StackStatus"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def detect(cfn, name=STACK):
    """Run a detection; its status and every resource's drift by logical id."""
    detection_id = cfn.detect_stack_drift(StackName=name)["StackDriftDetectionId"]
    status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
    drifts = cfn.describe_stack_resource_drifts(StackName=name)["StackResourceDrifts"]
    return status, {drift["LogicalResourceId"]: drift for drift in drifts}


def differences(drift):
    return {d["PropertyPath"]: (d["ExpectedValue"], d["ActualValue"], d["DifferenceType"]) for d in drift.get("PropertyDifferences", [])}


@pytest.fixture(scope="module")
def out(cfn):
    return deploy(cfn, STACK, TEMPLATE)


# --- before any change -------------------------------------------------------------------------


def test_a_stack_never_checked_reports_not_checked(cfn, out):
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["DriftInformation"] == {"StackDriftStatus": "NOT_CHECKED"}
    resources = cfn.describe_stack_resources(StackName=STACK)["StackResources"]
    assert {r["DriftInformation"]["StackResourceDriftStatus"] for r in resources} == {"NOT_CHECKED"}


def test_an_unchanged_stack_is_in_sync(cfn, out):
    status, drifts = detect(cfn)
    assert status["DetectionStatus"] == "DETECTION_COMPLETE"
    assert status["StackDriftStatus"] == "IN_SYNC"
    assert status["DriftedStackResourceCount"] == 0
    not_in_sync = {name: differences(d) for name, d in drifts.items() if name in SUPPORTED and d["StackResourceDriftStatus"] != "IN_SYNC"}
    assert not not_in_sync


def test_the_status_names_the_stack_and_the_detection(cfn, out):
    stack_id = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackId"]
    detection_id = cfn.detect_stack_drift(StackName=STACK)["StackDriftDetectionId"]
    status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
    assert (status["StackId"], status["StackDriftDetectionId"]) == (stack_id, detection_id)
    assert status["Timestamp"]


def test_expected_and_actual_properties_hold_only_what_the_template_sets(cfn, out):
    _, drifts = detect(cfn)
    queue = drifts["Queue"]
    assert json.loads(queue["ExpectedProperties"]) == {"VisibilityTimeout": 300, "MessageRetentionPeriod": 345600}
    assert set(json.loads(queue["ActualProperties"])) == {"VisibilityTimeout", "MessageRetentionPeriod"}
    assert queue["PhysicalResourceId"] == out["Queue"] and queue["ResourceType"] == "AWS::SQS::Queue"


def test_parameters_and_references_are_resolved_in_the_expected_properties(cfn, out):
    _, drifts = detect(cfn)
    assert json.loads(drifts["Logs"]["ExpectedProperties"]) == {"RetentionInDays": 14}
    assert json.loads(drifts["Function"]["ExpectedProperties"])["Environment"] == {"Variables": {"TABLE": out["Table"]}}


def test_a_type_without_drift_support_is_not_checked(cfn, out):
    _, drifts = detect(cfn)
    assert drifts["Setting"]["StackResourceDriftStatus"] == "NOT_CHECKED"
    assert drifts["Setting"]["ResourceType"] == "AWS::SSM::Parameter"


def test_a_detection_sets_the_stacks_drift_information(cfn, out):
    detect(cfn)
    info = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["DriftInformation"]
    assert info["StackDriftStatus"] == "IN_SYNC" and info["LastCheckTimestamp"]


def test_a_detection_sets_each_resources_drift_information(cfn, out):
    detect(cfn)
    listed = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    by_id = {r["LogicalResourceId"]: r["DriftInformation"]["StackResourceDriftStatus"] for r in listed}
    assert by_id["Queue"] == "IN_SYNC" and by_id["Setting"] == "NOT_CHECKED"
    [described] = cfn.describe_stack_resources(StackName=STACK, LogicalResourceId="Queue")["StackResources"]
    assert described["DriftInformation"]["StackResourceDriftStatus"] == "IN_SYNC"


def test_an_equivalent_policy_written_differently_is_in_sync(client, cfn, out):
    bucket = out["Bucket"]
    arn = f"arn:aws:s3:::{bucket}"
    client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": {
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": ["s3:*"], "Resource": [f"{arn}/*", arn],
        "Condition": {"Bool": {"aws:SecureTransport": False}}}}))
    _, drifts = detect(cfn)
    assert drifts["BucketPolicy"]["StackResourceDriftStatus"] == "IN_SYNC", differences(drifts["BucketPolicy"])


# --- changes made through the services' own APIs -------------------------------------------------


def test_bucket_versioning_suspended(client, cfn, out):
    client("s3").put_bucket_versioning(Bucket=out["Bucket"], VersioningConfiguration={"Status": "Suspended"})
    status, drifts = detect(cfn)
    assert status["StackDriftStatus"] == "DRIFTED"
    assert drifts["Bucket"]["StackResourceDriftStatus"] == "MODIFIED"
    assert differences(drifts["Bucket"])["/VersioningConfiguration/Status"] == ("Enabled", "Suspended", "NOT_EQUAL")


def test_bucket_encryption_changed(client, cfn, out):
    client("s3").put_bucket_encryption(Bucket=out["Bucket"], ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    _, drifts = detect(cfn)
    path = "/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm"
    assert differences(drifts["Bucket"])[path] == ("AES256", "aws:kms", "NOT_EQUAL")


def test_bucket_policy_changed(client, cfn, out):
    bucket = out["Bucket"]
    client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    _, drifts = detect(cfn)
    assert drifts["BucketPolicy"]["StackResourceDriftStatus"] == "MODIFIED"
    assert differences(drifts["BucketPolicy"]) == {"/PolicyDocument/Statement/0/Action": ("s3:*", "s3:GetObject", "NOT_EQUAL")}


def test_table_billing_mode_changed(client, cfn, out):
    client("dynamodb").update_table(TableName=out["Table"], BillingMode="PROVISIONED",
                                    ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    _, drifts = detect(cfn)
    assert differences(drifts["Table"])["/BillingMode"] == ("PAY_PER_REQUEST", "PROVISIONED", "NOT_EQUAL")


def test_table_point_in_time_recovery_disabled(client, cfn, out):
    client("dynamodb").update_continuous_backups(TableName=out["Table"], PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    _, drifts = detect(cfn)
    path = "/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled"
    assert differences(drifts["Table"])[path] == ("true", "false", "NOT_EQUAL")


def test_table_deletion_protection_enabled(client, cfn, out):
    client("dynamodb").update_table(TableName=out["Table"], DeletionProtectionEnabled=True)
    _, drifts = detect(cfn)
    assert differences(drifts["Table"])["/DeletionProtectionEnabled"] == ("false", "true", "NOT_EQUAL")
    client("dynamodb").update_table(TableName=out["Table"], DeletionProtectionEnabled=False)


def test_queue_visibility_timeout_changed(client, cfn, out):
    client("sqs").set_queue_attributes(QueueUrl=out["Queue"], Attributes={"VisibilityTimeout": "60"})
    _, drifts = detect(cfn)
    assert drifts["Queue"]["StackResourceDriftStatus"] == "MODIFIED"
    assert differences(drifts["Queue"]) == {"/VisibilityTimeout": ("300", "60", "NOT_EQUAL")}


def test_a_queue_attribute_changed_leaves_its_policy_in_place(client, cfn, out):
    _, drifts = detect(cfn)
    assert drifts["QueuePolicy"]["StackResourceDriftStatus"] == "IN_SYNC"


def test_topic_display_name_changed(client, cfn, out):
    client("sns").set_topic_attributes(TopicArn=out["Topic"], AttributeName="DisplayName", AttributeValue="renamed")
    _, drifts = detect(cfn)
    assert differences(drifts["Topic"]) == {"/DisplayName": ("results", "renamed", "NOT_EQUAL")}


def test_topic_key_removed(client, cfn, out):
    client("sns").set_topic_attributes(TopicArn=out["Topic"], AttributeName="KmsMasterKeyId", AttributeValue="")
    _, drifts = detect(cfn)
    assert differences(drifts["Topic"])["/KmsMasterKeyId"] == ("alias/aws/sns", "null", "REMOVE")


def test_subscription_raw_delivery_turned_off(client, cfn, out):
    client("sns").set_subscription_attributes(SubscriptionArn=out["Subscription"], AttributeName="RawMessageDelivery", AttributeValue="false")
    _, drifts = detect(cfn)
    assert differences(drifts["Subscription"]) == {"/RawMessageDelivery": ("true", "false", "NOT_EQUAL")}


def test_queue_policy_changed(client, cfn, out):
    policy = json.loads(client("sqs").get_queue_attributes(QueueUrl=out["Queue"], AttributeNames=["Policy"])["Attributes"]["Policy"])
    policy["Statement"][0]["Principal"] = "*"
    client("sqs").set_queue_attributes(QueueUrl=out["Queue"], Attributes={"Policy": json.dumps(policy)})
    _, drifts = detect(cfn)
    [(path, (expected, actual, kind))] = differences(drifts["QueuePolicy"]).items()
    assert (path, json.loads(expected), actual, kind) == ("/PolicyDocument/Statement/0/Principal", {"Service": "sns.amazonaws.com"}, "*", "NOT_EQUAL")


def test_queue_policy_removed_is_deleted(client, cfn, out):
    client("sqs").set_queue_attributes(QueueUrl=out["Queue"], Attributes={"Policy": ""})
    _, drifts = detect(cfn)
    assert drifts["QueuePolicy"]["StackResourceDriftStatus"] == "DELETED"


def test_role_trust_changed(client, cfn, out):
    client("iam").update_assume_role_policy(RoleName=out["Role"], PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    _, drifts = detect(cfn)
    path = "/AssumeRolePolicyDocument/Statement/0/Principal/Service"
    assert differences(drifts["Role"]) == {path: ("lambda.amazonaws.com", "ec2.amazonaws.com", "NOT_EQUAL")}


def test_role_inline_policy_changed(client, cfn, out):
    client("iam").put_role_policy(RoleName=out["Role"], PolicyName="read-bucket", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{out['Bucket']}/*"}]}))
    _, drifts = detect(cfn)
    path = "/Policies/0/PolicyDocument/Statement/0/Action"
    assert differences(drifts["Role"])[path] == ('["s3:GetObject"]', '["s3:GetObject","s3:PutObject"]', "NOT_EQUAL")


def test_role_inline_policy_added(client, cfn, out):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    client("iam").put_role_policy(RoleName=out["Role"], PolicyName="extra", PolicyDocument=json.dumps(document))
    _, drifts = detect(cfn)
    expected, actual, kind = differences(drifts["Role"])["/Policies/1"]
    assert (expected, kind) == ("null", "ADD")
    assert json.loads(actual) == {"PolicyName": "extra", "PolicyDocument": document}


def test_function_memory_changed(client, cfn, out):
    client("lambda").update_function_configuration(FunctionName=out["Function"], MemorySize=512)
    _, drifts = detect(cfn)
    assert differences(drifts["Function"])["/MemorySize"] == ("256", "512", "NOT_EQUAL")


def test_function_environment_variable_added(client, cfn, out):
    client("lambda").update_function_configuration(FunctionName=out["Function"], Environment={"Variables": {"TABLE": out["Table"], "DEBUG": "1"}})
    _, drifts = detect(cfn)
    assert differences(drifts["Function"])["/Environment/Variables/DEBUG"] == ("null", "1", "ADD")


def test_security_group_rule_added(client, cfn, out):
    client("ec2").authorize_security_group_ingress(GroupId=out["WebGroup"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    _, drifts = detect(cfn)
    assert drifts["WebGroup"]["StackResourceDriftStatus"] == "MODIFIED"
    [(path, (expected, actual, kind))] = differences(drifts["WebGroup"]).items()
    assert (path, expected, kind) == ("/SecurityGroupIngress/1", "null", "ADD")
    assert json.loads(actual) == {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}


def test_security_group_rule_revoked(client, cfn, out):
    client("ec2").revoke_security_group_ingress(GroupId=out["WebGroup"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.20.0.0/16", "Description": "https"}]}])
    _, drifts = detect(cfn)
    [removed] = [d for d in drifts["WebGroup"]["PropertyDifferences"] if d["DifferenceType"] == "REMOVE"]
    assert (removed["PropertyPath"], removed["ActualValue"]) == ("/SecurityGroupIngress/0", "null")
    assert json.loads(removed["ExpectedValue"]) == {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.20.0.0/16", "Description": "https"}


def test_standalone_ingress_rule_revoked_is_deleted(client, cfn, out):
    client("ec2").revoke_security_group_ingress(GroupId=out["DatabaseGroup"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": out["WebGroup"], "Description": "postgres from web"}]}])
    _, drifts = detect(cfn)
    assert drifts["DatabaseFromWeb"]["StackResourceDriftStatus"] == "DELETED"


def test_log_group_retention_changed(client, cfn, out):
    client("logs").put_retention_policy(logGroupName=out["Logs"], retentionInDays=30)
    _, drifts = detect(cfn)
    assert differences(drifts["Logs"]) == {"/RetentionInDays": ("14", "30", "NOT_EQUAL")}


# --- reading the results ---------------------------------------------------------------------------


def test_a_status_filter_returns_only_those_resources(cfn, out):
    detect(cfn)
    drifts = cfn.describe_stack_resource_drifts(StackName=STACK, StackResourceDriftStatusFilters=["IN_SYNC", "NOT_CHECKED"])["StackResourceDrifts"]
    assert {d["LogicalResourceId"] for d in drifts} == {"Vpc", "DatabaseGroup", "Setting"}


def test_results_come_in_pages(cfn, out):
    detect(cfn)
    everything = [d["LogicalResourceId"] for d in cfn.describe_stack_resource_drifts(StackName=STACK)["StackResourceDrifts"]]
    paged, token = [], None
    while True:
        page = cfn.describe_stack_resource_drifts(StackName=STACK, MaxResults=5, **({"NextToken": token} if token else {}))
        assert len(page["StackResourceDrifts"]) <= 5
        paged += [d["LogicalResourceId"] for d in page["StackResourceDrifts"]]
        token = page.get("NextToken")
        if not token:
            break
    assert paged == everything and len(everything) == 15


def test_one_resource_can_be_checked_alone(cfn, out):
    drift = cfn.detect_stack_resource_drift(StackName=STACK, LogicalResourceId="Logs")["StackResourceDrift"]
    assert drift["StackResourceDriftStatus"] == "MODIFIED"
    assert drift["PhysicalResourceId"] == out["Logs"]


def test_the_stack_reports_drifted_with_the_count(cfn, out):
    status, drifts = detect(cfn)
    modified = [name for name, d in drifts.items() if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED")]
    assert status["DriftedStackResourceCount"] == len(modified) == 12
    assert cfn.describe_stacks(StackName=STACK)["Stacks"][0]["DriftInformation"]["StackDriftStatus"] == "DRIFTED"


def test_list_stacks_reports_each_stacks_drift_status(cfn, out):
    detect(cfn)
    summaries = {s["StackName"]: s for s in cfn.list_stacks()["StackSummaries"]}
    assert summaries[STACK]["DriftInformation"]["StackDriftStatus"] == "DRIFTED"


def test_a_detection_of_chosen_resources_checks_only_those(cfn, out):
    detection_id = cfn.detect_stack_drift(StackName=STACK, LogicalResourceIds=["Logs", "Setting"])["StackDriftDetectionId"]
    status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
    assert (status["DetectionStatus"], status["StackDriftStatus"], status["DriftedStackResourceCount"]) == ("DETECTION_COMPLETE", "DRIFTED", 1)


# --- errors ----------------------------------------------------------------------------------------


def test_an_unknown_detection_id_is_a_validation_error(cfn, out):
    with pytest.raises(ClientError) as raised:
        cfn.describe_stack_drift_detection_status(StackDriftDetectionId="00000000-0000-0000-0000-000000000000")
    assert raised.value.response["Error"]["Code"] == "ValidationError"


def test_a_detection_id_longer_than_the_api_allows_is_a_validation_error(cfn, out):
    with pytest.raises(ClientError) as raised:
        cfn.describe_stack_drift_detection_status(StackDriftDetectionId="x" * 37)
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "length" in raised.value.response["Error"]["Message"]


def test_an_unknown_stack_is_a_validation_error(cfn, out):
    with pytest.raises(ClientError) as raised:
        cfn.detect_stack_drift(StackName="no-such-stack")
    assert raised.value.response["Error"] == {**raised.value.response["Error"], "Code": "ValidationError", "Message": "Stack with id no-such-stack does not exist"}


def test_an_unknown_resource_is_a_validation_error(cfn, out):
    with pytest.raises(ClientError) as raised:
        cfn.detect_stack_resource_drift(StackName=STACK, LogicalResourceId="NoSuchResource")
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "NoSuchResource" in raised.value.response["Error"]["Message"]


def test_a_deleted_stack_cannot_be_checked(cfn):
    deploy(cfn, "drift-gone", "Resources:\n  Topic: {Type: AWS::SNS::Topic}\n")
    stack_id = cfn.describe_stacks(StackName="drift-gone")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="drift-gone")
    with pytest.raises(ClientError) as raised:
        cfn.detect_stack_drift(StackName=stack_id)
    assert raised.value.response["Error"]["Code"] == "ValidationError"


def test_a_bad_page_token_is_a_validation_error(cfn, out):
    with pytest.raises(ClientError) as raised:
        cfn.describe_stack_resource_drifts(StackName=STACK, NextToken="not-a-token")
    assert raised.value.response["Error"]["Code"] == "ValidationError"


# --- secrets ---------------------------------------------------------------------------------------


def test_a_no_echo_value_never_appears_in_the_results(cfn, client):
    body = """
Parameters:
  Name: {Type: String, NoEcho: true}
Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {DisplayName: !Ref Name}}
"""
    deploy(cfn, "drift-secret", body, Name="s3cr3t-value")
    detection_id = cfn.detect_stack_drift(StackName="drift-secret")["StackDriftDetectionId"]
    cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
    drifts = cfn.describe_stack_resource_drifts(StackName="drift-secret")["StackResourceDrifts"]
    assert "s3cr3t-value" not in json.dumps(drifts, default=str)
    assert drifts[0]["StackResourceDriftStatus"] == "IN_SYNC"


# --- more types: Aurora clusters and managed policies ---------------------------------------------

DATA = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.40.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: false}}
  A: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.40.1.0/24, AvailabilityZone: eu-west-1a, MapPublicIpOnLaunch: false}}
  B: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.40.2.0/24, AvailabilityZone: eu-west-1b}}
  Subnets: {Type: AWS::RDS::DBSubnetGroup, Properties: {DBSubnetGroupDescription: drift, SubnetIds: [!Ref A, !Ref B]}}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      DBClusterIdentifier: drift-aurora
      Engine: aurora-postgresql
      EngineVersion: "16.4"
      MasterUsername: drift_admin
      MasterUserPassword: not-a-real-password
      DBSubnetGroupName: !Ref Subnets
      StorageEncrypted: true
      DeletionProtection: false
      BackupRetentionPeriod: 7
      ServerlessV2ScalingConfiguration: {MinCapacity: 0.5, MaxCapacity: 4}
  Writer:
    Type: AWS::RDS::DBInstance
    Properties: {DBInstanceIdentifier: drift-aurora-writer, DBClusterIdentifier: !Ref Cluster, Engine: aurora-postgresql,
                 DBInstanceClass: db.serverless, PubliclyAccessible: false}
  Credentials:
    Type: AWS::SecretsManager::Secret
    Properties: {Name: drift-credentials, Description: drift, GenerateSecretString: {PasswordLength: 20}}
  CacheSubnets: {Type: AWS::ElastiCache::SubnetGroup, Properties: {Description: drift, SubnetIds: [!Ref A, !Ref B]}}
  CacheGroup: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: cache, VpcId: !Ref Vpc}}
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupId: drift-cache
      ReplicationGroupDescription: drift
      Engine: redis
      CacheNodeType: cache.t4g.micro
      NumCacheClusters: 2
      AutomaticFailoverEnabled: true
      TransitEncryptionEnabled: true
      AtRestEncryptionEnabled: true
      CacheSubnetGroupName: !Ref CacheSubnets
      SecurityGroupIds: [!GetAtt CacheGroup.GroupId]
      SnapshotRetentionLimit: 5
  Reader:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
  Profile: {Type: AWS::IAM::InstanceProfile, Properties: {Roles: [!Ref Reader]}}
  Oidc:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: "https://oidc.example.com/id/DRIFT", ClientIdList: [sts.amazonaws.com],
                 ThumbprintList: [9e99a48a9960b14926bb7f3b02e22da2b0ab7280]}
  ReadPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref Reader]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Action: ["rds:DescribeDBClusters"], Resource: "*"}]
Outputs:
  ReadPolicy: {Value: !Ref ReadPolicy}
  Reader: {Value: !Ref Reader}
  Profile: {Value: !Ref Profile}
  Credentials: {Value: !Ref Credentials}
  Oidc: {Value: !Ref Oidc}
  Vpc: {Value: !Ref Vpc}
  A: {Value: !Ref A}
  B: {Value: !Ref B}
"""


@pytest.fixture(scope="module")
def data(cfn):
    return deploy(cfn, "drift-data", DATA)


def test_a_new_cluster_cache_and_policy_are_in_sync(cfn, data):
    status, drifts = detect(cfn, "drift-data")
    assert status["StackDriftStatus"] == "IN_SYNC", {n: differences(d) for n, d in drifts.items()}
    checked = ("Vpc", "A", "B", "Subnets", "Cluster", "Writer", "Credentials", "CacheSubnets", "Cache", "Profile", "Oidc", "ReadPolicy")
    assert {drifts[name]["StackResourceDriftStatus"] for name in checked} == {"IN_SYNC"}


def test_a_clusters_password_is_never_compared(cfn, data):
    _, drifts = detect(cfn, "drift-data")
    assert "not-a-real-password" not in json.dumps(drifts["Cluster"], default=str)


def test_cluster_deletion_protection_and_backups_changed(client, cfn, data):
    client("rds").modify_db_cluster(DBClusterIdentifier="drift-aurora", DeletionProtection=True, BackupRetentionPeriod=1)
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["Cluster"]) == {
        "/DeletionProtection": ("false", "true", "NOT_EQUAL"),
        "/BackupRetentionPeriod": ("7", "1", "NOT_EQUAL"),
    }
    client("rds").modify_db_cluster(DBClusterIdentifier="drift-aurora", DeletionProtection=False)


def test_vpc_dns_hostnames_turned_on(client, cfn, data):
    client("ec2").modify_vpc_attribute(VpcId=data["Vpc"], EnableDnsHostnames={"Value": True})
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["Vpc"]) == {"/EnableDnsHostnames": ("false", "true", "NOT_EQUAL")}


def test_subnet_public_addresses_turned_on(client, cfn, data):
    client("ec2").modify_subnet_attribute(SubnetId=data["A"], MapPublicIpOnLaunch={"Value": True})
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["A"]) == {"/MapPublicIpOnLaunch": ("false", "true", "NOT_EQUAL")}


def test_oidc_provider_thumbprint_replaced(client, cfn, data):
    client("iam").update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=data["Oidc"], ThumbprintList=["0" * 40])
    _, drifts = detect(cfn, "drift-data")
    found = sorted((d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"]) for d in drifts["Oidc"]["PropertyDifferences"])
    assert found == [
        ("/ThumbprintList/0", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "null", "REMOVE"),
        ("/ThumbprintList/0", "null", "0" * 40, "ADD"),
    ]


def test_db_subnet_group_deleted_out_of_band(client, cfn, data):
    # (moto's ModifyDBSubnetGroup loses the group, so a deletion is what the twin can show.)
    client("rds").delete_db_subnet_group(DBSubnetGroupName=data_subnet_group(cfn))
    _, drifts = detect(cfn, "drift-data")
    assert drifts["Subnets"]["StackResourceDriftStatus"] == "DELETED"


def data_subnet_group(cfn):
    return cfn.describe_stack_resource(StackName="drift-data", LogicalResourceId="Subnets")["StackResourceDetail"]["PhysicalResourceId"]


def test_instance_publicly_accessible(client, cfn, data):
    client("rds").modify_db_instance(DBInstanceIdentifier="drift-aurora-writer", PubliclyAccessible=True, ApplyImmediately=True)
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["Writer"]) == {"/PubliclyAccessible": ("false", "true", "NOT_EQUAL")}


def test_secret_description_changed_and_its_value_never_read(client, cfn, data):
    client("secretsmanager").update_secret(SecretId=data["Credentials"], Description="by hand")
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["Credentials"]) == {"/Description": ("drift", "by hand", "NOT_EQUAL")}
    value = client("secretsmanager").get_secret_value(SecretId=data["Credentials"])["SecretString"]
    assert value not in json.dumps(drifts, default=str)


def test_instance_profile_role_removed(client, cfn, data):
    client("iam").remove_role_from_instance_profile(InstanceProfileName=data["Profile"], RoleName=data["Reader"])
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["Profile"]) == {"/Roles/0": (data["Reader"], "null", "REMOVE")}


def test_cache_snapshot_retention_changed(client, cfn, data):
    client("elasticache").modify_replication_group(ReplicationGroupId="drift-cache", SnapshotRetentionLimit=0, ApplyImmediately=True)
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["Cache"]) == {"/SnapshotRetentionLimit": ("5", "0", "NOT_EQUAL")}


def test_managed_policy_new_default_version(client, cfn, data):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "rds:*", "Resource": "*"}]}
    client("iam").create_policy_version(PolicyArn=data["ReadPolicy"], PolicyDocument=json.dumps(document), SetAsDefault=True)
    _, drifts = detect(cfn, "drift-data")
    assert differences(drifts["ReadPolicy"]) == {"/PolicyDocument/Statement/0/Action": ('["rds:DescribeDBClusters"]', "rds:*", "NOT_EQUAL")}


def test_managed_policy_detached_from_its_role(client, cfn, data):
    client("iam").detach_role_policy(RoleName=data["Reader"], PolicyArn=data["ReadPolicy"])
    _, drifts = detect(cfn, "drift-data")
    expected, actual, kind = differences(drifts["ReadPolicy"])["/Roles/0"]
    assert (expected, actual, kind) == (data["Reader"], "null", "REMOVE")


# --- tags -----------------------------------------------------------------------------------------

TAGGED = """
Resources:
  Bucket: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: team, Value: data}, {Key: cost, Value: platform}]}}
  Queue: {Type: AWS::SQS::Queue, Properties: {Tags: [{Key: team, Value: data}]}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}
      Tags: [{Key: team, Value: data}]
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.50.0.0/16, Tags: [{Key: Name, Value: tagged}]}}
Outputs:
  Bucket: {Value: !Ref Bucket}
  Queue: {Value: !Ref Queue}
  Role: {Value: !Ref Role}
  Vpc: {Value: !Ref Vpc}
"""


@pytest.fixture(scope="module")
def tagged(cfn):
    return deploy(cfn, "drift-tags", TAGGED)


def test_tags_as_deployed_are_in_sync(cfn, tagged):
    status, drifts = detect(cfn, "drift-tags")
    assert status["StackDriftStatus"] == "IN_SYNC", {n: differences(d) for n, d in drifts.items()}
    assert json.loads(drifts["Bucket"]["ActualProperties"])["Tags"] == [{"Key": "team", "Value": "data"}, {"Key": "cost", "Value": "platform"}]


def test_a_tag_value_changed(client, cfn, tagged):
    client("s3").put_bucket_tagging(Bucket=tagged["Bucket"], Tagging={"TagSet": [{"Key": "cost", "Value": "platform"}, {"Key": "team", "Value": "ops"}]})
    _, drifts = detect(cfn, "drift-tags")
    assert differences(drifts["Bucket"]) == {"/Tags/0/Value": ("data", "ops", "NOT_EQUAL")}


def test_a_tag_removed(client, cfn, tagged):
    client("sqs").untag_queue(QueueUrl=tagged["Queue"], TagKeys=["team"])
    _, drifts = detect(cfn, "drift-tags")
    assert differences(drifts["Queue"]) == {"/Tags/0": ('{"Key":"team","Value":"data"}', "null", "REMOVE")}


def test_a_tag_added(client, cfn, tagged):
    client("ec2").create_tags(Resources=[tagged["Vpc"]], Tags=[{"Key": "owner", "Value": "someone"}])
    _, drifts = detect(cfn, "drift-tags")
    assert differences(drifts["Vpc"]) == {"/Tags/1": ("null", '{"Key":"owner","Value":"someone"}', "ADD")}


def test_tags_aws_adds_itself_are_not_drift(client, cfn, tagged):
    client("iam").tag_role(RoleName=tagged["Role"], Tags=[{"Key": "aws:cloudformation:stack-name", "Value": "drift-tags"}])
    _, drifts = detect(cfn, "drift-tags")
    assert drifts["Role"]["StackResourceDriftStatus"] == "IN_SYNC"


# --- stack updates: what the template now says is what the services hold -------------------------

UPDATABLE = """
Parameters:
  Versioning: {Type: String}
  Action: {Type: String}
  Service: {Type: String}
  Port: {Type: Number}
  Architecture: {Type: String}
Resources:
  Bucket: {Type: AWS::S3::Bucket, Properties: {VersioningConfiguration: {Status: !Ref Versioning}}}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: !Ref Service}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: inline
          PolicyDocument: {Statement: [{Effect: Allow, Action: !Ref Action, Resource: "*"}]}
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Architectures: [!Ref Architecture]
      Code: {ZipFile: "def handler(event, context):\\n    return None\\n"}
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.30.0.0/16}}
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: updatable
      VpcId: !Ref Vpc
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: !Ref Port, ToPort: !Ref Port, CidrIp: 0.0.0.0/0, Description: out}]
"""


@pytest.fixture(scope="module")
def updated(cfn):
    deploy(cfn, "drift-updated", UPDATABLE, Versioning="Enabled", Action="s3:GetObject", Service="lambda.amazonaws.com", Port="443", Architecture="arm64")
    deploy(cfn, "drift-updated", UPDATABLE, kind="UPDATE", Versioning="Suspended", Action="sqs:SendMessage", Service="ec2.amazonaws.com", Port="5432", Architecture="x86_64")


def test_a_stack_update_leaves_the_updated_resources_in_sync(cfn, updated):
    status, drifts = detect(cfn, "drift-updated")
    not_in_sync = {name: differences(d) for name, d in drifts.items() if d["StackResourceDriftStatus"] not in ("IN_SYNC", "NOT_CHECKED")}
    assert not not_in_sync and status["StackDriftStatus"] == "IN_SYNC"


def test_a_stack_update_applied_what_the_template_now_says(cfn, updated):
    _, drifts = detect(cfn, "drift-updated")
    actual = {name: json.loads(d.get("ActualProperties", "{}")) for name, d in drifts.items()}
    assert actual["Bucket"]["VersioningConfiguration"] == {"Status": "Suspended"}
    assert actual["Role"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == "sqs:SendMessage"
    assert actual["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert actual["Function"]["Architectures"] == ["x86_64"]
    assert actual["Group"]["SecurityGroupEgress"] == [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "0.0.0.0/0", "Description": "out"}]


# --- deleted out of band (last: the stack keeps them deleted) --------------------------------------


def test_a_queue_deleted_out_of_band_is_deleted(client, cfn, out):
    client("sqs").delete_queue(QueueUrl=out["Queue"])
    _, drifts = detect(cfn)
    assert drifts["Queue"]["StackResourceDriftStatus"] == "DELETED"
    assert "ActualProperties" not in drifts["Queue"]


def test_a_bucket_deleted_out_of_band_is_deleted(client, cfn, out):
    client("s3").delete_bucket_policy(Bucket=out["Bucket"])
    client("s3").delete_bucket(Bucket=out["Bucket"])
    _, drifts = detect(cfn)
    assert drifts["Bucket"]["StackResourceDriftStatus"] == "DELETED"
    assert drifts["BucketPolicy"]["StackResourceDriftStatus"] == "DELETED"


def test_a_log_group_deleted_out_of_band_is_deleted(client, cfn, out):
    client("logs").delete_log_group(logGroupName=out["Logs"])
    _, drifts = detect(cfn)
    assert drifts["Logs"]["StackResourceDriftStatus"] == "DELETED"
