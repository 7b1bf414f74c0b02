"""AWS::SecretsManager::Secret, ::SecretTargetAttachment and ::RotationSchedule for moto's
CloudFormation, and `{{resolve:secretsmanager:…}}` dynamic references.

moto 5.2 implements the Secrets Manager API but has no CloudFormation model for it, and leaves
dynamic references in property values as literal text (a database's master password became the
string "{{resolve:secretsmanager:…}}"). These models delegate to moto's Secrets Manager backend:

- Secret: Ref and Fn::GetAtt Id are the ARN. GenerateSecretString generates the value with the
  backend's GetRandomPassword (SecretStringTemplate + GenerateStringKey: the template with the
  password added under that key), as Secrets Manager does; the value is generated again only when
  GenerateSecretString itself changes. Deleting the resource deletes the secret without a
  recovery window, so that a replacement can take its name at once.
- SecretTargetAttachment: adds the target's connection details (engine, host, port and the
  cluster or instance identifier) to the secret's JSON as a new AWSCURRENT version, as
  CloudFormation does. Ref is the secret's ARN.
- RotationSchedule: records the rotation configuration that DescribeSecret shows (RotationEnabled,
  RotationLambdaARN, RotationRules) after checking that the function exists. It does not invoke
  the function: moto would run it in a container, and the twin rotates nothing. A
  HostedRotationLambda is only valid once the AWS::SecretsManager transform has replaced it with
  a function (secretsmanager_transform.py); left in place it fails the resource, as in AWS.

Dynamic references are resolved from the backend when a resource's properties are parsed, so a
resource sees the value, never the reference. Values are never logged.
"""

import contextlib
import json
import re
import time
from typing import Any, ClassVar

from moto.awslambda.utils import get_backend as lambda_backend
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.rds.models import rds_backends
from moto.secretsmanager.exceptions import SecretNotFoundException
from moto.secretsmanager.models import FakeSecret, SecretsManagerBackend, secretsmanager_backends

from ._common import Getters, Resource, as_bool, as_int


def _backend(account_id: str, region_name: str) -> SecretsManagerBackend:
    return secretsmanager_backends[account_id][region_name]


def _generate(backend: SecretsManagerBackend, spec: dict[str, Any]) -> str:
    password = json.loads(backend.get_random_password(
        password_length=as_int(spec.get("PasswordLength", 32)),
        exclude_characters=spec.get("ExcludeCharacters", ""),
        exclude_numbers=as_bool(spec.get("ExcludeNumbers", False)),
        exclude_punctuation=as_bool(spec.get("ExcludePunctuation", False)),
        exclude_uppercase=as_bool(spec.get("ExcludeUppercase", False)),
        exclude_lowercase=as_bool(spec.get("ExcludeLowercase", False)),
        include_space=as_bool(spec.get("IncludeSpace", False)),
        require_each_included_type=as_bool(spec.get("RequireEachIncludedType", True)),
    ))["RandomPassword"]
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if bool(template) != bool(key):
        raise ValidationError(message="GenerateSecretString: SecretStringTemplate and GenerateStringKey go together")
    if not template:
        return password
    document = json.loads(template)
    document[key] = password
    return json.dumps(document)


def _current_json(backend: SecretsManagerBackend, secret_id: str) -> dict[str, Any]:
    value = backend.get_secret_value(secret_id, None, "AWSCURRENT").get("SecretString") or "{}"
    try:
        document = json.loads(value)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise ValidationError(message=f"secret {secret_id}: a target attachment needs a JSON secret string")
    return document


