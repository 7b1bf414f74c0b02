"""AWS::Cognito::IdentityPool and ::IdentityPoolRoleAttachment for moto's CloudFormation, and the
identity-pool roles API.

moto 5.2 implements Cognito identity pools but has no CloudFormation model for them, and no
SetIdentityPoolRoles/GetIdentityPoolRoles: the roles a pool hands to its users could be neither
set nor seen. This module adds both operations to moto's cognito-identity backend and API (kept
on the backend, keyed by pool, dropped with the pool), and the two models, which delegate to that
backend. IdentityPool: Ref is the pool id, Fn::GetAtt Name its name. IdentityPoolRoleAttachment:
Ref is the pool id, as CloudFormation's physical id for it is.
"""

import contextlib
import json
from typing import Any, ClassVar

from moto.cognitoidentity.exceptions import ResourceNotFoundError
from moto.cognitoidentity.models import CognitoIdentityBackend, cognitoidentity_backends
from moto.cognitoidentity.responses import CognitoIdentityResponse
from moto.core.common_models import CloudFormationModel

from ._common import Getters, Resource, as_bool

# --- the roles API moto lacks ------------------------------------------------------------------


def _roles_of(backend: CognitoIdentityBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "identity_pool_roles"):
        backend.identity_pool_roles = {}  # type: ignore[attr-defined]
    return backend.identity_pool_roles  # type: ignore[attr-defined,no-any-return]


def set_identity_pool_roles(self: CognitoIdentityBackend, identity_pool_id: str, roles: dict[str, str],
                            role_mappings: dict[str, Any] | None) -> None:
    self.describe_identity_pool(identity_pool_id)  # ResourceNotFoundException when there is no such pool
    _roles_of(self)[identity_pool_id] = {"Roles": dict(roles or {}), "RoleMappings": dict(role_mappings or {})}


def get_identity_pool_roles(self: CognitoIdentityBackend, identity_pool_id: str) -> dict[str, Any]:
    self.describe_identity_pool(identity_pool_id)
    found = _roles_of(self).get(identity_pool_id, {})
    return {"IdentityPoolId": identity_pool_id, "Roles": found.get("Roles", {}),
            **({"RoleMappings": found["RoleMappings"]} if found.get("RoleMappings") else {})}


_moto_delete_pool = CognitoIdentityBackend.delete_identity_pool


def delete_identity_pool(self: CognitoIdentityBackend, identity_pool_id: str) -> None:
    _moto_delete_pool(self, identity_pool_id)
    _roles_of(self).pop(identity_pool_id, None)


def _set_roles_response(self: CognitoIdentityResponse) -> str:
    self.backend.set_identity_pool_roles(  # type: ignore[attr-defined]
        self._get_param("IdentityPoolId"), self._get_param("Roles"), self._get_param("RoleMappings"))
    return ""


def _get_roles_response(self: CognitoIdentityResponse) -> str:
    return json.dumps(self.backend.get_identity_pool_roles(self._get_param("IdentityPoolId")))  # type: ignore[attr-defined]


CognitoIdentityBackend.set_identity_pool_roles = set_identity_pool_roles  # type: ignore[attr-defined]
CognitoIdentityBackend.get_identity_pool_roles = get_identity_pool_roles  # type: ignore[attr-defined]
CognitoIdentityBackend.delete_identity_pool = delete_identity_pool  # type: ignore[method-assign]
CognitoIdentityResponse.set_identity_pool_roles = _set_roles_response  # type: ignore[attr-defined]
CognitoIdentityResponse.get_identity_pool_roles = _get_roles_response  # type: ignore[attr-defined]


# --- the CloudFormation models -----------------------------------------------------------------


def _backend(resource: Resource) -> CognitoIdentityBackend:
    return cognitoidentity_backends[resource.account_id][resource.region_name]


def _tags(props: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in props.get("IdentityPoolTags", [])}


