"""AWS::IAM::ManagedPolicy updates and deletes, and AWS::IAM::InstanceProfile updates.

moto 5.2 models AWS::IAM::ManagedPolicy for create only: a stack update (a new statement, a role added) is
reported complete and changes nothing, and a stack delete neither detaches nor deletes the policy,
so the roles it is attached to cannot be deleted and the whole stack delete fails ("must detach
all policies first"). Its AWS::IAM::InstanceProfile has no update: a new role list was ignored.

Here a managed policy's document change is a new default policy version (the oldest non-default
version goes when IAM's five are reached), its Roles/Users/Groups are attached and detached to
match, a new ManagedPolicyName, Path or Description replaces it (create-only, as in
CloudFormation), and a delete detaches it everywhere and deletes it. An instance profile's Roles
are made those of the template. All through moto's own IAM backend.
"""

from typing import Any

from moto.iam.models import IAMBackend, InstanceProfile, ManagedPolicy, iam_backends
from moto.utilities.utils import get_partition

from ._common import json_text

_moto_create_policy = ManagedPolicy.create_from_cloudformation_json  # bound to ManagedPolicy

_REPLACING = ("ManagedPolicyName", "Path", "Description")
_TARGETS = {  # template property -> (attach, detach, the backend's map of that kind)
    "Roles": ("attach_role_policy", "detach_role_policy", "roles"),
    "Users": ("attach_user_policy", "detach_user_policy", "users"),
    "Groups": ("attach_group_policy", "detach_group_policy", "groups"),
}


def _backend(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


def _create_policy(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                   **kwargs: Any) -> ManagedPolicy:
    policy = _moto_create_policy(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    policy.cfn_properties = cloudformation_json["Properties"]  # type: ignore[attr-defined]
    return policy


def _attached(backend: IAMBackend, policy: ManagedPolicy, kind: str) -> set[str]:
    # moto keys its roles by role id, its users and groups by name: read the names from the entities.
    return {entity.name for entity in getattr(backend, kind).values() if policy.arn in entity.managed_policies}


def _update_policy(cls: type, original_resource: ManagedPolicy, new_resource_name: str, cloudformation_json: dict[str, Any],
                   account_id: str, region_name: str) -> ManagedPolicy:
    props = cloudformation_json["Properties"]
    policy = original_resource
    old = getattr(policy, "cfn_properties", {})
    if any(old.get(key) != props.get(key) for key in _REPLACING):
        policy.delete(account_id, region_name)  # a fixed name would collide: the old one goes first
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
    backend = _backend(account_id, region_name)
    document = json_text(props["PolicyDocument"])
    if document != json_text(old.get("PolicyDocument")):
        if len(policy.versions) >= 5:
            oldest = next(v for v in policy.versions if not v.is_default)
            backend.delete_policy_version(policy.arn, oldest.version_id)
        backend.create_policy_version(policy.arn, document, set_as_default=True)
    for key, (attach, detach, kind) in _TARGETS.items():
        wanted, have = set(props.get(key) or []), _attached(backend, policy, kind)
        for name in have - wanted:
            getattr(backend, detach)(policy_arn=policy.arn, **{f"{kind[:-1]}_name": name})
        for name in wanted - have:
            getattr(backend, attach)(policy_arn=policy.arn, **{f"{kind[:-1]}_name": name})
    policy.cfn_properties = props  # type: ignore[attr-defined]
    return policy


def _delete_policy(self: ManagedPolicy, account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    if self.arn not in backend.managed_policies:
        return
    for _, detach, kind in _TARGETS.values():
        for name in _attached(backend, self, kind):
            getattr(backend, detach)(policy_arn=self.arn, **{f"{kind[:-1]}_name": name})
    backend.delete_policy(self.arn)


ManagedPolicy.create_from_cloudformation_json = classmethod(_create_policy)  # type: ignore[method-assign,assignment]
ManagedPolicy.update_from_cloudformation_json = classmethod(_update_policy)  # type: ignore[method-assign,assignment]
ManagedPolicy.delete = _delete_policy  # type: ignore[method-assign,attr-defined]


def _update_profile(cls: type, original_resource: InstanceProfile, new_resource_name: str, cloudformation_json: dict[str, Any],
                    account_id: str, region_name: str) -> InstanceProfile:
    props = cloudformation_json["Properties"]
    profile = original_resource
    if props.get("InstanceProfileName", profile.name) != profile.name or props.get("Path", "/") != profile.path:
        new = cls.create_from_cloudformation_json(props.get("InstanceProfileName", new_resource_name), cloudformation_json, account_id, region_name)
        cls.delete_from_cloudformation_json(profile.name, cloudformation_json, account_id, region_name)
        return new
    backend = _backend(account_id, region_name)
    wanted, have = set(props.get("Roles") or []), {role.name for role in profile.roles}
    for name in have - wanted:
        backend.remove_role_from_instance_profile(profile.name, name)
    for name in wanted - have:
        backend.add_role_to_instance_profile(profile.name, name)
    return profile


InstanceProfile.update_from_cloudformation_json = classmethod(_update_profile)  # type: ignore[method-assign,assignment]