class SecretResource(Resource, CloudFormationModel):
    TYPE = "AWS::SecretsManager::Secret"
    NAME_PROPERTY = "Name"
    IN_PLACE = frozenset({"Description", "KmsKeyId", "SecretString", "GenerateSecretString", "Tags"})
    ATTRIBUTES: ClassVar[Getters] = {"Id": lambda r: r.physical_id}

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        backend = _backend(account_id, region_name)
        secret_name = props.get("Name", name)
        short = json.loads(backend.create_secret(
            name=secret_name, secret_string=cls._value(backend, props), secret_binary=None,
            description=props.get("Description"), tags=props.get("Tags") or None, kms_key_id=props.get("KmsKeyId"),
            client_request_token=None, replica_regions=props.get("ReplicaRegions") or [], force_overwrite=False,
        ))
        return cls(short["ARN"], props, account_id, region_name)

    @staticmethod
    def _value(backend: SecretsManagerBackend, props: dict[str, Any]) -> str:
        if "SecretString" in props and "GenerateSecretString" in props:
            raise ValidationError(message="AWS::SecretsManager::Secret: SecretString and GenerateSecretString exclude each other")
        if "SecretString" in props:
            return str(props["SecretString"])
        return _generate(backend, props.get("GenerateSecretString") or {})

    def update(self, props: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        secret = backend.secrets[self.physical_id]
        secret.update(description=props.get("Description"), tags=props.get("Tags") or None,
                      kms_key_id=props.get("KmsKeyId"), last_changed_date=int(time.time()))
        if "KmsKeyId" not in props:
            secret.kms_key_id = None
        changed = [key for key in ("SecretString", "GenerateSecretString") if self.properties.get(key) != props.get(key)]
        if changed:  # a new value only when the template's value (or how to generate it) changed
            backend.put_secret_value(self.physical_id, self._value(backend, props), None, None, ["AWSCURRENT"])

    def destroy(self) -> None:
        with contextlib.suppress(SecretNotFoundException):
            _backend(self.account_id, self.region_name).delete_secret(self.physical_id, None, True)


def _target_details(props: dict[str, Any], account_id: str, region_name: str) -> dict[str, Any]:
    rds = rds_backends[account_id][region_name]
    target, kind = str(props["TargetId"]).lower(), props["TargetType"]
    if kind == "AWS::RDS::DBCluster":
        cluster = rds.describe_db_clusters(target)[0]
        engine, host, port, key = cluster.engine, cluster.endpoint, cluster.port, "dbClusterIdentifier"
        identifier = cluster.db_cluster_identifier
    elif kind == "AWS::RDS::DBInstance":
        instance = rds.describe_db_instances(target)[0]
        engine, host, port, key = instance.engine, instance.address, instance.port, "dbInstanceIdentifier"
        identifier = instance.db_instance_identifier
    else:
        raise ValidationError(message=f"AWS::SecretsManager::SecretTargetAttachment: TargetType {kind} is not emulated")
    # Secrets Manager names the engine family, as its rotation functions expect.
    engine = {"aurora-postgresql": "postgres", "aurora-mysql": "mysql", "aurora": "mysql"}.get(engine, engine)
    return {"engine": engine, "host": host, "port": int(port), key: identifier}


class SecretTargetAttachmentResource(Resource, CloudFormationModel):
    TYPE = "AWS::SecretsManager::SecretTargetAttachment"
    IN_PLACE = frozenset({"TargetId", "TargetType"})
    ATTRIBUTES: ClassVar[Getters] = {"Id": lambda r: r.physical_id}

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        resource = cls("", props, account_id, region_name)
        resource.physical_id = resource.attach(props)
        return resource

    def attach(self, props: dict[str, Any]) -> str:
        backend = _backend(self.account_id, self.region_name)
        secret = backend.describe_secret(props["SecretId"])
        document = _current_json(backend, secret.arn)
        document.pop("dbClusterIdentifier", None)
        document.pop("dbInstanceIdentifier", None)
        document.update(_target_details(props, self.account_id, self.region_name))
        backend.put_secret_value(secret.arn, json.dumps(document), None, None, ["AWSCURRENT"])
        return secret.arn

    def update(self, props: dict[str, Any]) -> None:
        self.attach(props)

    def destroy(self) -> None:
        pass  # as in AWS, detaching leaves the secret's value as it is


_schedules: dict[str, dict[str, Any]] = {}  # secret ARN -> RotationRules, for DescribeSecret


class RotationScheduleResource(Resource, CloudFormationModel):
    TYPE = "AWS::SecretsManager::RotationSchedule"
    IN_PLACE = frozenset({"RotationLambdaARN", "RotationRules", "RotateImmediatelyOnUpdate"})
    ATTRIBUTES: ClassVar[Getters] = {"Id": lambda r: r.physical_id}

    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        resource = cls(_backend(account_id, region_name).describe_secret(props["SecretId"]).arn, props, account_id, region_name)
        resource.update(props)
        return resource

    def update(self, props: dict[str, Any]) -> None:
        if "HostedRotationLambda" in props:
            raise ValidationError(message="HostedRotationLambda needs the template to declare "
                                          "Transform: AWS::SecretsManager-2020-07-23")
        function = props.get("RotationLambdaARN")
        if not function:
            raise ValidationError(message="AWS::SecretsManager::RotationSchedule: RotationLambdaARN is required")
        lambda_backend(self.account_id, self.region_name).get_function(function)  # fails if it does not exist
        rules = dict(props.get("RotationRules") or {})
        secret: FakeSecret = _backend(self.account_id, self.region_name).secrets[self.physical_id]
        days = as_int(rules.get("AutomaticallyAfterDays")) or _days_of(rules.get("ScheduleExpression"))
        secret.rotation_requested = True
        secret.rotation_enabled = True
        secret.rotation_lambda_arn = function
        secret.auto_rotate_after_days = days or 0
        secret.next_rotation_date = int(time.time()) + days * 86400 if days else None
        _schedules[secret.arn] = {k: rules[k] for k in ("ScheduleExpression", "Duration") if k in rules}

    def destroy(self) -> None:
        secret = _backend(self.account_id, self.region_name).secrets.get(self.physical_id)
        _schedules.pop(self.physical_id, None)
        if secret is not None:  # as CancelRotateSecret: the function stays recorded, rotation is off
            secret.rotation_enabled = False


def _days_of(expression: Any) -> int | None:
    match = re.fullmatch(r"rate\((\d+) days?\)", str(expression or "").strip())
    return int(match.group(1)) if match else None


_moto_to_dict = FakeSecret.to_dict


def _to_dict(self: FakeSecret) -> dict[str, Any]:
    # moto's DescribeSecret shows only AutomaticallyAfterDays; Secrets Manager also shows the
    # schedule expression and window a rotation was configured with.
    document = _moto_to_dict(self)
    extra = _schedules.get(self.arn)
    if extra and "RotationRules" in document:
        document["RotationRules"].update(extra)
    return document


FakeSecret.to_dict = _to_dict  # type: ignore[method-assign]


# --- dynamic references ------------------------------------------------------------------------

_REFERENCE = re.compile(r"\{\{resolve:secretsmanager:([^{}]+)\}\}")


def _resolve_one(backend: SecretsManagerBackend, reference: str) -> str:
    """`secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]`; the id may be an ARN."""
    parts = reference.split(":")
    if reference.startswith("arn:"):
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    rest += [""] * (4 - len(rest))
    kind, key, stage, version = rest[:4]
    if kind not in ("", "SecretString"):
        raise ValidationError(message=f"dynamic reference to {secret_id}: only SecretString can be resolved, not {kind}")
    try:
        value = backend.get_secret_value(secret_id, version or None, stage or ("AWSCURRENT" if not version else None))
    except SecretNotFoundException:
        raise ValidationError(message=f"dynamic reference: Secrets Manager has no secret {secret_id}") from None
    text = value.get("SecretString", "")
    if not key:
        return text
    try:
        return str(json.loads(text)[key])
    except (json.JSONDecodeError, KeyError, TypeError):
        raise ValidationError(message=f"dynamic reference: secret {secret_id} has no JSON key {key}") from None


def _resolve(value: Any, backend: SecretsManagerBackend) -> Any:
    if isinstance(value, str) and "{{resolve:secretsmanager:" in value:
        return _REFERENCE.sub(lambda match: _resolve_one(backend, match.group(1)), value)
    if isinstance(value, dict):
        return {k: _resolve(v, backend) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, backend) for v in value]
    return value


_moto_parse_resource = parsing.parse_resource


def parse_resource(resource_json: dict[str, Any], resources_map: Any) -> Any:
    parsed = _moto_parse_resource(resource_json, resources_map)
    if parsed:
        resource_class, cleaned, resource_type = parsed
        backend = _backend(resources_map._account_id, resources_map._region_name)
        cleaned = {**cleaned, "Properties": _resolve(cleaned.get("Properties", {}), backend)}
        parsed = (resource_class, cleaned, resource_type)
    return parsed


parsing.parse_resource = parse_resource