class IdentityPoolResource(Resource, CloudFormationModel):
    TYPE = "AWS::Cognito::IdentityPool"
    NAME_PROPERTY = "IdentityPoolName"
    # Everything but the name is UpdateIdentityPool's; CloudFormation renames in place too.
    IN_PLACE = frozenset({"IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow",
                          "SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs",
                          "CognitoIdentityProviders", "SamlProviderARNs", "IdentityPoolTags", "CognitoStreams",
                          "PushSync", "CognitoEvents"})
    ATTRIBUTES: ClassVar[Getters] = {"Name": lambda r: _backend(r).identity_pools[r.physical_id].identity_pool_name,
                  "Id": lambda r: r.physical_id}

    @staticmethod
    def _name(name: str, props: dict[str, Any]) -> str:
        # Identity pool names allow letters, digits, spaces and + = , . @ - _; a generated one
        # (stack-Logical-SUFFIX) already fits.
        return str(props.get("IdentityPoolName") or name)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        backend = cognitoidentity_backends[account_id][region_name]
        pool = json.loads(backend.create_identity_pool(
            identity_pool_name=cls._name(name, props),
            allow_unauthenticated_identities=as_bool(props.get("AllowUnauthenticatedIdentities", False)),
            supported_login_providers=props.get("SupportedLoginProviders") or {},
            developer_provider_name=props.get("DeveloperProviderName") or "",
            open_id_connect_provider_arns=props.get("OpenIdConnectProviderARNs") or [],
            cognito_identity_providers=cls._providers(props),
            saml_provider_arns=props.get("SamlProviderARNs") or [],
            tags=_tags(props),
        ))
        resource = cls(pool["IdentityPoolId"], props, account_id, region_name)
        resource.generated_name = cls._name(name, props)
        return resource

    @staticmethod
    def _providers(props: dict[str, Any]) -> list[dict[str, Any]]:
        return [{**provider, "ServerSideTokenCheck": as_bool(provider.get("ServerSideTokenCheck", False))}
                for provider in props.get("CognitoIdentityProviders") or []]

    def update(self, props: dict[str, Any]) -> None:
        pool = _backend(self).identity_pools[self.physical_id]
        # moto's UpdateIdentityPool keeps the old name; CloudFormation renames the pool in place.
        pool.identity_pool_name = props.get("IdentityPoolName") or self.generated_name
        _backend(self).update_identity_pool(
            identity_pool_id=self.physical_id, identity_pool_name=pool.identity_pool_name,
            allow_unauthenticated=as_bool(props.get("AllowUnauthenticatedIdentities", False)),
            login_providers=props.get("SupportedLoginProviders") or {},
            provider_name=props.get("DeveloperProviderName"),
            provider_arns=props.get("OpenIdConnectProviderARNs") or [],
            identity_providers=self._providers(props),
            saml_providers=props.get("SamlProviderARNs") or [],
            tags=None,
        )
        pool.tags = _tags(props)

    def destroy(self) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            _backend(self).delete_identity_pool(self.physical_id)


class IdentityPoolRoleAttachmentResource(Resource, CloudFormationModel):
    TYPE = "AWS::Cognito::IdentityPoolRoleAttachment"
    IN_PLACE = frozenset({"Roles", "RoleMappings"})

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        resource = cls(props["IdentityPoolId"], props, account_id, region_name)
        resource.update(props)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        # A template's RoleMappings is keyed by any name, with IdentityProvider inside; the API's
        # is keyed by the provider.
        mappings = {mapping.get("IdentityProvider", key): {k: v for k, v in mapping.items() if k != "IdentityProvider"}
                    for key, mapping in (props.get("RoleMappings") or {}).items()}
        _backend(self).set_identity_pool_roles(self.physical_id, props.get("Roles") or {}, mappings)  # type: ignore[attr-defined]

    def destroy(self) -> None:
        _roles_of(_backend(self)).pop(self.physical_id, None)
