"""AWS::EC2::SecurityGroupIngress, Instance, VPCEndpoint and LaunchTemplate as CloudFormation manages
them.

moto 5.2 models these types, but:

- its SecurityGroupIngress has no physical id, keeps the rule when the stack deletes it or an
  update changes it, and drops a rule's Description unless the rule is a CIDR. The create here
  keeps the rule's id (`sgr-…`, CloudFormation's Ref) as the physical id, passes Description and
  SourcePrefixListId on, an update replaces the rule (its properties are create-only but the
  Description) and a delete revokes it.
- its Instance reads `SecurityGroups` (EC2-Classic names) as ids and ignores `SecurityGroupIds`
  and `LaunchTemplate`, so an instance in a VPC was launched with no security group; it has no
  update (a stack update lost the instance from the stack, which then left it running when
  deleted). The create here passes all three on to RunInstances; an update changes the instance
  type, security groups, tags and instance profile in place, and replaces the instance for a new
  image, subnet, key or launch template, as CloudFormation does.
- its VPCEndpoint keeps a template's PolicyDocument as a mapping where EC2 keeps JSON text, has no
  update (new subnets or security groups were ignored) and no delete (the endpoint outlived its
  stack). Here the update modifies the endpoint (a new VpcId, ServiceName or VpcEndpointType
  replaces it) and the delete deletes it.
- its LaunchTemplate update adds a version but leaves the first one the default, and a new
  LaunchTemplateName (create-only) just adds a version to the old template. Here the new version
  becomes the default, as CloudFormation makes it, and a new name replaces the template.

Everything goes through moto's own EC2 backend.
"""

import contextlib
from typing import Any

from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import ec2_backends
from moto.ec2.models.instances import Instance
from moto.ec2.models.launch_templates import LaunchTemplate
from moto.ec2.models.security_groups import SecurityGroupIngress
from moto.ec2.models.vpcs import VPCEndPoint

from ._common import json_text, replace_resource

# --- AWS::EC2::SecurityGroupIngress ------------------------------------------------------------


def _described(entry: dict[str, Any], description: str | None) -> dict[str, Any]:
    return {**entry, "Description": description} if description else entry


def _create_ingress(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                    **kwargs: Any) -> SecurityGroupIngress:
    props = cloudformation_json["Properties"]
    backend = ec2_backends[account_id][region_name]
    group_id = props.get("GroupId") or backend.describe_security_groups(groupnames=[props["GroupName"]])[0].id
    description = props.get("Description")
    ip_ranges = [_described({key: props[key]}, description) for key in ("CidrIp", "CidrIpv6") if props.get(key)]
    source_groups = []
    if props.get("SourceSecurityGroupId") or props.get("SourceSecurityGroupName"):
        source = {"GroupId": props.get("SourceSecurityGroupId"), "GroupName": props.get("SourceSecurityGroupName"),
                  "UserId": props.get("SourceSecurityGroupOwnerId")}
        source_groups.append(_described({k: v for k, v in source.items() if v}, description))
    prefix_lists = [_described({"PrefixListId": props["SourcePrefixListId"]}, description)] if props.get("SourcePrefixListId") else []
    # Protocol -1 (all traffic) has no ports, whatever the template says.
    all_traffic = str(props["IpProtocol"]) == "-1"
    rules, group = backend.authorize_security_group_ingress(
        group_name_or_id=group_id,
        ip_protocol=str(props["IpProtocol"]),
        from_port=None if all_traffic else props.get("FromPort"),  # type: ignore[arg-type]
        to_port=None if all_traffic else props.get("ToPort"),  # type: ignore[arg-type]
        ip_ranges=ip_ranges,
        source_groups=source_groups,
        prefix_list_ids=prefix_lists,
    )
    ingress = cls(group, props)
    ingress.rule_id = rules[0].id  # type: ignore[attr-defined]
    return ingress


def _update_ingress(cls: type, original_resource: SecurityGroupIngress, new_resource_name: str, cloudformation_json: dict[str, Any],
                    account_id: str, region_name: str) -> SecurityGroupIngress:
    if original_resource.properties == cloudformation_json["Properties"]:
        return original_resource
    # The old rule goes first: EC2 refuses a second rule with the same permission (a new Description).
    original_resource.delete(account_id, region_name)
    return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)


