"""Stack updates of AWS::DynamoDB::Table for moto's CloudFormation.

moto 5.2 models AWS::DynamoDB::Table for create and delete only. Its Table has no
update_from_cloudformation_json, so a stack update reports the table updated without changing
anything, and moto's resource map then holds None for it: later Refs to the table resolve to
nothing and a stack delete leaves the table behind. moto's create also ignores
PointInTimeRecoverySpecification and TimeToLiveSpecification.

A second model for the same type would depend on the order of moto's model map, so this module
instead gives moto's Table the missing update classmethod and wraps its create. Both go through
moto's DynamoDB backend. In place: BillingMode, ProvisionedThroughput, DeletionProtectionEnabled,
AttributeDefinitions, GlobalSecondaryIndexes (added or removed by name), StreamSpecification,
PointInTimeRecoverySpecification, TimeToLiveSpecification, Tags, WarmThroughput. A new TableName,
KeySchema or set of LocalSecondaryIndexes replaces the table.
"""

import sys
from typing import Any

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table

from ._common import as_bool

_moto_create = Table.create_from_cloudformation_json  # bound to Table


def _apply_settings(backend: DynamoDBBackend, table: Table, props: dict[str, Any]) -> None:
    """The settings that have their own API calls rather than CreateTable/UpdateTable parameters."""
    pitr = dict(props.get("PointInTimeRecoverySpecification") or {})
    pitr["PointInTimeRecoveryEnabled"] = as_bool(pitr.get("PointInTimeRecoveryEnabled", False))
    backend.update_continuous_backups(table.name, pitr)

    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        attribute = ttl.get("AttributeName", table.ttl.get("AttributeName"))
        backend.update_time_to_live(table.name, {"AttributeName": attribute, "Enabled": as_bool(ttl["Enabled"])})
    elif table.ttl.get("TimeToLiveStatus") == "ENABLED":
        backend.update_time_to_live(table.name, {"AttributeName": table.ttl["AttributeName"], "Enabled": False})


def _index_changes(table: Table, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    have = {index.name for index in table.global_indexes}
    want = {index["IndexName"]: index for index in wanted}
    return [{"Delete": {"IndexName": name}} for name in have - set(want)] + [
        {"Create": index} for name, index in want.items() if name not in have
    ]


def _stream_change(table: Table, wanted: dict[str, Any] | None) -> dict[str, Any] | None:
    current = table.stream_specification or {}
    view = (wanted or {}).get("StreamViewType")
    if not view:
        return {"StreamEnabled": False} if current.get("StreamEnabled") else None
    if current.get("StreamEnabled") and current.get("StreamViewType") == view:
        return None
    # moto refuses to enable a stream on a table that ever had one (StreamAlreadyEnabledException):
    # the update then fails visibly instead of being skipped.
    return {"StreamEnabled": True, "StreamViewType": view}


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str, **kwargs: Any) -> Table:
    props = cloudformation_json["Properties"]  # a copy the parser made for this call
    if "DeletionProtectionEnabled" in props:  # moto would keep "false" from a parameter: truthy
        props["DeletionProtectionEnabled"] = as_bool(props["DeletionProtectionEnabled"])
    table = _moto_create(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    _apply_settings(dynamodb_backends[account_id][region_name], table, props)
    return table


def _update(cls: type, original_resource: Table, new_resource_name: str, cloudformation_json: dict[str, Any],
            account_id: str, region_name: str) -> Table:
    table, props = original_resource, cloudformation_json["Properties"]
    backend = dynamodb_backends[account_id][region_name]
    local_indexes = {index["IndexName"] for index in props.get("LocalSecondaryIndexes", [])}
    if (
        props.get("TableName", table.name) != table.name
        or props.get("KeySchema") != table.schema
        or local_indexes != {index.name for index in table.indexes}
    ):
        table.delete(account_id, region_name)  # refused while DeletionProtectionEnabled, as in AWS
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    billing_mode = "PAY_PER_REQUEST" if props.get("BillingMode") == "PAY_PER_REQUEST" else "PROVISIONED"
    backend.update_table(
        name=table.name,
        attr_definitions=props.get("AttributeDefinitions"),
        global_index=_index_changes(table, props.get("GlobalSecondaryIndexes", [])),
        throughput=props.get("ProvisionedThroughput") or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        billing_mode=billing_mode,
        stream_spec=_stream_change(table, props.get("StreamSpecification")),
        deletion_protection_enabled=as_bool(props.get("DeletionProtectionEnabled", False)),
        warm_throughput=props.get("WarmThroughput"),
    )
    tags = props.get("Tags", [])
    if tags != table.tags:
        backend.untag_resource(table.table_arn, [tag["Key"] for tag in table.tags])
        backend.tag_resource(table.table_arn, {tag["Key"]: tag["Value"] for tag in tags})
    _apply_settings(backend, table, props)
    return table


if getattr(Table.update_from_cloudformation_json, "__isabstractmethod__", False):
    Table.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign]
    Table.update_from_cloudformation_json = classmethod(_update)  # type: ignore[method-assign]
else:
    print("moto now models DynamoDB table updates itself: extensions/dynamodb.py is not applied",
          file=sys.stderr, flush=True)
