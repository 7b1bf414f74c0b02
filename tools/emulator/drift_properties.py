"""What each resource type's service reports, in the shape of its CloudFormation properties: the
"actual" side of drift detection (drift_detection.py).

One entry per type in TYPES: a reader that asks moto's service backend for the resource by its
physical id (None when it is gone: DELETED), the properties compared, and the comparison rules
(drift_compare.Rules). A type not listed is NOT_CHECKED, as CloudFormation reports types without
drift support. Properties not listed for a type are left out of both ExpectedProperties and
ActualProperties rather than reported as drift: the emulator cannot read them (or moto does not
apply them), so comparing them would only ever show false drift. Tags are compared, by key and
without the `aws:` tags AWS adds itself, for the types that name where their service keeps them.

A reader reads what the service API would answer (GetBucketVersioning, DescribeTable,
GetQueueAttributes, GetRole, GetFunctionConfiguration, DescribeSecurityGroups, ...), from the same
moto backend objects those APIs answer from.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.exceptions import UnknownFunctionException
from moto.awslambda.models import lambda_backends
from moto.dynamodb.exceptions import ResourceNotFoundException
from moto.dynamodb.models import dynamodb_backends
from moto.ec2.exceptions import InvalidSubnetIdError, InvalidVPCIdError
from moto.ec2.models import ec2_backends
from moto.elasticache.models import elasticache_backends
from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.logs.models import logs_backends
from moto.rds.models import rds_backends
from moto.s3.exceptions import MissingBucket
from moto.s3.models import s3_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.sns.models import sns_backends
from moto.sqs.exceptions import QueueDoesNotExist
from moto.sqs.models import sqs_backends
from moto.utilities.utils import get_partition

from drift_compare import Rules, equal

Properties = dict[str, Any]
# physical id, account, region, the expected (resolved template) properties -> actual or None
Reader = Callable[[str, str, str, Properties], Properties | None]
Normaliser = Callable[[Properties], Properties]
# physical id, account, region -> the resource's tags, key -> value
TagReader = Callable[[str, str, str], dict[str, str]]


def _same(properties: Properties) -> Properties:
    return properties


@dataclass(frozen=True)
class DriftType:
    read: Reader
    properties: frozenset[str]
    rules: Rules = field(default_factory=Rules)
    # Applied to both sides before comparing (security group rules: "6" is "tcp").
    normalise: Normaliser = _same
    # Where the service keeps the resource's tags, for types whose Tags are compared.
    tags: TagReader | None = None

    @property
    def compared(self) -> frozenset[str]:
        return self.properties | {"Tags"} if self.tags else self.properties

    @property
    def comparison(self) -> Rules:
        """The type's rules, with Tags matched by key when they are compared."""
        if not self.tags:
            return self.rules
        return Rules(unordered=self.rules.unordered, keyed={**self.rules.keyed, "/Tags": "Key"}, documents=self.rules.documents)

    def actual_tags(self, physical_id: str, account_id: str, region_name: str) -> list[dict[str, str]]:
        """The tags as a template lists them, without the aws: ones AWS adds itself (never drift)."""
        found = self.tags(physical_id, account_id, region_name) if self.tags else {}
        return [{"Key": key, "Value": value} for key, value in found.items() if not key.startswith("aws:")]


def _without_empty(properties: Properties) -> Properties:
    return {key: value for key, value in properties.items() if value not in (None, "", [], {})}


def _json(text: Any) -> Any:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return json.loads(text) if isinstance(text, str) and text else text


# --- S3 --------------------------------------------------------------------------------------------


def _bucket(name: str, account_id: str, region_name: str) -> Any:
    try:
        return s3_backends[account_id][get_partition(region_name)].get_bucket(name)
    except MissingBucket:
        return None


