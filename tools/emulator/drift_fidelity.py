"""Make moto 5.2 apply the template properties that drift detection compares (drift_detection.py),
where its CloudFormation models drop them. Without this, a stack just deployed would show drift for
settings CloudFormation would have applied, and drift detection would report the emulator's gaps
as changes made out of band.

- AWS::S3::Bucket: moto ignores VersioningConfiguration, and BucketKeyEnabled inside
  BucketEncryption. Both are applied after moto's own create and update, through its S3 backend.
- AWS::EC2::SecurityGroup: moto drops each rule's Description, CidrIpv6, prefix lists and
  SecurityGroupEgress (the group keeps EC2's default allow-all egress), and fails on a rule for
  all protocols without ports. moto's create now makes the group with no inline rules, and the
  rules are authorised here as CloudFormation does: a template's egress rules replace the default.
- AWS::IAM::Role: moto's update changes only the description (and reads MaxSessionDuration from
  the wrong property), so a stack update of the trust policy or the inline policies left the role
  as it was. The update applies them, removing inline policies the template no longer has.
  (ManagedPolicyArns stay unapplied: moto holds no AWS managed policies to attach; drift detection
  does not compare them.)
- AWS::EC2::VPC: moto's create ignores EnableDnsSupport and EnableDnsHostnames; they are set
  after it, as ModifyVpcAttribute would.
- SQS: SetQueueAttributes without a Policy clears the queue's policy in moto (SQS keeps it), so
  changing a queue's VisibilityTimeout made its stack's AWS::SQS::QueuePolicy look deleted. The
  policy now stays unless the call sets it.
- AWS::Lambda::Function: moto's create drops Architectures, TracingConfig, EphemeralStorage and
  KmsKeyArn (an arm64 function became x86_64); they are set after its create and update (the
  update of extensions/awslambda.py, which this module wraps, so it imports that package first).
"""

import copy
import json
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.vpcs import VPC
from moto.iam.models import Role, iam_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.sqs.models import Queue
from moto.utilities.utils import get_partition

import extensions  # noqa: F401 - its patches first: the Lambda update wrapped here is extensions/awslambda.py's
from drift_properties import canonical_rule

# --- S3 buckets ------------------------------------------------------------------------------------

_moto_create_bucket = FakeBucket.create_from_cloudformation_json
_moto_update_bucket = FakeBucket.update_from_cloudformation_json


