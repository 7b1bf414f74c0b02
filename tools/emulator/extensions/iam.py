"""AWS::IAM::OIDCProvider for moto's CloudFormation, inline role policies stored as JSON, and
AWS::IAM::User as CloudFormation manages it.

moto 5.2 implements the OIDC provider API but has no CloudFormation model for it, so stacks using
the type were reported complete with the provider silently missing. This model delegates to moto's
IAM backend.

moto's AWS::IAM::User model drops `Policies` (the user is created without its inline policies),
treats every update of a user that has a `UserName` as a replacement (which fails: the new user's
name is taken by the old one), and deletes a user that still has access keys. The functions at the
end give it CloudFormation's behaviour, through moto's own IAM backend.
"""

import json
from typing import Any, ClassVar

from moto.core.common_models import CloudFormationModel
from moto.iam.exceptions import DeleteConflictException
from moto.iam.models import IAMBackend, Role, User, iam_backends
from moto.utilities.utils import get_partition

from ._common import Getters, Resource, json_text


def _backend(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


class OIDCProviderResource(Resource, CloudFormationModel):
    TYPE = "AWS::IAM::OIDCProvider"
    # moto can update thumbprints and tags but has no Add/RemoveClientIDToOpenIDConnectProvider:
    # a ClientIdList change re-creates the provider under the same URL, hence the same ARN (Ref).
    IN_PLACE = frozenset({"ThumbprintList", "Tags"})
    ATTRIBUTES: ClassVar[Getters] = {"Arn": lambda r: r.physical_id}

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        provider = _backend(account_id, region_name).create_open_id_connect_provider(
            url=props["Url"],
            thumbprint_list=props.get("ThumbprintList", []),
            client_id_list=props.get("ClientIdList", []),
            tags=props.get("Tags", []),
        )
        return cls(provider.arn, props, account_id, region_name)

    def update(self, props: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        backend.update_open_id_connect_provider_thumbprint(self.physical_id, props.get("ThumbprintList", []))
        old_keys = [tag["Key"] for tag in self.properties.get("Tags", [])]
        backend.untag_open_id_connect_provider(self.physical_id, old_keys)
        backend.tag_open_id_connect_provider(self.physical_id, props.get("Tags", []))

    def destroy(self) -> None:
        _backend(self.account_id, self.region_name).delete_open_id_connect_provider(self.physical_id)


# moto's Role model hands a template's inline `Policies[].PolicyDocument` (a mapping) straight to
# Role.put_policy, which stores whatever it is given: GetRolePolicy then returns a Python repr,
# not the JSON the template wrote. The API path always passes a JSON string; make CloudFormation's
# path store JSON too.
_original_put_policy = Role.put_policy


def _put_policy_as_json(self: Role, policy_name: str, policy_json: Any) -> None:
    if not isinstance(policy_json, str):
        policy_json = json.dumps(policy_json)
    _original_put_policy(self, policy_name, policy_json)


Role.put_policy = _put_policy_as_json  # type: ignore[method-assign]


# --- AWS::IAM::User ----------------------------------------------------------------------------


def _inline_policies(props: dict[str, Any]) -> dict[str, str]:
    return {p["PolicyName"]: json_text(p["PolicyDocument"]) for p in props.get("Policies") or []}


def _put_policies(backend: IAMBackend, user: User, props: dict[str, Any]) -> None:
    """Make the user's stack-managed inline policies those of `props`. Policies put on the user
    outside the stack are left alone, as CloudFormation leaves them."""
    wanted = _inline_policies(props)
    for name in getattr(user, "_stack_policies", set()) - wanted.keys():
        if name in user.policies:
            backend.delete_user_policy(user.name, name)
    for name, document in wanted.items():
        backend.put_user_policy(user.name, name, document)
    user._stack_policies = set(wanted)  # type: ignore[attr-defined]


def _create_user(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> User:
    props = cloudformation_json.get("Properties", {})
    backend = _backend(account_id, region_name)
    user = backend.create_user(region_name=region_name, user_name=resource_name, path=props.get("Path") or "/", tags=props.get("Tags") or [])
    _put_policies(backend, user, props)
    return user


def _update_user(
    cls: type, original_resource: User, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
) -> User:
    props = cloudformation_json["Properties"]
    name = props.get("UserName", original_resource.name)
    if name != original_resource.name:
        # A new name is a replacement: the new user first, then the old one, as CloudFormation does.
        new_user = _create_user(cls, name, cloudformation_json, account_id, region_name)
        _delete_user(cls, original_resource.name, cloudformation_json, account_id, region_name)
        return new_user
    original_resource.path = props.get("Path") or "/"
    _put_policies(_backend(account_id, region_name), original_resource, props)
    return original_resource


def _delete_user(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    user = backend.users.get(resource_name)
    if user is None:
        return
    # IAM refuses to delete a user with access keys, and CloudFormation does not delete keys it did not create.
    if user.access_keys:
        raise DeleteConflictException("Cannot delete entity, must delete access keys first.")
    for name in getattr(user, "_stack_policies", set()):
        if name in user.policies:
            backend.delete_user_policy(user.name, name)
    backend.delete_user(resource_name)


User.create_from_cloudformation_json = classmethod(_create_user)  # type: ignore[method-assign,assignment]
User.update_from_cloudformation_json = classmethod(_update_user)  # type: ignore[method-assign,assignment]
User.delete_from_cloudformation_json = classmethod(_delete_user)  # type: ignore[method-assign,assignment]
