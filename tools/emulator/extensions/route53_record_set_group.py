"""AWS::Route53::RecordSetGroup as CloudFormation manages it, for moto's CloudFormation.

moto 5.2 models the type for create only, and:

- finds a zone by `HostedZoneName` only when the name is spelled exactly as the zone was created
  (`example.com.` does not find `example.com`), and otherwise fails with a KeyError: a group of
  DKIM records naming its zone, as SES identities' records do, failed the stack;
- appends the records whatever the zone holds (two records of one name and type);
- has no update (a changed record is reported updated and stays as it was) and no delete (the
  records outlive the stack).

Here the zone is found by id or by name as Route 53 compares names (case, trailing dot), each
record is created as a stack's AWS::Route53::RecordSet is (route53.py: an identical existing
record is taken over, a different one fails), an update removes the records no longer declared
and replaces the changed ones, and a delete removes the group's records. All through moto's own
Route 53 backend.
"""

from typing import Any

from moto.route53.models import FakeZone, RecordSet, RecordSetGroup, route53_backends
from moto.utilities.utils import get_partition

from ._common import replace_resource
from .route53 import _identical, _name


def _zone(props: dict[str, Any], account_id: str, region_name: str) -> FakeZone:
    backend = route53_backends[account_id][get_partition(region_name)]
    if props.get("HostedZoneId"):
        return backend.get_hosted_zone(props["HostedZoneId"])
    wanted = _name(props["HostedZoneName"])
    found = [zone for zone in backend.zones.values() if _name(zone.name) == wanted]
    if len(found) != 1:
        # Route 53 names are not unique (a public and a private zone); CloudFormation then asks for the id.
        raise ValueError(f"HostedZoneName {props['HostedZoneName']}: {len(found)} hosted zones of that name")
    return found[0]


def _key(record: dict[str, Any]) -> tuple[str, str, str | None]:
    return (_name(record["Name"]), record["Type"], record.get("SetIdentifier"))


def _add(zone: FakeZone, record: dict[str, Any], account_id: str, region_name: str) -> RecordSet:
    # The stack's RecordSet create (route53.py): takes over an identical record, refuses a different one.
    props = {**record, "HostedZoneId": zone.resource_id}
    props.pop("HostedZoneName", None)
    return RecordSet.create_from_cloudformation_json(record["Name"], {"Properties": props}, account_id, region_name)


def _remove(zone: FakeZone, records: list[RecordSet]) -> None:
    zone.rrsets = [r for r in zone.rrsets if not any(r is mine for mine in records)]


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
            **kwargs: Any) -> RecordSetGroup:
    props = cloudformation_json["Properties"]
    zone = _zone(props, account_id, region_name)
    created: list[RecordSet] = []
    try:
        for record in props.get("RecordSets") or []:
            created.append(_add(zone, record, account_id, region_name))
    except Exception:
        _remove(zone, created)  # Route 53 applies a change batch whole or not at all
        raise
    group = RecordSetGroup(region_name, zone.resource_id, props.get("RecordSets") or [])
    group.account_id = account_id  # type: ignore[attr-defined]
    group.records = created  # type: ignore[attr-defined]
    return group


def _update(cls: type, original_resource: RecordSetGroup, new_resource_name: str, cloudformation_json: dict[str, Any],
            account_id: str, region_name: str) -> RecordSetGroup:
    props = cloudformation_json["Properties"]
    group = original_resource
    zone = _zone(props, account_id, region_name)
    if zone.resource_id != group.hosted_zone_id:
        # Another zone: the new group first, then the old one goes.
        return replace_resource(cls, group, new_resource_name, cloudformation_json, account_id, region_name)
    have = {_key({"Name": r.name, "Type": r.type, "SetIdentifier": r.set_identifier}): r for r in group.records}  # type: ignore[attr-defined]
    wanted = {_key(record): record for record in props.get("RecordSets") or []}
    _remove(zone, [r for key, r in have.items() if key not in wanted or not _identical(r, wanted[key])])
    records = []
    for key, record in wanted.items():
        kept = have.get(key)
        records.append(kept if kept is not None and _identical(kept, record) else _add(zone, record, account_id, region_name))
    group.record_sets = props.get("RecordSets") or []
    group.records = records  # type: ignore[attr-defined]
    return group


def _delete(self: RecordSetGroup, account_id: str, region_name: str) -> None:
    backend = route53_backends[account_id][get_partition(region_name)]
    zone = backend.zones.get(self.hosted_zone_id)
    if zone is not None:
        _remove(zone, self.records)  # type: ignore[attr-defined]


RecordSetGroup.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
RecordSetGroup.update_from_cloudformation_json = classmethod(_update)  # type: ignore[method-assign,assignment]
RecordSetGroup.delete = _delete  # type: ignore[attr-defined]
