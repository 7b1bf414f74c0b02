"""AWS::Route53::HostedZone as CloudFormation manages it, for moto's CloudFormation.

moto 5.2 models the type for create only, and its create reads nothing but the name: a private
zone (`VPCs`) was made public, `HostedZoneConfig.Comment` and `HostedZoneTags` were dropped. A
stack update (a new comment, VPC or tag) is reported complete and changes nothing; a stack delete
leaves the zone behind.

Here the create passes the comment, the first VPC (as CreateHostedZone does; the others are
associated after) and the tags on to Route 53; an update sets the comment, associates and
disassociates VPCs and tags to match (a new Name replaces the zone, as in CloudFormation); a delete
deletes the zone, which Route 53 refuses while it holds records other than its NS and SOA. All
through moto's own Route 53 backend.

Names: Route 53 holds a zone's name fully qualified (`example.org.`) and finds a zone by name
whatever its case and trailing dot; moto kept the template's spelling and compared names exactly,
so a record naming its zone `example.org.` (AWS::Route53::RecordSet's HostedZoneName) missed a
zone created as `example.org`. Zones made here are named with the dot, and the backend's lookup by
name compares as Route 53 does.
"""

from typing import Any

from moto.route53.models import FakeZone, Route53Backend, route53_backends
from moto.utilities.utils import get_partition

from ._common import replace_resource


def _qualified(name: str) -> str:
    return name if name.endswith(".") else f"{name}."


def _backend(account_id: str, region_name: str) -> Any:
    return route53_backends[account_id][get_partition(region_name)]


def _vpcs(props: dict[str, Any]) -> dict[str, str]:
    return {vpc["VPCId"]: vpc["VPCRegion"] for vpc in props.get("VPCs") or []}


def _apply(backend: Any, zone: FakeZone, props: dict[str, Any], old: dict[str, Any]) -> None:
    backend.update_hosted_zone_comment(zone.resource_id, (props.get("HostedZoneConfig") or {}).get("Comment", ""))
    wanted, have = _vpcs(props), {vpc["vpc_id"]: vpc.get("vpc_region") for vpc in zone.vpcs}
    for vpc_id, region in wanted.items():
        if vpc_id not in have:
            backend.associate_vpc_with_hosted_zone(zone.resource_id, vpc_id, region)
    for vpc_id in have.keys() - wanted.keys():
        backend.disassociate_vpc_from_hosted_zone(zone.resource_id, vpc_id)
    tags = {tag["Key"]: tag["Value"] for tag in props.get("HostedZoneTags") or []}
    stale = [tag["Key"] for tag in old.get("HostedZoneTags") or [] if tag["Key"] not in tags]
    backend.change_tags_for_resource("hostedzone", zone.resource_id, [{"Key": k, "Value": v} for k, v in tags.items()], stale)


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
            **kwargs: Any) -> FakeZone:
    props = cloudformation_json["Properties"]
    backend = _backend(account_id, region_name)
    vpcs = list(_vpcs(props).items())
    zone = backend.create_hosted_zone(
        _qualified(props.get("Name", resource_name)),
        private_zone=bool(vpcs),
        vpcid=vpcs[0][0] if vpcs else None,
        vpcregion=vpcs[0][1] if vpcs else None,
        comment=(props.get("HostedZoneConfig") or {}).get("Comment"),
    )
    _apply(backend, zone, props, {})
    zone.cfn_properties = props  # type: ignore[attr-defined]
    return zone


def _update(cls: type, original_resource: FakeZone, new_resource_name: str, cloudformation_json: dict[str, Any],
            account_id: str, region_name: str) -> FakeZone:
    props = cloudformation_json["Properties"]
    zone = original_resource
    old = getattr(zone, "cfn_properties", {})
    if props.get("Name") != old.get("Name"):
        return replace_resource(cls, zone, new_resource_name, cloudformation_json, account_id, region_name)
    _apply(_backend(account_id, region_name), zone, props, old)
    zone.cfn_properties = props  # type: ignore[attr-defined]
    return zone


def _delete(self: FakeZone, account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    if self.resource_id in backend.zones:
        backend.delete_hosted_zone(self.resource_id)


def _get_hosted_zone_by_name(self: Route53Backend, name: str) -> FakeZone | None:
    wanted = _qualified(name.lower())
    return next((zone for zone in self.zones.values() if _qualified(zone.name.lower()) == wanted), None)


Route53Backend.get_hosted_zone_by_name = _get_hosted_zone_by_name  # type: ignore[method-assign]
FakeZone.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
FakeZone.update_from_cloudformation_json = classmethod(_update)  # type: ignore[method-assign,assignment]
FakeZone.delete = _delete  # type: ignore[attr-defined]
