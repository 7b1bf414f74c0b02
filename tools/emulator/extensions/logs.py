"""Stack updates of AWS::Logs::LogGroup for moto's CloudFormation.

moto 5.2 models the type for create and delete only: a stack update (say a new RetentionInDays,
the usual change to a Lambda function's log group) is reported complete and changes nothing. Its
create also keeps RetentionInDays as the template's text when it comes from a parameter, and drops
KmsKeyId (the template's name for it differs from the one moto's LogGroup reads).

This gives moto's LogGroup an update (retention set or removed, tags, KmsKeyId; a new
LogGroupName replaces the group, as in CloudFormation) and wraps its create, both through moto's
own CloudWatch Logs backend.
"""

from typing import Any

from moto.logs.models import LogGroup, logs_backends

from ._common import as_int, replace_resource

_moto_create = LogGroup.create_from_cloudformation_json  # bound to LogGroup


def _tags(props: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in props.get("Tags") or []}


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
            **kwargs: Any) -> LogGroup:
    props = dict(cloudformation_json["Properties"])
    props["RetentionInDays"] = as_int(props.get("RetentionInDays"))
    if "KmsKeyId" in props:
        props["kmsKeyId"] = props.pop("KmsKeyId")
    return _moto_create(resource_name, {**cloudformation_json, "Properties": props}, account_id, region_name, **kwargs)


def _update(cls: type, original_resource: LogGroup, new_resource_name: str, cloudformation_json: dict[str, Any],
            account_id: str, region_name: str) -> LogGroup:
    props = cloudformation_json["Properties"]
    group = original_resource
    if props.get("LogGroupName", group.name) != group.name:
        return replace_resource(cls, group, props["LogGroupName"], cloudformation_json, account_id, region_name)
    backend = logs_backends[account_id][region_name]
    retention = as_int(props.get("RetentionInDays"))
    if retention is None:
        backend.delete_retention_policy(group.name)
    else:
        backend.put_retention_policy(group.name, retention)  # type: ignore[arg-type]
    group.kms_key_id = props.get("KmsKeyId")
    wanted = _tags(props)
    stale = [key for key in backend.list_tags_for_resource(group.arn) if key not in wanted]
    if stale:
        backend.untag_resource(group.arn, stale)
    backend.tag_resource(group.arn, wanted)
    return group


LogGroup.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
LogGroup.update_from_cloudformation_json = classmethod(_update)  # type: ignore[method-assign,assignment]
