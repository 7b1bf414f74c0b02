"""AWS::IAM::OIDCProvider for moto's CloudFormation, and inline role policies stored as JSON.

moto 5.2 implements the OIDC provider API but has no CloudFormation model for it, so stacks using
the type were reported complete with the provider silently missing. This model delegates to moto's
IAM backend.
"""

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam.models import IAMBackend, Role, iam_backends
from moto.utilities.utils import get_partition

from ._common import Resource


def _backend(account_id: str, region_name: str) -> IAMBackend:
    return iam_backends[account_id][get_partition(region_name)]


class OIDCProviderResource(Resource, CloudFormationModel):
    TYPE = "AWS::IAM::OIDCProvider"
    # moto can update thumbprints and tags but has no Add/RemoveClientIDToOpenIDConnectProvider:
    # a ClientIdList change re-creates the provider under the same URL, hence the same ARN (Ref).
    IN_PLACE = frozenset({"ThumbprintList", "Tags"})
    ATTRIBUTES = {"Arn": lambda r: r.physical_id}

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
