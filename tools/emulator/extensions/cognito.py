"""AWS::Cognito::UserPool, ::UserPoolClient and ::UserPoolDomain for moto's CloudFormation.

moto 5.2 implements the Cognito user pool API but has no CloudFormation model for it, so stacks
using these types were reported complete with the resources silently missing. These models
delegate to moto's cognito-idp backend.
"""

import contextlib
from typing import Any, ClassVar

from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from ._common import Getters, Resource, as_bool


def _backend(resource: Resource) -> CognitoIdpBackend:
    return cognitoidp_backends[resource.account_id][resource.region_name]


def _provider_name(pool: "UserPoolResource") -> str:
    return f"cognito-idp.{pool.region_name}.amazonaws.com/{pool.physical_id}"


class UserPoolResource(Resource, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"
    REPLACE_ON = frozenset({"AliasAttributes", "UsernameAttributes", "UsernameConfiguration"})  # per AWS
    ATTRIBUTES: ClassVar[Getters] = {
        "Arn": lambda r: r.pool.arn,
        "ProviderName": _provider_name,
        "ProviderURL": lambda r: f"https://{_provider_name(r)}",
        "UserPoolId": lambda r: r.physical_id,
    }

    def needs_replacement(self, changed: set[str]) -> bool:
        return bool(changed & self.REPLACE_ON)

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        backend = cognitoidp_backends[account_id][region_name]
        # CreateUserPool takes the template's properties, less the name and EnabledMfas (set below).
        config = {k: v for k, v in props.items() if k not in ("UserPoolName", "EnabledMfas")}
        pool = backend.create_user_pool(props.get("UserPoolName", name), config)
        resource = cls(pool.id, props, account_id, region_name)
        resource.pool = pool
        resource._set_mfa(props)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        backend = _backend(self)
        # UpdateUserPool resets what it is not given, as in AWS; it takes no name and no schema.
        config = {k: v for k, v in props.items() if k not in ("UserPoolName", "EnabledMfas", "Schema")}
        backend.update_user_pool(self.physical_id, config)
        if "UserPoolName" in props:
            self.pool.name = props["UserPoolName"]  # UpdateUserPool has no name; CloudFormation renames in place
        known = {attribute.get("Name") for attribute in self.properties.get("Schema", [])}
        added = [attribute for attribute in props.get("Schema", []) if attribute.get("Name") not in known]
        if added:  # AWS can only add schema attributes to an existing pool
            backend.add_custom_attributes(self.physical_id, added)
        self._set_mfa(props)

    def _set_mfa(self, props: dict[str, Any]) -> None:
        if "EnabledMfas" not in props and "MfaConfiguration" not in props:
            return
        mfas = props.get("EnabledMfas", [])
        _backend(self).set_user_pool_mfa_config(
            self.physical_id,
            sms_config={"SmsConfiguration": props.get("SmsConfiguration", {})} if "SMS_MFA" in mfas else None,
            token_config={"Enabled": True} if "SOFTWARE_TOKEN_MFA" in mfas else None,
            mfa_config=props.get("MfaConfiguration", "OFF"),
        )

    def destroy(self) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            _backend(self).delete_user_pool(self.physical_id)


class UserPoolClientResource(Resource, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPoolClient"
    NAME_PROPERTY = "ClientName"
    ATTRIBUTES: ClassVar[Getters] = {
        "ClientId": lambda r: r.physical_id,
        "ClientSecret": lambda r: r.client.secret if r.client.generate_secret else None,
        "Name": lambda r: r.client.extended_config.get("ClientName"),
    }

    def needs_replacement(self, changed: set[str]) -> bool:
        return bool(changed & {"UserPoolId", "GenerateSecret"})  # per AWS

    @staticmethod
    def _config(name: str, props: dict[str, Any]) -> dict[str, Any]:
        config = {k: v for k, v in props.items() if k not in ("UserPoolId", "GenerateSecret")}
        config.setdefault("ClientName", name)
        return config

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        backend = cognitoidp_backends[account_id][region_name]
        client = backend.create_user_pool_client(
            props["UserPoolId"], as_bool(props.get("GenerateSecret", False)), cls._config(name, props)
        )
        resource = cls(client.id, props, account_id, region_name)
        resource.client = client
        return resource

    def update(self, props: dict[str, Any]) -> None:
        name = self.client.extended_config.get("ClientName")
        _backend(self).update_user_pool_client(props["UserPoolId"], self.physical_id, self._config(name, props))

    def destroy(self) -> None:
        with contextlib.suppress(ResourceNotFoundError):  # the pool went first
            _backend(self).delete_user_pool_client(self.properties["UserPoolId"], self.physical_id)


class UserPoolDomainResource(Resource, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPoolDomain"
    IN_PLACE = frozenset({"CustomDomainConfig", "ManagedLoginVersion"})
    ATTRIBUTES: ClassVar[Getters] = {"CloudFrontDistribution": lambda r: r.domain.to_json(extended=False)["CloudFrontDomain"]}

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        backend = cognitoidp_backends[account_id][region_name]
        domain = backend.create_user_pool_domain(props["UserPoolId"], props["Domain"], props.get("CustomDomainConfig"))
        resource = cls(props["Domain"], props, account_id, region_name)
        resource.domain = domain
        return resource

    def update(self, props: dict[str, Any]) -> None:
        _backend(self).update_user_pool_domain(self.physical_id, props.get("CustomDomainConfig") or {})

    def destroy(self) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            _backend(self).delete_user_pool_domain(self.physical_id)
