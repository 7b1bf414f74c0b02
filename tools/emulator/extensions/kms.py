"""AWS::KMS::Key and AWS::KMS::Alias as CloudFormation manages them, for moto's CloudFormation.

moto 5.2 models both types, but:

- its Key keeps the template's KeyPolicy as a mapping where KMS keeps JSON text, and every
  DescribeKey of such a key then fails inside moto (HTTP 500: its policy check parses the text);
- it ignores KeyUsage and KeySpec, and keeps `"false"` from a parameter (truthy) for
  EnableKeyRotation and Enabled;
- a stack update of a key (a new key policy, rotation, description) is reported complete and
  changes nothing;
- a stack delete removes the key at once, where CloudFormation schedules its deletion
  (PendingWindowInDays, default 30): DescribeKey then shows the key PendingDeletion;
- an alias given a new AliasName (create-only) fails the update: moto looks the new name up.

This wraps moto's create, adds the update and the delete, all through moto's own KMS backend.
"""

from typing import Any

from moto.kms.models import Alias, Key, kms_backends

from ._common import as_bool, as_int, json_text, replace_resource

_moto_create_key = Key.create_from_cloudformation_json  # bound to Key
_moto_update_alias = Alias.update_from_cloudformation_json  # bound to Alias

_KEY_CREATE_ONLY = ("KeyUsage", "KeySpec", "MultiRegion", "Origin")


def _create_key(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                **kwargs: Any) -> Key:
    props = cloudformation_json["Properties"]
    backend = kms_backends[account_id][region_name]
    key = backend.create_key(
        policy=json_text(props["KeyPolicy"]) if "KeyPolicy" in props else None,
        key_usage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
        key_spec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
        description=props.get("Description", ""),
        tags=props.get("Tags", []),
        multi_region=as_bool(props.get("MultiRegion", False)),
    )
    _apply_settings(key, props)
    key.cfn_properties = props  # type: ignore[attr-defined]
    return key


def _apply_settings(key: Key, props: dict[str, Any]) -> None:
    backend = kms_backends[key.account_id][key.region]
    (backend.enable_key_rotation if as_bool(props.get("EnableKeyRotation", False)) else backend.disable_key_rotation)(key.id)
    (backend.enable_key if as_bool(props.get("Enabled", True)) else backend.disable_key)(key.id)


def _update_key(cls: type, original_resource: Key, new_resource_name: str, cloudformation_json: dict[str, Any],
                account_id: str, region_name: str) -> Key:
    props = cloudformation_json["Properties"]
    key = original_resource
    old = getattr(key, "cfn_properties", {})
    if any(old.get(name) != props.get(name) for name in _KEY_CREATE_ONLY):
        return replace_resource(cls, key, new_resource_name, cloudformation_json, account_id, region_name)
    backend = kms_backends[account_id][region_name]
    backend.update_key_description(key.id, props.get("Description", ""))
    if "KeyPolicy" in props:
        backend.put_key_policy(key.id, json_text(props["KeyPolicy"]))
    _apply_settings(key, props)
    wanted = {tag["Key"]: tag["Value"] for tag in props.get("Tags") or []}
    have = {tag["TagKey"] for tag in backend.list_resource_tags(key.id).get("Tags", [])}
    if have - wanted.keys():
        backend.untag_resource(key.id, sorted(have - wanted.keys()))
    if wanted:
        backend.tag_resource(key.id, wanted)
    key.cfn_properties = props  # type: ignore[attr-defined]
    return key


def _delete_key(self: Key, account_id: str, region_name: str) -> None:
    backend = kms_backends[account_id][region_name]
    if self.id in backend.keys and self.key_state != "PendingDeletion":
        days = as_int(getattr(self, "cfn_properties", {}).get("PendingWindowInDays")) or 30
        backend.schedule_key_deletion(self.id, days)


def _update_alias(cls: type, original_resource: Alias, new_resource_name: str, cloudformation_json: dict[str, Any],
                  account_id: str, region_name: str) -> Alias:
    props = cloudformation_json["Properties"]
    if props["AliasName"] != original_resource.alias_name:
        backend = kms_backends[account_id][region_name]
        new = backend.create_alias(props["TargetKeyId"], props["AliasName"])
        backend.delete_alias(original_resource.alias_name)
        return new
    return _moto_update_alias(original_resource, new_resource_name, cloudformation_json, account_id, region_name)


Key.create_from_cloudformation_json = classmethod(_create_key)  # type: ignore[method-assign,assignment]
Key.update_from_cloudformation_json = classmethod(_update_key)  # type: ignore[method-assign,assignment]
Key.delete = _delete_key  # type: ignore[method-assign]
Alias.update_from_cloudformation_json = classmethod(_update_alias)  # type: ignore[method-assign,assignment]
