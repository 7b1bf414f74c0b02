"""AWS::Route53::RecordSet creation as CloudFormation does it: never a second record of a name.

moto 5.2 models the type, but its create appends the record to the hosted zone whatever the zone
holds: a stack that declares a record that exists leaves two records of the same name and type,
which Route 53 never holds. CloudFormation asks Route 53 to CREATE the record, which fails when it
exists; it then reads the record and, when it is identical to the one declared (the same alias
target, or the same TTL and values), takes it over instead of failing
(aws-cloudformation/cloudformation-coverage-roadmap#560). Otherwise the resource fails with Route
53's reason and the stack rolls back. A record beside a CNAME of the same name fails the same way.

biomage's DNS step relies on that take-over (it writes the record exactly as the stack declares
it, then deploys the stack), so this wraps moto's create with CloudFormation's behaviour, through
moto's own Route 53 backend.

The Route 53 API: moto checks a DELETE against its journal of the zone's API changes, so a record
a stack created cannot be deleted through the API, while any other record can be whatever values
the DELETE names; it takes a CREATE of an existing record unless the very same CREATE was made
before, and then holds two. Route 53 deletes a record when the DELETE repeats its current values,
and refuses to CREATE one that exists: the API is given those rules here.

Hosted zone ids: moto draws 22 random letters and digits; Route 53's always start with `Z`, which
biomage checks in infra/dns.yaml. New zones get a `Z` and 21 random characters (custom ids
through moto's id manager still win).
"""

from typing import Any

from moto.route53 import models as route53_models
from moto.route53.exceptions import Route53ClientError
from moto.route53.models import (
    ROUTE53_ID_CHOICE,
    FakeZone,
    RecordSet,
    Route53Backend,
    route53_backends,
)
from moto.utilities.id_generator import ExistingIds, ResourceIdentifier, Tags, moto_id
from moto.utilities.utils import get_partition

from ._common import as_bool

_moto_create = RecordSet.create_from_cloudformation_json  # bound to RecordSet


class InvalidChangeBatch(Exception):
    """Route 53's refusal, as CloudFormation reports it in the resource's event."""


def _name(name: str) -> str:
    """Names compare in lower case with the trailing dot; Route 53 writes `*` as `\\052`."""
    name = name.replace("\\052", "*").lower()
    return name if name.endswith(".") else f"{name}."


def _alias(target: dict[str, Any] | None) -> tuple[str, str, bool] | None:
    if not target:
        return None
    return (_name(target.get("DNSName", "")), target.get("HostedZoneId", ""), as_bool(target.get("EvaluateTargetHealth", False)))


def _identical(record: RecordSet, props: dict[str, Any]) -> bool:
    """`props` as a template declares a record (ResourceRecords: strings) or as the API sends one
    (ResourceRecords: {"Value": ...})."""
    ttl = props.get("TTL")
    values = [v["Value"] if isinstance(v, dict) else v for v in props.get("ResourceRecords") or []]
    return (
        _alias(record.alias_target) == _alias(props.get("AliasTarget"))
        and (None if record.ttl is None else str(record.ttl)) == (None if ttl is None else str(ttl))
        and sorted(record.records or []) == sorted(values)
    )


def _same_set(zone: FakeZone, props: dict[str, Any]) -> list[RecordSet]:
    """The zone's record of this name, type and set identifier (Route 53 holds at most one)."""
    name = _name(props.get("Name", ""))
    return [r for r in zone.rrsets if _name(r.name) == name and r.type == props.get("Type") and r.set_identifier == props.get("SetIdentifier")]


def _zone(props: dict[str, Any], account_id: str, region_name: str) -> FakeZone:
    backend = route53_backends[account_id][get_partition(region_name)]
    zone_name = props.get("HostedZoneName")
    zone = backend.get_hosted_zone_by_name(zone_name) if zone_name else None
    return zone if zone is not None else backend.get_hosted_zone(props["HostedZoneId"])


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
            **kwargs: Any) -> RecordSet:
    props = cloudformation_json["Properties"]
    name, kind = _name(props.get("Name", "")), props.get("Type")
    for record in _zone(props, account_id, region_name).rrsets:
        if _name(record.name) != name:
            continue
        if record.type == kind and record.set_identifier == props.get("SetIdentifier"):
            if _identical(record, props):
                return record  # adopted: the stack now manages the record that was there
            raise InvalidChangeBatch(f"[Tried to create resource record set [name='{name}', type='{kind}'] but it already exists]")
        if "CNAME" in (record.type, kind) and record.type != kind:
            raise InvalidChangeBatch(
                f"[RRSet of type {kind} with DNS name {name} is not permitted because a conflicting RRSet of type "
                f"{record.type} with the same DNS name already exists]"
            )
    return _moto_create(resource_name, cloudformation_json, account_id, region_name, **kwargs)


RecordSet.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]


_moto_change = Route53Backend.change_resource_record_sets


def _change_resource_record_sets(self: Route53Backend, zoneid: str, change_list: list[dict[str, Any]]) -> None:
    zone = self.get_hosted_zone(zoneid)
    for change in change_list:
        wanted = change["ResourceRecordSet"]
        name, kind = _name(wanted["Name"]), wanted["Type"]
        found = _same_set(zone, wanted)
        if change["Action"] == "CREATE" and found:
            raise Route53ClientError("InvalidChangeBatch", f"[Tried to create resource record set [name='{name}', type='{kind}'] but it already exists]")
        if change["Action"] == "DELETE":
            if not found:
                raise Route53ClientError("InvalidChangeBatch", f"[Tried to delete resource record set [name='{name}', type='{kind}'] but it was not found]")
            if not _identical(found[0], wanted):
                raise Route53ClientError(
                    "InvalidChangeBatch",
                    f"[Tried to delete resource record set [name='{name}', type='{kind}'] but the values provided do not match the current values]",
                )
            # Journal the record, so that moto's own check (its journal of API changes) passes.
            zone.rr_changes.append({"Action": "UPSERT", "ResourceRecordSet": dict(wanted)})
    _moto_change(self, zoneid, change_list)


Route53Backend.change_resource_record_sets = _change_resource_record_sets  # type: ignore[method-assign]


@moto_id
def _zone_id(resource_identifier: ResourceIdentifier, existing_ids: ExistingIds = None, tags: Tags = None) -> str:
    return "Z" + "".join(route53_models.random.choice(ROUTE53_ID_CHOICE) for _ in range(21))


route53_models.create_route53_zone_id = _zone_id  # looked up at call time by HostedZoneIdentifier.generate