def _delete_ingress(self: SecurityGroupIngress, account_id: str, region_name: str) -> None:
    group = self.security_group
    rule_id = getattr(self, "rule_id", None)
    if not any(rule.id == rule_id for rule in group.ingress_rules):
        return  # revoked already
    with contextlib.suppress(EC2ClientError):  # the group went first (moto deletes in any order)
        ec2_backends[account_id][region_name].revoke_security_group_ingress(
            group.id, None, None, None, [], security_rule_ids=[rule_id]  # type: ignore[arg-type,list-item]
        )


SecurityGroupIngress.create_from_cloudformation_json = classmethod(_create_ingress)  # type: ignore[method-assign,assignment]
SecurityGroupIngress.update_from_cloudformation_json = classmethod(_update_ingress)  # type: ignore[method-assign,assignment]
SecurityGroupIngress.delete = _delete_ingress  # type: ignore[attr-defined]
SecurityGroupIngress.physical_resource_id = property(lambda self: getattr(self, "rule_id", None))  # type: ignore[attr-defined]


# --- AWS::EC2::Instance ------------------------------------------------------------------------


def _create_instance(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                     **kwargs: Any) -> Instance:
    props = cloudformation_json["Properties"]
    backend = ec2_backends[account_id][region_name]
    options: dict[str, Any] = {}
    if props.get("LaunchTemplate"):
        options["launch_template"] = {k: v for k, v in props["LaunchTemplate"].items() if k in ("LaunchTemplateId", "LaunchTemplateName", "Version")}
    reservation = backend.run_instances(
        image_id=props.get("ImageId"),  # type: ignore[arg-type]
        count=1,
        user_data=props.get("UserData"),
        security_group_names=props.get("SecurityGroups", []),
        security_group_ids=props.get("SecurityGroupIds", []),
        instance_type=props.get("InstanceType", "m1.small"),
        is_instance_type_default=not props.get("InstanceType"),
        subnet_id=props.get("SubnetId"),
        key_name=props.get("KeyName"),
        private_ip=props.get("PrivateIpAddress"),
        block_device_mappings=props.get("BlockDeviceMappings", {}),
        **options,
    )
    instance = reservation.instances[0]
    for tag in props.get("Tags", []):
        instance.add_tag(tag["Key"], tag["Value"])
    if props.get("IamInstanceProfile"):
        backend.associate_iam_instance_profile(instance_id=instance.id, iam_instance_profile_name=props["IamInstanceProfile"])
    instance.cfn_properties = props  # type: ignore[attr-defined]
    return instance


# What CloudFormation cannot change on a running instance: a new value replaces it.
_INSTANCE_REPLACING = ("ImageId", "SubnetId", "KeyName", "AvailabilityZone", "PrivateIpAddress", "LaunchTemplate",
                       "NetworkInterfaces", "SecurityGroups", "Tenancy")


def _update_instance(cls: type, original_resource: Instance, new_resource_name: str, cloudformation_json: dict[str, Any],
                     account_id: str, region_name: str) -> Instance:
    props = cloudformation_json["Properties"]
    instance = original_resource
    old = getattr(instance, "cfn_properties", {})
    if any(old.get(key) != props.get(key) for key in _INSTANCE_REPLACING):
        return replace_resource(cls, instance, new_resource_name, cloudformation_json, account_id, region_name)
    backend = ec2_backends[account_id][region_name]
    if props.get("InstanceType") and props["InstanceType"] != instance.instance_type:
        backend.modify_instance_attribute(instance.id, "instance_type", props["InstanceType"])
    if props.get("SecurityGroupIds") and props["SecurityGroupIds"] != old.get("SecurityGroupIds"):
        backend.modify_instance_security_groups(instance.id, props["SecurityGroupIds"])
    wanted = {tag["Key"]: tag["Value"] for tag in props.get("Tags") or []}
    stale = {tag["Key"]: None for tag in old.get("Tags") or [] if tag["Key"] not in wanted}
    if stale:
        backend.delete_tags([instance.id], stale)  # type: ignore[arg-type]
    if wanted:
        backend.create_tags([instance.id], wanted)
    if props.get("IamInstanceProfile") != old.get("IamInstanceProfile"):
        association = backend.iam_instance_profile_associations.get(instance.id)
        if association is not None:
            backend.disassociate_iam_instance_profile(association.association_id)
        if props.get("IamInstanceProfile"):
            backend.associate_iam_instance_profile(instance_id=instance.id, iam_instance_profile_name=props["IamInstanceProfile"])
    instance.cfn_properties = props  # type: ignore[attr-defined]
    return instance