def _encryption_rules(encryption: dict[str, Any] | None) -> list[dict[str, Any]]:
    # moto keeps PutBucketEncryption's XML as parsed: one rule is a mapping, several a list.
    rules = (encryption or {}).get("Rule") or []
    rules = rules if isinstance(rules, list) else [rules]
    found = []
    for rule in rules:
        default = dict(rule.get("ApplyServerSideEncryptionByDefault") or {})
        entry: dict[str, Any] = {"ServerSideEncryptionByDefault": _without_empty(default)}
        if rule.get("BucketKeyEnabled") is not None:
            entry["BucketKeyEnabled"] = str(rule["BucketKeyEnabled"]).lower() == "true"
        found.append(entry)
    return found


def read_bucket(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    bucket = _bucket(name, account_id, region_name)
    if bucket is None:
        return None
    actual: Properties = {"BucketName": bucket.name}
    if bucket.versioning_status:
        actual["VersioningConfiguration"] = {"Status": bucket.versioning_status}
    rules = _encryption_rules(bucket.encryption)
    if rules:
        actual["BucketEncryption"] = {"ServerSideEncryptionConfiguration": rules}
    return actual


def read_bucket_policy(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    bucket = _bucket(name, account_id, region_name)
    if bucket is None or not bucket.policy:
        return None
    return {"Bucket": bucket.name, "PolicyDocument": _json(bucket.policy)}


# --- DynamoDB --------------------------------------------------------------------------------------


def read_table(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        table = dynamodb_backends[account_id][region_name].get_table(name)
    except ResourceNotFoundException:
        return None
    pitr = table.continuous_backups.get("PointInTimeRecoveryDescription", {})
    actual: Properties = {
        "TableName": table.name,
        "BillingMode": table.billing_mode or "PROVISIONED",
        "KeySchema": table.schema,
        "AttributeDefinitions": table.attr,
        "DeletionProtectionEnabled": bool(table.deletion_protection_enabled),
        "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
        },
    }
    if actual["BillingMode"] == "PROVISIONED":
        actual["ProvisionedThroughput"] = {
            "ReadCapacityUnits": table.throughput.get("ReadCapacityUnits"),
            "WriteCapacityUnits": table.throughput.get("WriteCapacityUnits"),
        }
    stream = table.stream_specification or {}
    if stream.get("StreamEnabled"):
        actual["StreamSpecification"] = {"StreamViewType": stream.get("StreamViewType")}
    if table.ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        actual["TimeToLiveSpecification"] = {"AttributeName": table.ttl.get("AttributeName"), "Enabled": True}
    return actual


# --- SQS and SNS -----------------------------------------------------------------------------------

# CloudFormation property -> GetQueueAttributes name (the same words, except the JSON ones parsed).
_QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "DelaySeconds",
    "FifoQueue",
    "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
)


def read_queue(url: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    try:
        queue = sqs_backends[account_id][region_name].get_queue(name)
    except QueueDoesNotExist:
        return None
    attributes = queue.attributes
    actual: Properties = {"QueueName": queue.name}
    for key in _QUEUE_ATTRIBUTES:
        if key in attributes and attributes[key] is not None:
            actual[key] = _json(attributes[key]) if key == "RedrivePolicy" else attributes[key]
    return actual


def read_queue_policy(physical_id: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    """The policy is on the queues: those of the template that still hold one, and the policy of
    the first of them that differs from the template's (or of the first, when none does)."""
    backend = sqs_backends[account_id][region_name]
    held: list[tuple[str, Any]] = []
    for url in expected.get("Queues") or []:
        try:
            policy = backend.get_queue(str(url).rstrip("/").rsplit("/", 1)[-1]).attributes.get("Policy")
        except QueueDoesNotExist:
            continue
        if policy:
            held.append((url, _json(policy)))
    if not held:
        return None
    wanted = expected.get("PolicyDocument")
    shown = next((policy for _, policy in held if not equal(wanted, policy, Rules(), in_document=True)), held[0][1])
    return {"Queues": [url for url, _ in held], "PolicyDocument": shown}


def read_subscription(arn: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    region_name = expected.get("Region") or region_name
    subscription = sns_backends[account_id][region_name].subscriptions.get(arn)
    if subscription is None:
        return None
    attributes = subscription.attributes
    actual: Properties = {"TopicArn": subscription.topic_arn, "Endpoint": subscription.endpoint, "Protocol": subscription.protocol}
    for key in ("RawMessageDelivery", "FilterPolicyScope", "FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
        if attributes.get(key) not in (None, ""):
            actual[key] = _json(attributes[key]) if key.endswith("Policy") else attributes[key]
    return actual


def read_topic(arn: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    topic = sns_backends[account_id][region_name].topics.get(arn)
    if topic is None:
        return None
    return {
        "TopicName": topic.name,
        "DisplayName": topic.display_name,
        "KmsMasterKeyId": topic.kms_master_key_id,
        "FifoTopic": topic.fifo_topic,
        "ContentBasedDeduplication": topic.content_based_deduplication,
    }


# --- IAM -------------------------------------------------------------------------------------------


def read_role(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        role = iam_backends[account_id][get_partition(region_name)].get_role(name)
    except NotFoundException:
        return None
    return {
        "RoleName": role.name,
        "AssumeRolePolicyDocument": _json(role.assume_role_policy_document),
        "Policies": [{"PolicyName": policy, "PolicyDocument": _json(document)} for policy, document in role.policies.items()],
        "Path": role.path,
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
    }


def read_managed_policy(arn: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    backend = iam_backends[account_id][get_partition(region_name)]
    policy = backend.managed_policies.get(arn)
    if policy is None:
        return None
    document = next((version.document for version in policy.versions if version.is_default), None)
    return {
        "ManagedPolicyName": policy.name,
        "Description": policy.description,
        "Path": policy.path,
        "PolicyDocument": _json(document),
        "Roles": [role.name for role in backend.roles.values() if arn in role.managed_policies],
    }


def read_instance_profile(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        profile = iam_backends[account_id][get_partition(region_name)].get_instance_profile(name)
    except NotFoundException:
        return None
    return {"InstanceProfileName": profile.name, "Path": profile.path, "Roles": [role.name for role in profile.roles]}


def read_oidc_provider(arn: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        provider = iam_backends[account_id][get_partition(region_name)].get_open_id_connect_provider(arn)
    except NotFoundException:
        return None
    # IAM keeps the URL without its scheme; the template names it with https://.
    return {"Url": f"https://{provider.url}", "ClientIdList": list(provider.client_id_list), "ThumbprintList": list(provider.thumbprint_list)}


# --- Secrets Manager -------------------------------------------------------------------------------


def read_secret(arn: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    """The secret's settings; never its value (SecretString and GenerateSecretString are not read)."""
    secret = secretsmanager_backends[account_id][region_name].secrets.get(arn)
    if secret is None or getattr(secret, "deleted_date", None):
        return None
    return {"Name": secret.name, "Description": secret.description, "KmsKeyId": secret.kms_key_id}


# --- RDS -------------------------------------------------------------------------------------------


def read_db_cluster(identifier: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    cluster = rds_backends[account_id][region_name].clusters.get(identifier)
    if cluster is None:
        return None
    return {
        "DBClusterIdentifier": cluster.db_cluster_identifier,
        "Engine": cluster.engine,
        "EngineVersion": cluster.engine_version,
        "Port": cluster.port,
        "DatabaseName": cluster.database_name,
        "DBSubnetGroupName": cluster.db_subnet_group_name,
        "VpcSecurityGroupIds": list(cluster.vpc_security_group_ids or []),
        "StorageEncrypted": bool(cluster.storage_encrypted),
        "DeletionProtection": bool(cluster.deletion_protection),
        "BackupRetentionPeriod": cluster.backup_retention_period,
        "CopyTagsToSnapshot": bool(cluster.copy_tags_to_snapshot),
        "EnableCloudwatchLogsExports": list(cluster.enabled_cloudwatch_logs_exports or []),
        "ServerlessV2ScalingConfiguration": cluster.serverless_v2_scaling_configuration,
    }


def read_db_instance(identifier: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    instance = rds_backends[account_id][region_name].databases.get(identifier)
    if instance is None:
        return None
    return {
        "DBInstanceIdentifier": instance.db_instance_identifier,
        "DBInstanceClass": instance.db_instance_class,
        "Engine": instance.engine,
        "DBClusterIdentifier": instance.db_cluster_identifier,
        "PubliclyAccessible": bool(instance.publicly_accessible),
        "AutoMinorVersionUpgrade": bool(instance.auto_minor_version_upgrade),
        "MultiAZ": bool(instance.multi_az),
        "DeletionProtection": bool(instance.deletion_protection),
    }


def read_db_subnet_group(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    group = rds_backends[account_id][region_name].subnet_groups.get(name)
    if group is None:
        return None
    return {
        "DBSubnetGroupName": group.name,
        "DBSubnetGroupDescription": group.description,
        "SubnetIds": [subnet["SubnetIdentifier"] for subnet in group.subnets],
    }


# --- ElastiCache -----------------------------------------------------------------------------------


def read_replication_group(group_id: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    group = elasticache_backends[account_id][region_name].replication_groups.get(group_id)
    if group is None:
        return None
    return {
        "ReplicationGroupId": group.replication_group_id,
        "ReplicationGroupDescription": group.description,
        "Engine": group.engine,
        "EngineVersion": group.engine_version,
        "Port": group.port,
        "CacheNodeType": group.cache_node_type,
        "NumCacheClusters": len(group.member_clusters),
        "AutomaticFailoverEnabled": group.automatic_failover == "enabled",
        "MultiAZEnabled": group.multi_az == "enabled",
        "TransitEncryptionEnabled": bool(group.transit_encryption_enabled),
        "AtRestEncryptionEnabled": bool(group.at_rest_encryption_enabled),
        "KmsKeyId": group.kms_key_id,
        "CacheSubnetGroupName": group.cache_subnet_group_name,
        "SecurityGroupIds": list(group.security_group_ids or []),
        "SnapshotRetentionLimit": group.snapshot_retention_limit,
        "AutoMinorVersionUpgrade": group.auto_minor_version_upgrade,
    }


def read_cache_subnet_group(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    group = elasticache_backends[account_id][region_name].cache_subnet_groups.get(name)
    if group is None:
        return None
    return {
        "CacheSubnetGroupName": group.cache_subnet_group_name,
        "Description": group.cache_subnet_group_description,
        "SubnetIds": list(group.subnet_ids or []),
    }


# --- Lambda ----------------------------------------------------------------------------------------


def read_function(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        config = lambda_backends[account_id][region_name].get_function(name).get_configuration()
    except UnknownFunctionException:
        return None
    actual = {key: config.get(key) for key in ("FunctionName", "Description", "Handler", "MemorySize", "Role", "Runtime", "Timeout", "Architectures", "TracingConfig", "EphemeralStorage")}
    actual["KmsKeyArn"] = config.get("KMSKeyArn")
    actual["Environment"] = config.get("Environment") or {}
    return actual


# --- EC2 security groups ---------------------------------------------------------------------------

_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
_RULE_KEYS = (
    "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId",
    "DestinationSecurityGroupId", "DestinationPrefixListId", "Description",
)


def canonical_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as EC2 keeps it: protocol by name, no ports for "all traffic", ports as numbers."""
    kept = {key: rule[key] for key in _RULE_KEYS if rule.get(key) not in (None, "")}
    protocol = str(kept.get("IpProtocol", "-1")).lower()
    kept["IpProtocol"] = _PROTOCOLS.get(protocol, protocol)
    if kept["IpProtocol"] == "-1":
        kept.pop("FromPort", None)
        kept.pop("ToPort", None)
    for port in ("FromPort", "ToPort"):
        if port in kept:
            kept[port] = int(kept[port])
    return kept


def _ec2_rule(rule: Any, egress: bool) -> dict[str, Any]:
    group_key, prefix_key = ("DestinationSecurityGroupId", "DestinationPrefixListId") if egress else ("SourceSecurityGroupId", "SourcePrefixListId")
    source = rule.source_group or {}
    return canonical_rule({
        "IpProtocol": rule.ip_protocol,
        "FromPort": rule.from_port,
        "ToPort": rule.to_port,
        "CidrIp": rule.ip_range.get("CidrIp"),
        "CidrIpv6": rule.ip_range.get("CidrIpv6"),
        group_key: source.get("GroupId"),
        prefix_key: rule.prefix_list_id,
        "Description": rule.ip_range.get("Description") or source.get("Description"),
    })


def _normalise_group(properties: Properties) -> Properties:
    return {
        key: [canonical_rule(rule) for rule in value] if key in ("SecurityGroupIngress", "SecurityGroupEgress") and isinstance(value, list) else value
        for key, value in properties.items()
    }


def _group(group_id: str, account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name].get_security_group_from_id(group_id)


def read_security_group(group_id: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    group = _group(group_id, account_id, region_name)
    if group is None:
        return None
    return {
        "GroupDescription": group.description,
        "GroupName": group.name,
        "VpcId": group.vpc_id,
        "SecurityGroupIngress": [_ec2_rule(rule, egress=False) for rule in group.ingress_rules],
        "SecurityGroupEgress": [_ec2_rule(rule, egress=True) for rule in group.egress_rules],
    }


def read_security_group_ingress(physical_id: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    """A standalone ingress rule is there while its group holds a rule equal to it."""
    backend = ec2_backends[account_id][region_name]
    group = _group(expected["GroupId"], account_id, region_name) if expected.get("GroupId") else backend.get_security_group_from_name(expected.get("GroupName"))
    if group is None:
        return None
    wanted = canonical_rule(expected)
    if not any(_ec2_rule(rule, egress=False) == wanted for rule in group.ingress_rules):
        return None
    return {**wanted, "GroupId": group.id, **({"GroupName": group.name} if "GroupName" in expected else {})}


def read_vpc(vpc_id: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        vpc = ec2_backends[account_id][region_name].get_vpc(vpc_id)
    except InvalidVPCIdError:
        return None
    return {
        "CidrBlock": vpc.cidr_block,
        "EnableDnsSupport": str(vpc.enable_dns_support).lower() == "true",
        "EnableDnsHostnames": str(vpc.enable_dns_hostnames).lower() == "true",
        "InstanceTenancy": vpc.instance_tenancy,
    }


def read_subnet(subnet_id: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    try:
        subnet = ec2_backends[account_id][region_name].get_subnet(subnet_id)
    except InvalidSubnetIdError:
        return None
    return {
        "VpcId": subnet.vpc_id,
        "CidrBlock": subnet.cidr_block,
        "AvailabilityZone": subnet.availability_zone,
        "MapPublicIpOnLaunch": str(subnet.map_public_ip_on_launch).lower() == "true",
    }


# --- CloudWatch Logs -------------------------------------------------------------------------------


def read_log_group(name: str, account_id: str, region_name: str, expected: Properties) -> Properties | None:
    group = logs_backends[account_id][region_name].groups.get(name)
    if group is None:
        return None
    return {"LogGroupName": group.name, "RetentionInDays": group.retention_in_days, "KmsKeyId": group.kms_key_id}


# --- tags ------------------------------------------------------------------------------------------


def _pairs(tags: Any) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def bucket_tags(name: str, account_id: str, region_name: str) -> dict[str, str]:
    return _pairs(s3_backends[account_id][get_partition(region_name)].get_bucket_tagging(name).get("Tags"))


def table_tags(name: str, account_id: str, region_name: str) -> dict[str, str]:
    return _pairs(dynamodb_backends[account_id][region_name].get_table(name).tags)


def queue_tags(url: str, account_id: str, region_name: str) -> dict[str, str]:
    return dict(sqs_backends[account_id][region_name].get_queue(url.rstrip("/").rsplit("/", 1)[-1]).tags)


def role_tags(name: str, account_id: str, region_name: str) -> dict[str, str]:
    return _pairs(iam_backends[account_id][get_partition(region_name)].get_role(name).tags)


def ec2_tags(resource_id: str, account_id: str, region_name: str) -> dict[str, str]:
    found = ec2_backends[account_id][region_name].describe_tags(filters={"resource-id": [resource_id]})
    return {tag["key"]: tag["value"] for tag in found}


def log_group_tags(name: str, account_id: str, region_name: str) -> dict[str, str]:
    backend = logs_backends[account_id][region_name]
    return dict(backend.list_tags_for_resource(backend.groups[name].arn))


# --- the table -------------------------------------------------------------------------------------

_POLICY = frozenset({"/PolicyDocument"})

TYPES: dict[str, DriftType] = {
    "AWS::S3::Bucket": DriftType(read_bucket, frozenset({"BucketName", "VersioningConfiguration", "BucketEncryption"}), tags=bucket_tags),
    "AWS::S3::BucketPolicy": DriftType(read_bucket_policy, frozenset({"Bucket", "PolicyDocument"}), Rules(documents=_POLICY)),
    "AWS::DynamoDB::Table": DriftType(
        read_table,
        frozenset({
            "TableName", "BillingMode", "KeySchema", "AttributeDefinitions", "DeletionProtectionEnabled",
            "PointInTimeRecoverySpecification", "ProvisionedThroughput", "StreamSpecification", "TimeToLiveSpecification",
        }),
        Rules(unordered=frozenset({"/AttributeDefinitions"})),
        tags=table_tags,
    ),
    "AWS::SQS::Queue": DriftType(
        read_queue, frozenset({"QueueName", *_QUEUE_ATTRIBUTES}), Rules(documents=frozenset({"/RedrivePolicy"})), tags=queue_tags
    ),
    "AWS::SQS::QueuePolicy": DriftType(read_queue_policy, frozenset({"Queues", "PolicyDocument"}), Rules(unordered=frozenset({"/Queues"}), documents=_POLICY)),
    "AWS::SNS::Subscription": DriftType(
        read_subscription,
        frozenset({"TopicArn", "Endpoint", "Protocol", "RawMessageDelivery", "FilterPolicyScope", "FilterPolicy", "RedrivePolicy", "DeliveryPolicy"}),
        Rules(documents=frozenset({"/FilterPolicy", "/RedrivePolicy", "/DeliveryPolicy"})),
    ),
    "AWS::SNS::Topic": DriftType(read_topic, frozenset({"TopicName", "DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication"})),
    "AWS::IAM::Role": DriftType(
        read_role,
        # Not ManagedPolicyArns: moto neither attaches them nor holds the AWS managed policies.
        frozenset({"RoleName", "AssumeRolePolicyDocument", "Policies", "Path", "Description", "MaxSessionDuration"}),
        Rules(
            keyed={"/Policies": "PolicyName"},
            documents=frozenset({"/AssumeRolePolicyDocument", "/Policies/*/PolicyDocument"}),
        ),
        tags=role_tags,
    ),
    "AWS::IAM::ManagedPolicy": DriftType(
        read_managed_policy,
        frozenset({"ManagedPolicyName", "Description", "Path", "PolicyDocument", "Roles"}),
        Rules(unordered=frozenset({"/Roles"}), documents=_POLICY),
    ),
    "AWS::IAM::InstanceProfile": DriftType(
        read_instance_profile, frozenset({"InstanceProfileName", "Path", "Roles"}), Rules(unordered=frozenset({"/Roles"}))
    ),
    "AWS::IAM::OIDCProvider": DriftType(
        read_oidc_provider, frozenset({"Url", "ClientIdList", "ThumbprintList"}),
        Rules(unordered=frozenset({"/ClientIdList", "/ThumbprintList"})),
    ),
    "AWS::SecretsManager::Secret": DriftType(read_secret, frozenset({"Name", "Description", "KmsKeyId"})),
    "AWS::RDS::DBInstance": DriftType(
        read_db_instance,
        frozenset({
            "DBInstanceIdentifier", "DBInstanceClass", "Engine", "DBClusterIdentifier", "PubliclyAccessible", "AutoMinorVersionUpgrade",
            "MultiAZ", "DeletionProtection",
        }),
    ),
    "AWS::RDS::DBSubnetGroup": DriftType(
        read_db_subnet_group, frozenset({"DBSubnetGroupName", "DBSubnetGroupDescription", "SubnetIds"}),
        Rules(unordered=frozenset({"/SubnetIds"})),
    ),
    "AWS::ElastiCache::SubnetGroup": DriftType(
        read_cache_subnet_group, frozenset({"CacheSubnetGroupName", "Description", "SubnetIds"}),
        Rules(unordered=frozenset({"/SubnetIds"})),
    ),
    "AWS::EC2::VPC": DriftType(read_vpc, frozenset({"CidrBlock", "EnableDnsSupport", "EnableDnsHostnames", "InstanceTenancy"}), tags=ec2_tags),
    "AWS::EC2::Subnet": DriftType(read_subnet, frozenset({"VpcId", "CidrBlock", "AvailabilityZone", "MapPublicIpOnLaunch"}), tags=ec2_tags),
    "AWS::RDS::DBCluster": DriftType(
        read_db_cluster,
        # Never MasterUsername or MasterUserPassword: secrets, and not what the service reports.
        frozenset({
            "DBClusterIdentifier", "Engine", "EngineVersion", "Port", "DatabaseName", "DBSubnetGroupName", "VpcSecurityGroupIds",
            "StorageEncrypted", "DeletionProtection", "BackupRetentionPeriod", "CopyTagsToSnapshot", "EnableCloudwatchLogsExports",
            "ServerlessV2ScalingConfiguration",
        }),
        Rules(unordered=frozenset({"/VpcSecurityGroupIds", "/EnableCloudwatchLogsExports"})),
    ),
    "AWS::ElastiCache::ReplicationGroup": DriftType(
        read_replication_group,
        # Never AuthToken: a secret, and not what the service reports.
        frozenset({
            "ReplicationGroupId", "ReplicationGroupDescription", "Engine", "EngineVersion", "Port", "CacheNodeType", "NumCacheClusters",
            "AutomaticFailoverEnabled", "MultiAZEnabled", "TransitEncryptionEnabled", "AtRestEncryptionEnabled", "KmsKeyId",
            "CacheSubnetGroupName", "SecurityGroupIds", "SnapshotRetentionLimit", "AutoMinorVersionUpgrade",
        }),
        Rules(unordered=frozenset({"/SecurityGroupIds"})),
    ),
    "AWS::Lambda::Function": DriftType(
        read_function,
        frozenset({
            "FunctionName", "Description", "Handler", "MemorySize", "Role", "Runtime", "Timeout", "Architectures",
            "TracingConfig", "EphemeralStorage", "KmsKeyArn", "Environment",
        }),
        Rules(unordered=frozenset({"/Architectures"})),
    ),
    "AWS::EC2::SecurityGroup": DriftType(
        read_security_group,
        frozenset({"GroupDescription", "GroupName", "VpcId", "SecurityGroupIngress", "SecurityGroupEgress"}),
        Rules(unordered=frozenset({"/SecurityGroupIngress", "/SecurityGroupEgress"})),
        _normalise_group,
        tags=ec2_tags,
    ),
    "AWS::EC2::SecurityGroupIngress": DriftType(
        read_security_group_ingress,
        frozenset({"GroupId", "GroupName", *_RULE_KEYS}),
        normalise=lambda properties: {**properties, **canonical_rule(properties)},
    ),
    "AWS::Logs::LogGroup": DriftType(read_log_group, frozenset({"LogGroupName", "RetentionInDays", "KmsKeyId"}), tags=log_group_tags),
}