def _apply_bucket_settings(bucket: Any, properties: dict[str, Any], account_id: str, region_name: str) -> None:
    backend = s3_backends[account_id][get_partition(region_name)]
    status = (properties.get("VersioningConfiguration") or {}).get("Status")
    if status:
        backend.put_bucket_versioning(bucket.name, status)
    rules = (properties.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or []
    if rules:
        # The shape PutBucketEncryption stores (its XML, parsed): one rule is a mapping.
        converted = [
            {
                "ApplyServerSideEncryptionByDefault": dict(rule.get("ServerSideEncryptionByDefault") or {}),
                **({"BucketKeyEnabled": str(rule["BucketKeyEnabled"]).lower()} if "BucketKeyEnabled" in rule else {}),
            }
            for rule in rules
        ]
        backend.put_bucket_encryption(bucket.name, {"Rule": converted[0] if len(converted) == 1 else converted})


def _create_bucket(cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
    bucket = _moto_create_bucket(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    _apply_bucket_settings(bucket, cloudformation_json.get("Properties", {}), account_id, region_name)
    return bucket


def _update_bucket(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str) -> Any:
    bucket = _moto_update_bucket(original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    _apply_bucket_settings(bucket, cloudformation_json.get("Properties", {}), account_id, region_name)
    return bucket


FakeBucket.create_from_cloudformation_json = classmethod(_create_bucket)  # type: ignore[method-assign,assignment]
FakeBucket.update_from_cloudformation_json = classmethod(_update_bucket)  # type: ignore[method-assign,assignment]


# --- SQS queues ------------------------------------------------------------------------------------

_moto_set_queue_attributes = Queue._set_attributes


def _set_queue_attributes(self: Queue, attributes: dict[str, Any], *args: Any, **kwargs: Any) -> None:
    policy = getattr(self, "policy", None)  # not there yet while the queue is being created
    _moto_set_queue_attributes(self, attributes, *args, **kwargs)
    if "Policy" not in attributes and policy is not None:
        self.policy = policy


Queue._set_attributes = _set_queue_attributes  # type: ignore[method-assign]


# --- EC2 security groups ---------------------------------------------------------------------------

_moto_create_group = SecurityGroup.create_from_cloudformation_json


def _authorise(backend: Any, group: Any, rule: dict[str, Any], egress: bool) -> None:
    kept = canonical_rule(rule)
    description = {"Description": kept["Description"]} if "Description" in kept else {}
    ranges = [{key: kept[key], **description} for key in ("CidrIp", "CidrIpv6") if key in kept]
    group_key, prefix_key = ("DestinationSecurityGroupId", "DestinationPrefixListId") if egress else ("SourceSecurityGroupId", "SourcePrefixListId")
    groups = [{"GroupId": kept[group_key], **description}] if group_key in kept else []
    if not egress and rule.get("SourceSecurityGroupName"):
        groups.append({"GroupName": rule["SourceSecurityGroupName"], **description})
    prefixes = [{"PrefixListId": kept[prefix_key], **description}] if prefix_key in kept else []
    authorise = backend.authorize_security_group_egress if egress else backend.authorize_security_group_ingress
    authorise(
        group_name_or_id=group.id,
        ip_protocol=kept["IpProtocol"],
        from_port=kept.get("FromPort"),
        to_port=kept.get("ToPort"),
        ip_ranges=ranges,
        source_groups=groups,
        prefix_list_ids=prefixes,
        vpc_id=group.vpc_id,
    )


def _create_group(cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
    without_rules = copy.deepcopy(cloudformation_json)
    properties = without_rules.get("Properties", {})
    ingress = properties.pop("SecurityGroupIngress", None) or []
    egress = properties.pop("SecurityGroupEgress", None)
    group = _moto_create_group(resource_name, without_rules, account_id, region_name, **kwargs)
    backend = ec2_backends[account_id][region_name]
    for rule in ingress:
        _authorise(backend, group, rule, egress=False)
    if egress is not None:
        defaults = [rule.id for rule in group.egress_rules]
        if defaults:
            backend.revoke_security_group_egress(group.id, None, None, None, [], security_rule_ids=defaults)
        for rule in egress:
            _authorise(backend, group, rule, egress=True)
    return group


SecurityGroup.create_from_cloudformation_json = classmethod(_create_group)  # type: ignore[method-assign,assignment]


# --- EC2 VPCs --------------------------------------------------------------------------------------

_moto_create_vpc = VPC.create_from_cloudformation_json


def _create_vpc(cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Any:
    vpc = _moto_create_vpc(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    properties = cloudformation_json.get("Properties", {})
    for key, attribute in (("EnableDnsSupport", "enable_dns_support"), ("EnableDnsHostnames", "enable_dns_hostnames")):
        if key in properties:
            # A template literal arrives as a bool, a parameter as "true"; EC2 keeps a bool.
            value = str(properties[key]).lower() == "true"
            ec2_backends[account_id][region_name].modify_vpc_attribute(vpc.id, attribute, value)
    return vpc


VPC.create_from_cloudformation_json = classmethod(_create_vpc)  # type: ignore[method-assign,assignment]


# --- IAM roles -------------------------------------------------------------------------------------


_moto_create_role = Role.create_from_cloudformation_json


def _text(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _update_role(cls: type, original_resource: Role, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str) -> Role:
    properties = cloudformation_json["Properties"]
    backend = iam_backends[account_id][get_partition(region_name)]
    role = original_resource
    if properties.get("RoleName", role.name) != role.name:
        # A new name replaces the role: the new one first, then the old one, as CloudFormation does.
        new_role = _create_role(cls, properties["RoleName"], cloudformation_json, account_id, region_name)
        Role.delete_from_cloudformation_json(role.name, cloudformation_json, account_id, region_name)
        return new_role
    backend.update_role(role.name, properties.get("Description", ""), properties.get("MaxSessionDuration", 3600))
    # Stored as moto's create stores them, on the role itself: IAM's API path would also run moto's
    # policy validator, which refuses documents without a Version that the create path accepted.
    role.assume_role_policy_document = _text(properties["AssumeRolePolicyDocument"])
    wanted = {policy["PolicyName"]: _text(policy["PolicyDocument"]) for policy in properties.get("Policies") or []}
    # Only the policies the stack put there go: one put on the role outside the stack stays.
    for name in getattr(role, "_stack_policies", set()) - set(wanted):
        if name in role.policies:
            role.delete_policy(name)
    for name, document in wanted.items():
        role.put_policy(name, document)
    role._stack_policies = set(wanted)  # type: ignore[attr-defined]
    return role


def _create_role(cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> Role:
    role = _moto_create_role(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    role._stack_policies = {policy["PolicyName"] for policy in cloudformation_json["Properties"].get("Policies") or []}  # type: ignore[attr-defined]
    return role


Role.create_from_cloudformation_json = classmethod(_create_role)  # type: ignore[method-assign,assignment]
Role.update_from_cloudformation_json = classmethod(_update_role)  # type: ignore[method-assign,assignment]


# --- Lambda functions ------------------------------------------------------------------------------

_create_function = LambdaFunction.create_from_cloudformation_json
_update_function = LambdaFunction.update_from_cloudformation_json


def _apply_function_settings(function: LambdaFunction, properties: dict[str, Any]) -> LambdaFunction:
    # The template is the whole configuration: what it does not declare is Lambda's default.
    function.architectures = list(properties.get("Architectures") or ["x86_64"])
    function.tracing_config = {"Mode": (properties.get("TracingConfig") or {}).get("Mode", "PassThrough")}
    function.ephemeral_storage = int((properties.get("EphemeralStorage") or {}).get("Size", 512))
    function.kms_key_arn = properties.get("KmsKeyArn")
    return function


def _create_function_with_settings(cls: type, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any) -> LambdaFunction:
    function = _create_function(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    return _apply_function_settings(function, cloudformation_json["Properties"])


def _update_function_with_settings(
    cls: type, original_resource: LambdaFunction, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
) -> LambdaFunction:
    function = _update_function(original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    return _apply_function_settings(function, cloudformation_json["Properties"])


LambdaFunction.create_from_cloudformation_json = classmethod(_create_function_with_settings)  # type: ignore[method-assign,assignment]
LambdaFunction.update_from_cloudformation_json = classmethod(_update_function_with_settings)  # type: ignore[method-assign,assignment]