Instance.create_from_cloudformation_json = classmethod(_create_instance)  # type: ignore[method-assign,assignment]
Instance.update_from_cloudformation_json = classmethod(_update_instance)  # type: ignore[method-assign,assignment]


# --- AWS::EC2::VPCEndpoint ---------------------------------------------------------------------

_moto_create_endpoint = VPCEndPoint.create_from_cloudformation_json  # bound to VPCEndPoint
_ENDPOINT_REPLACING = ("VpcId", "ServiceName", "VpcEndpointType")


def _create_endpoint(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                     **kwargs: Any) -> VPCEndPoint:
    props = dict(cloudformation_json["Properties"])
    if props.get("PolicyDocument") is not None:
        props["PolicyDocument"] = json_text(props["PolicyDocument"])  # EC2 keeps the policy as JSON text
    endpoint = _moto_create_endpoint(resource_name, {**cloudformation_json, "Properties": props}, account_id, region_name, **kwargs)
    endpoint.cfn_properties = cloudformation_json["Properties"]  # type: ignore[attr-defined]
    return endpoint


def _update_endpoint(cls: type, original_resource: VPCEndPoint, new_resource_name: str, cloudformation_json: dict[str, Any],
                     account_id: str, region_name: str) -> VPCEndPoint:
    props = cloudformation_json["Properties"]
    endpoint = original_resource
    old = getattr(endpoint, "cfn_properties", {})
    if any(old.get(key) != props.get(key) for key in _ENDPOINT_REPLACING):
        return replace_resource(cls, endpoint, new_resource_name, cloudformation_json, account_id, region_name)

    def diff(key: str) -> tuple[list[str], list[str]]:
        wanted, have = set(props.get(key) or []), set(old.get(key) or [])
        return sorted(wanted - have), sorted(have - wanted)

    (add_subnets, remove_subnets), (add_tables, remove_tables), (add_groups, remove_groups) = (
        diff("SubnetIds"), diff("RouteTableIds"), diff("SecurityGroupIds"))
    ec2_backends[account_id][region_name].modify_vpc_endpoint(
        endpoint.id,
        json_text(props["PolicyDocument"]) if props.get("PolicyDocument") is not None else None,  # type: ignore[arg-type]
        add_subnets, remove_subnets, remove_tables, add_tables, add_groups, remove_groups,
    )
    endpoint.cfn_properties = props  # type: ignore[attr-defined]
    return endpoint


def _delete_endpoint(self: VPCEndPoint, account_id: str, region_name: str) -> None:
    ec2_backends[account_id][region_name].delete_vpc_endpoints([self.id])


VPCEndPoint.create_from_cloudformation_json = classmethod(_create_endpoint)  # type: ignore[method-assign,assignment]
VPCEndPoint.update_from_cloudformation_json = classmethod(_update_endpoint)  # type: ignore[method-assign,assignment]
VPCEndPoint.delete = _delete_endpoint  # type: ignore[method-assign,attr-defined]


# --- AWS::EC2::LaunchTemplate ------------------------------------------------------------------

_moto_update_template = LaunchTemplate.update_from_cloudformation_json  # bound to LaunchTemplate


def _update_template(cls: type, original_resource: LaunchTemplate, new_resource_name: str, cloudformation_json: dict[str, Any],
                     account_id: str, region_name: str) -> LaunchTemplate:
    props = cloudformation_json["Properties"]
    if props.get("LaunchTemplateName", original_resource.name) != original_resource.name:
        # LaunchTemplateName is create-only: a new template, then the old one goes.
        return replace_resource(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    template = _moto_update_template(original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    # CloudFormation makes the new version the default one: instances launched from the template
    # without a version (Batch's `$Default`) get the new data.
    template.default_version_number = template.latest_version_number
    return template


LaunchTemplate.update_from_cloudformation_json = classmethod(_update_template)  # type: ignore[method-assign,assignment]
