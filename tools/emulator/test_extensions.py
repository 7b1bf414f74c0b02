"""Tests of extensions/: deploy, update and delete stacks on the emulator, checked through the
service APIs (not through CloudFormation, which reports success either way).

    .tools/venv/bin/python -m pytest -q tools/emulator/test_extensions.py

The file has its own emulator (conftest.py). Each stack's stages (created, updated, ...) are
module fixtures, applied when a test first needs them: tests run in file order, so the tests of
a stage come before the first test of the next one, and the deletions come last.
"""

import json
import time

import pytest

MESSAGING = """
Parameters:
  Raw: {Type: String, Default: "true"}
Resources:
  Queue: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 30}}
  Topic: {Type: AWS::SNS::Topic, Properties: {DisplayName: orders}}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: !Ref Raw
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: sns.amazonaws.com}, Action: sqs:SendMessage,
                     Resource: !GetAtt Queue.Arn, Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}}]
  Bucket: {Type: AWS::S3::Bucket, Properties: {}}
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement: [{Effect: Deny, Principal: "*", Action: s3:*, Resource: !Sub "${Bucket.Arn}/*",
                     Condition: {Bool: {aws:SecureTransport: "false"}}}]
Outputs:
  Queue: {Value: !Ref Queue}
  Topic: {Value: !Ref Topic}
  Subscription: {Value: !Ref Subscription}
  Bucket: {Value: !Ref Bucket}
"""

IDENTITY = """
Parameters:
  MinLength: {Type: Number, Default: 12}
Resources:
  Pool: {Type: AWS::Cognito::UserPool, Properties: {UserPoolName: smoke, Policies: {PasswordPolicy: {MinimumLength: !Ref MinLength}}}}
  Client: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref Pool, ClientName: web}}
  Domain: {Type: AWS::Cognito::UserPoolDomain, Properties: {UserPoolId: !Ref Pool, Domain: smoke-auth}}
  Oidc:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: "https://oidc.example.com/id/SMOKE", ClientIdList: [sts.amazonaws.com],
                 ThumbprintList: [9e99a48a9960b14926bb7f3b02e22da2b0ab7280]}
Outputs:
  Pool: {Value: !Ref Pool}
  Client: {Value: !GetAtt Client.ClientId}
  ProviderURL: {Value: !GetAtt Pool.ProviderURL}
  Oidc: {Value: !GetAtt Oidc.Arn}
"""

CACHE = """
Parameters:
  NodeType: {Type: String, Default: cache.t4g.micro}
  Pitr: {Type: String, Default: "false"}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.9.0.0/16}}
  A: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.9.1.0/24}}
  B: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.9.2.0/24}}
  Subnets: {Type: AWS::ElastiCache::SubnetGroup, Properties: {Description: smoke, SubnetIds: [!Ref A, !Ref B]}}
  Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: smoke, VpcId: !Ref Vpc}}
  Redis:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: smoke
      CacheNodeType: !Ref NodeType
      NumCacheClusters: 2
      CacheSubnetGroupName: !Ref Subnets
      SecurityGroupIds: [!GetAtt Sg.GroupId]
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      DeletionProtectionEnabled: "false"
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: !Ref Pitr}
Outputs:
  Redis: {Value: !Ref Redis}
  Primary: {Value: !GetAtt Redis.PrimaryEndPoint.Address}
  Table: {Value: !Ref Table}
"""


def records(zone):
    """A stack of one alias record in `zone`, aliasing the parameter Target."""
    return json.dumps({"Parameters": {"Target": {"Type": "String"}}, "Resources": {"Apex": {"Type": "AWS::Route53::RecordSet", "Properties": {
        "HostedZoneId": zone, "Name": "smoke.example.", "Type": "A",
        "AliasTarget": {"DNSName": {"Ref": "Target"}, "HostedZoneId": "Z2P70J7EXAMPLE", "EvaluateTargetHealth": True}}}}})


