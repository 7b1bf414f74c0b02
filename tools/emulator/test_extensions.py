"""Smoke test of extensions/: deploy, update and delete stacks on the emulator, checked through
the service APIs (not through CloudFormation, which reports success either way).

    .tools/venv/bin/python tools/emulator/test_extensions.py

Starts its own emulator through launch.py on a free port and stops it at the end.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))

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
        cfn, sqs, sns, s3 = client("cloudformation"), client("sqs"), client("sns"), client("s3")
        idp, iam, ec, ddb = client("cognito-idp"), client("iam"), client("elasticache"), client("dynamodb")

        out = deploy(cfn, "smoke-messaging", MESSAGING)
        assert json.loads(sqs.get_queue_attributes(QueueUrl=out["Queue"], AttributeNames=["Policy"])["Attributes"]["Policy"])
        [sub] = sns.list_subscriptions_by_topic(TopicArn=out["Topic"])["Subscriptions"]
        assert sub["SubscriptionArn"] == out["Subscription"]
        assert sns.get_subscription_attributes(SubscriptionArn=out["Subscription"])["Attributes"]["RawMessageDelivery"] == "true"
        assert "SecureTransport" in s3.get_bucket_policy(Bucket=out["Bucket"])["Policy"]
        out = deploy(cfn, "smoke-messaging", MESSAGING, Raw="false")
        assert sns.get_subscription_attributes(SubscriptionArn=out["Subscription"])["Attributes"]["RawMessageDelivery"] == "false"

        out = deploy(cfn, "smoke-identity", IDENTITY)
        pool = idp.describe_user_pool(UserPoolId=out["Pool"])["UserPool"]
        assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12 and pool["Domain"] == "smoke-auth"
        assert idp.describe_user_pool_client(UserPoolId=out["Pool"], ClientId=out["Client"])["UserPoolClient"]["ClientName"] == "web"
        assert out["ProviderURL"].endswith(out["Pool"])
        assert out["Oidc"] in [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        out2 = deploy(cfn, "smoke-identity", IDENTITY, MinLength="16")
        assert out2["Pool"] == out["Pool"]
        assert idp.describe_user_pool(UserPoolId=out["Pool"])["UserPool"]["Policies"]["PasswordPolicy"]["MinimumLength"] == 16

        out = deploy(cfn, "smoke-cache", CACHE)
        [group] = ec.describe_replication_groups(ReplicationGroupId=out["Redis"])["ReplicationGroups"]
        assert group["NodeGroups"][0]["PrimaryEndpoint"]["Address"] == out["Primary"] and len(group["MemberClusters"]) == 2
        pitr = lambda: ddb.describe_continuous_backups(TableName=out["Table"])["ContinuousBackupsDescription"][  # noqa: E731
            "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
        assert pitr() == "DISABLED"
        out = deploy(cfn, "smoke-cache", CACHE, NodeType="cache.t4g.small", Pitr="true")
        assert ec.describe_replication_groups(ReplicationGroupId=out["Redis"])["ReplicationGroups"][0]["CacheNodeType"] == "cache.t4g.small"
        assert pitr() == "ENABLED"

        # AWS::IAM::User: inline policies created, updated in place (same user), removed; a user
        # with an access key cannot be deleted by the stack, as in IAM.
        # boto3 hands the policy document back parsed.
        policy = lambda name: iam.get_user_policy(UserName="ci-user-smoke", PolicyName=name)["PolicyDocument"]  # noqa: E731
        deploy(cfn, "smoke-users", users({"read": "s3:GetObject", "write": "s3:PutObject"}), tags={"hash": "one"})
        user_id = iam.get_user(UserName="ci-user-smoke")["User"]["UserId"]
        assert sorted(iam.list_user_policies(UserName="ci-user-smoke")["PolicyNames"]) == ["read", "write"]
        iam.put_user_policy(UserName="ci-user-smoke", PolicyName="by-hand", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::smoke"}]}))
        deploy(cfn, "smoke-users", users({"read": "s3:GetObjectVersion"}, path="/ci/"), tags={"hash": "two"})
        # An executed UPDATE change set gives the stack its tags (change_set_fidelity.py).
        assert cfn.describe_stacks(StackName="smoke-users")["Stacks"][0]["Tags"] == [{"Key": "hash", "Value": "two"}]
        user = iam.get_user(UserName="ci-user-smoke")["User"]
        assert user["UserId"] == user_id and user["Path"] == "/ci/", user
        assert sorted(iam.list_user_policies(UserName="ci-user-smoke")["PolicyNames"]) == ["by-hand", "read"]
        assert policy("read")["Statement"][0]["Action"] == "s3:GetObjectVersion"
        iam.delete_user_policy(UserName="ci-user-smoke", PolicyName="by-hand")
        key = iam.create_access_key(UserName="ci-user-smoke")["AccessKey"]["AccessKeyId"]
        placeholder = json.dumps({"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}})
        deploy(cfn, "smoke-users", placeholder, expect="UPDATE_ROLLBACK_COMPLETE")
        # The failure is the user's, with IAM's reason (change_set_fidelity.py), not the stack's.
        failed = [e for e in cfn.describe_stack_events(StackName="smoke-users")["StackEvents"] if e["ResourceStatus"].endswith("_FAILED")]
        assert failed[0]["LogicalResourceId"] == "CiUserSmoke" and "access keys" in failed[0]["ResourceStatusReason"], failed
        assert iam.get_user(UserName="ci-user-smoke")["User"]["UserId"] == user_id
        iam.delete_access_key(UserName="ci-user-smoke", AccessKeyId=key)
        deploy(cfn, "smoke-users", placeholder)
        assert not [u for u in iam.list_users()["Users"] if u["UserName"] == "ci-user-smoke"]

        # AWS::Route53::RecordSet over an existing record: a different one fails the stack and stays
        # as it was; an identical one is taken over (one record, not two), then updated by the stack.
        r53 = client("route53")
        zone = r53.create_hosted_zone(Name="smoke.example", CallerReference="smoke")["HostedZone"]["Id"].split("/")[-1]
        assert zone.startswith("Z") and len(zone) == 22, zone  # as Route 53's ids
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "smoke.example.", "Type": "A",
            "AliasTarget": {"DNSName": "old.eu-west-1.elb.amazonaws.com", "HostedZoneId": "Z2P70J7EXAMPLE", "EvaluateTargetHealth": True}}}]})
        aliases = lambda: [r["AliasTarget"]["DNSName"].rstrip(".") for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]  # noqa: E731
                           if r["Type"] == "A"]
        deploy(cfn, "smoke-dns-other", records(zone), expect="ROLLBACK_COMPLETE", Target="new.eu-west-1.elb.amazonaws.com")
        failed = [e for e in cfn.describe_stack_events(StackName="smoke-dns-other")["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"]
        assert failed[0]["LogicalResourceId"] == "Apex" and "already exists" in failed[0]["ResourceStatusReason"], failed
        assert aliases() == ["old.eu-west-1.elb.amazonaws.com"], aliases()
        cfn.delete_stack(StackName="smoke-dns-other")
        assert aliases() == ["old.eu-west-1.elb.amazonaws.com"], aliases()
        deploy(cfn, "smoke-dns", records(zone), Target="old.eu-west-1.elb.amazonaws.com")
        assert aliases() == ["old.eu-west-1.elb.amazonaws.com"], aliases()
        deploy(cfn, "smoke-dns", records(zone), Target="new.eu-west-1.elb.amazonaws.com")
        assert aliases() == ["new.eu-west-1.elb.amazonaws.com"], aliases()
        # A change set for a parameter change lists the resources that use it (change_set_fidelity.py).
        latest = cfn.list_change_sets(StackName="smoke-dns")["Summaries"][-1]["ChangeSetId"]
        changes = cfn.describe_change_set(ChangeSetName=latest, StackName="smoke-dns")["Changes"]
        assert [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes] == [("Modify", "Apex")], changes
        # Route 53's API: a CREATE of an existing record is refused, a DELETE needs the current
        # values, and deletes a record a stack made.
        current = {"Name": "smoke.example.", "Type": "A",
                   "AliasTarget": {"DNSName": "new.eu-west-1.elb.amazonaws.com", "HostedZoneId": "Z2P70J7EXAMPLE", "EvaluateTargetHealth": True}}
        stale = {**current, "AliasTarget": {**current["AliasTarget"], "DNSName": "old.eu-west-1.elb.amazonaws.com"}}
        for action, record_set, error in (("CREATE", current, "already exists"), ("DELETE", stale, "do not match")):
            try:
                r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record_set}]})
                raise AssertionError(f"{action} was accepted")
            except r53.exceptions.InvalidChangeBatch as refused:
                assert error in str(refused), refused
        assert aliases() == ["new.eu-west-1.elb.amazonaws.com"], aliases()
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": current}]})
        assert aliases() == [], aliases()
        deploy(cfn, "smoke-dns", records(zone), Target="old.eu-west-1.elb.amazonaws.com")
        cfn.delete_stack(StackName="smoke-dns")
        assert aliases() == [], aliases()

        for name in ("smoke-messaging", "smoke-identity", "smoke-cache", "smoke-users"):
            cfn.delete_stack(StackName=name)
        assert not sns.list_subscriptions()["Subscriptions"] and not sqs.list_queues().get("QueueUrls")
        assert not idp.list_user_pools(MaxResults=10)["UserPools"]
        assert not iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        assert not ec.describe_replication_groups()["ReplicationGroups"]
        assert not ec.describe_cache_subnet_groups()["CacheSubnetGroups"]
        assert not ddb.list_tables()["TableNames"]
        print("extensions smoke test: ok")
        return 0
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