def users(policies, path="/"):
    """A stack of one IAM user with these inline policies (name -> action on one bucket)."""
    return json.dumps({"Resources": {"CiUserSmoke": {"Type": "AWS::IAM::User", "Properties": {
        "UserName": "ci-user-smoke", "Path": path,
        "Policies": [{"PolicyName": name, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::smoke/*"}]}} for name, action in policies.items()]}}}})


def deploy(cfn, name, body, expect=None, tags=None, **parameters):
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    exists = any(s["StackName"] == name for s in cfn.describe_stacks()["Stacks"])
    kind = "UPDATE" if exists else "CREATE"
    cfn.create_change_set(StackName=name, ChangeSetName=f"cs{time.monotonic_ns()}", TemplateBody=body,
                          Parameters=params, ChangeSetType=kind,
                          Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    change_set = cfn.list_change_sets(StackName=name)["Summaries"][-1]["ChangeSetId"]
    cfn.execute_change_set(ChangeSetName=change_set, StackName=name)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == (expect or f"{kind}_COMPLETE"), stack["StackStatus"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


# Messaging: SNS subscription, SQS queue policy, S3 bucket policy.

@pytest.fixture(scope="module")
def messaging(cfn):
    return deploy(cfn, "smoke-messaging", MESSAGING)


def raw_delivery(client, out):
    return client("sns").get_subscription_attributes(SubscriptionArn=out["Subscription"])["Attributes"]["RawMessageDelivery"]


def test_queue_policy_is_set(client, messaging):
    assert json.loads(client("sqs").get_queue_attributes(QueueUrl=messaging["Queue"], AttributeNames=["Policy"])["Attributes"]["Policy"])


def test_subscription_is_the_topics_only_one(client, messaging):
    [sub] = client("sns").list_subscriptions_by_topic(TopicArn=messaging["Topic"])["Subscriptions"]
    assert sub["SubscriptionArn"] == messaging["Subscription"]


def test_subscription_has_raw_message_delivery(client, messaging):
    assert raw_delivery(client, messaging) == "true"


def test_bucket_policy_is_set(client, messaging):
    assert "SecureTransport" in client("s3").get_bucket_policy(Bucket=messaging["Bucket"])["Policy"]


@pytest.fixture(scope="module")
def messaging_updated(cfn, messaging):
    return deploy(cfn, "smoke-messaging", MESSAGING, Raw="false")


def test_update_changes_raw_message_delivery(client, messaging_updated):
    assert raw_delivery(client, messaging_updated) == "false"


# Identity: Cognito user pool, client and domain; IAM OIDC provider.

@pytest.fixture(scope="module")
def identity(cfn):
    return deploy(cfn, "smoke-identity", IDENTITY)


def test_user_pool_has_its_password_policy_and_domain(client, identity):
    pool = client("cognito-idp").describe_user_pool(UserPoolId=identity["Pool"])["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12 and pool["Domain"] == "smoke-auth"


def test_user_pool_client_exists(client, identity):
    assert client("cognito-idp").describe_user_pool_client(UserPoolId=identity["Pool"], ClientId=identity["Client"])["UserPoolClient"]["ClientName"] == "web"


def test_user_pool_provider_url_names_the_pool(identity):
    assert identity["ProviderURL"].endswith(identity["Pool"])


def test_oidc_provider_exists(client, identity):
    assert identity["Oidc"] in [p["Arn"] for p in client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]]


@pytest.fixture(scope="module")
def identity_updated(cfn, identity):
    return deploy(cfn, "smoke-identity", IDENTITY, MinLength="16")


def test_update_keeps_the_user_pool(identity, identity_updated):
    assert identity_updated["Pool"] == identity["Pool"]


def test_update_changes_the_password_policy(client, identity, identity_updated):
    assert client("cognito-idp").describe_user_pool(UserPoolId=identity["Pool"])["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"] == 16


# Cache: ElastiCache replication group and subnet group; DynamoDB point-in-time recovery.

@pytest.fixture(scope="module")
def cache(cfn):
    return deploy(cfn, "smoke-cache", CACHE)


def pitr(client, out):
    return client("dynamodb").describe_continuous_backups(TableName=out["Table"])["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]


def test_replication_group_has_its_primary_endpoint_and_two_clusters(client, cache):
    [group] = client("elasticache").describe_replication_groups(ReplicationGroupId=cache["Redis"])["ReplicationGroups"]
    assert group["NodeGroups"][0]["PrimaryEndpoint"]["Address"] == cache["Primary"] and len(group["MemberClusters"]) == 2


def test_table_starts_without_point_in_time_recovery(client, cache):
    assert pitr(client, cache) == "DISABLED"


@pytest.fixture(scope="module")
def cache_updated(cfn, cache):
    return deploy(cfn, "smoke-cache", CACHE, NodeType="cache.t4g.small", Pitr="true")


def test_update_changes_the_node_type(client, cache_updated):
    assert client("elasticache").describe_replication_groups(ReplicationGroupId=cache_updated["Redis"])["ReplicationGroups"][0]["CacheNodeType"] == "cache.t4g.small"


def test_update_enables_point_in_time_recovery(client, cache_updated):
    assert pitr(client, cache_updated) == "ENABLED"


# AWS::IAM::User: inline policies created, updated in place (same user), removed; a user with an
# access key cannot be deleted by the stack, as in IAM.

USER = "ci-user-smoke"
PLACEHOLDER = json.dumps({"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})


def policy(client, name):
    # boto3 hands the policy document back parsed.
    return client("iam").get_user_policy(UserName=USER, PolicyName=name)["PolicyDocument"]


@pytest.fixture(scope="module")
def user_id(cfn, client):
    """The id of the user the stack created."""
    deploy(cfn, "smoke-users", users({"read": "s3:GetObject", "write": "s3:PutObject"}), tags={"hash": "one"})
    return client("iam").get_user(UserName=USER)["User"]["UserId"]


def test_user_gets_its_inline_policies(client, user_id):
    assert sorted(client("iam").list_user_policies(UserName=USER)["PolicyNames"]) == ["read", "write"]


@pytest.fixture(scope="module")
def users_updated(cfn, client, user_id):
    """The stack updated after a policy was added by hand."""
    client("iam").put_user_policy(UserName=USER, PolicyName="by-hand", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::smoke"}]}))
    deploy(cfn, "smoke-users", users({"read": "s3:GetObjectVersion"}, path="/ci/"), tags={"hash": "two"})


def test_executed_update_change_set_tags_the_stack(cfn, users_updated):
    # An executed UPDATE change set gives the stack its tags (change_set_fidelity.py).
    assert cfn.describe_stacks(StackName="smoke-users")["Stacks"][0]["Tags"] == [{"Key": "hash", "Value": "two"}]


def test_update_changes_the_user_in_place(client, user_id, users_updated):
    user = client("iam").get_user(UserName=USER)["User"]
    assert user["UserId"] == user_id and user["Path"] == "/ci/", user


def test_update_removes_dropped_policies_and_keeps_one_added_by_hand(client, users_updated):
    assert sorted(client("iam").list_user_policies(UserName=USER)["PolicyNames"]) == ["by-hand", "read"]


def test_update_changes_a_policy_document(client, users_updated):
    assert policy(client, "read")["Statement"][0]["Action"] == "s3:GetObjectVersion"


@pytest.fixture(scope="module")
def access_key(cfn, client, users_updated):
    """A key given to the user, then a stack update that would delete the user (and fails)."""
    iam = client("iam")
    iam.delete_user_policy(UserName=USER, PolicyName="by-hand")
    key = iam.create_access_key(UserName=USER)["AccessKey"]["AccessKeyId"]
    deploy(cfn, "smoke-users", PLACEHOLDER, expect="UPDATE_ROLLBACK_COMPLETE")
    return key


def test_deleting_a_user_with_an_access_key_fails_on_the_user_with_iams_reason(cfn, access_key):
    # The failure is the user's, with IAM's reason (change_set_fidelity.py), not the stack's.
    failed = [e for e in cfn.describe_stack_events(StackName="smoke-users")["StackEvents"] if e["ResourceStatus"].endswith("_FAILED")]
    assert failed[0]["LogicalResourceId"] == "CiUserSmoke" and "access keys" in failed[0]["ResourceStatusReason"], failed


def test_a_user_with_an_access_key_is_kept(client, user_id, access_key):
    assert client("iam").get_user(UserName=USER)["User"]["UserId"] == user_id


@pytest.fixture(scope="module")
def users_removed(cfn, client, access_key):
    client("iam").delete_access_key(UserName=USER, AccessKeyId=access_key)
    deploy(cfn, "smoke-users", PLACEHOLDER)


def test_a_user_without_keys_is_deleted_with_its_resource(client, users_removed):
    assert not [u for u in client("iam").list_users()["Users"] if u["UserName"] == USER]


# AWS::Route53::RecordSet over an existing record: a different one fails the stack and stays as it
# was; an identical one is taken over (one record, not two), then updated by the stack.

OLD, NEW = "old.eu-west-1.elb.amazonaws.com", "new.eu-west-1.elb.amazonaws.com"
CURRENT = {"Name": "smoke.example.", "Type": "A",
           "AliasTarget": {"DNSName": NEW, "HostedZoneId": "Z2P70J7EXAMPLE", "EvaluateTargetHealth": True}}
STALE = {**CURRENT, "AliasTarget": {**CURRENT["AliasTarget"], "DNSName": OLD}}


@pytest.fixture(scope="module")
def zone(client):
    """A hosted zone holding an alias record to OLD, made through Route 53's API."""
    r53 = client("route53")
    zone = r53.create_hosted_zone(Name="smoke.example", CallerReference="smoke")["HostedZone"]["Id"].split("/")[-1]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "smoke.example.", "Type": "A",
        "AliasTarget": {"DNSName": OLD, "HostedZoneId": "Z2P70J7EXAMPLE", "EvaluateTargetHealth": True}}}]})
    return zone


def aliases(client, zone):
    return [r["AliasTarget"]["DNSName"].rstrip(".") for r in client("route53").list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
            if r["Type"] == "A"]


def test_hosted_zone_ids_look_like_route53s(zone):
    assert zone.startswith("Z") and len(zone) == 22, zone  # as Route 53's ids


@pytest.fixture(scope="module")
def dns_other(cfn, zone):
    deploy(cfn, "smoke-dns-other", records(zone), expect="ROLLBACK_COMPLETE", Target=NEW)


def test_a_record_over_a_different_one_fails_the_stack(cfn, dns_other):
    failed = [e for e in cfn.describe_stack_events(StackName="smoke-dns-other")["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Apex" and "already exists" in failed[0]["ResourceStatusReason"], failed


def test_a_record_over_a_different_one_leaves_it_as_it_was(client, zone, dns_other):
    assert aliases(client, zone) == [OLD], aliases(client, zone)


@pytest.fixture(scope="module")
def dns_other_deleted(cfn, dns_other):
    cfn.delete_stack(StackName="smoke-dns-other")


def test_deleting_the_failed_stack_leaves_the_record(client, zone, dns_other_deleted):
    assert aliases(client, zone) == [OLD], aliases(client, zone)


@pytest.fixture(scope="module")
def dns_taken_over(cfn, zone, dns_other_deleted):
    deploy(cfn, "smoke-dns", records(zone), Target=OLD)


def test_an_identical_record_is_taken_over_not_doubled(client, zone, dns_taken_over):
    assert aliases(client, zone) == [OLD], aliases(client, zone)


@pytest.fixture(scope="module")
def dns_updated(cfn, zone, dns_taken_over):
    deploy(cfn, "smoke-dns", records(zone), Target=NEW)


def test_the_stack_updates_a_record_it_took_over(client, zone, dns_updated):
    assert aliases(client, zone) == [NEW], aliases(client, zone)


def test_a_parameter_change_set_lists_the_resources_using_it(cfn, dns_updated):
    # (change_set_fidelity.py)
    latest = cfn.list_change_sets(StackName="smoke-dns")["Summaries"][-1]["ChangeSetId"]
    changes = cfn.describe_change_set(ChangeSetName=latest, StackName="smoke-dns")["Changes"]
    assert [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes] == [("Modify", "Apex")], changes


def refused_by_route53(client, zone, action, record_set, error):
    r53 = client("route53")
    with pytest.raises(r53.exceptions.InvalidChangeBatch) as refused:
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record_set}]})
    assert error in str(refused.value), refused.value
    assert aliases(client, zone) == [NEW], aliases(client, zone)


def test_route53_refuses_to_create_an_existing_record(client, zone, dns_updated):
    refused_by_route53(client, zone, "CREATE", CURRENT, "already exists")


def test_route53_refuses_a_delete_without_the_current_values(client, zone, dns_updated):
    refused_by_route53(client, zone, "DELETE", STALE, "do not match")


@pytest.fixture(scope="module")
def record_deleted_by_hand(client, zone, dns_updated):
    client("route53").change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": CURRENT}]})


def test_route53_deletes_a_record_a_stack_made(client, zone, record_deleted_by_hand):
    assert aliases(client, zone) == [], aliases(client, zone)


@pytest.fixture(scope="module")
def dns_deleted(cfn, zone, record_deleted_by_hand):
    deploy(cfn, "smoke-dns", records(zone), Target=OLD)
    cfn.delete_stack(StackName="smoke-dns")


def test_deleting_the_stack_deletes_its_record(client, zone, dns_deleted):
    assert aliases(client, zone) == [], aliases(client, zone)


# Deleting the stacks deletes what the extensions created.

@pytest.fixture(scope="module")
def stacks_deleted(cfn, messaging_updated, identity_updated, cache_updated, users_removed):
    for name in ("smoke-messaging", "smoke-identity", "smoke-cache", "smoke-users"):
        cfn.delete_stack(StackName=name)


def test_deleting_the_stacks_deletes_subscriptions_and_queues(client, stacks_deleted):
    assert not client("sns").list_subscriptions()["Subscriptions"] and not client("sqs").list_queues().get("QueueUrls")


def test_deleting_the_stacks_deletes_user_pools(client, stacks_deleted):
    assert not client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"]


def test_deleting_the_stacks_deletes_oidc_providers(client, stacks_deleted):
    assert not client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]


def test_deleting_the_stacks_deletes_replication_groups(client, stacks_deleted):
    assert not client("elasticache").describe_replication_groups()["ReplicationGroups"]


def test_deleting_the_stacks_deletes_cache_subnet_groups(client, stacks_deleted):
    assert not client("elasticache").describe_cache_subnet_groups()["CacheSubnetGroups"]


def test_deleting_the_stacks_deletes_tables(client, stacks_deleted):
    assert not client("dynamodb").list_tables()["TableNames"]


if __name__ == "__main__":
    # Run directly, the file still runs its tests (under pytest).
    raise SystemExit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
