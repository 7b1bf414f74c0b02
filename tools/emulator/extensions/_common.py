"""Plumbing shared by the CloudFormation models in this package.

moto's CloudFormation parser finds its models through CloudFormationModel.__subclasses__(), which
lists DIRECT subclasses only. So the shared behaviour lives in a mixin, `Resource`, and every model
is declared as `class X(Resource, CloudFormationModel)`.

A model here is a thin handle on an object kept by one of moto's own service backends: it holds
the physical id (what Ref returns), the properties it was created or last updated with, and the
account and region. Every create, update and delete goes through that backend.
"""

import json
import re
from collections.abc import Callable
from typing import Any, ClassVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


def as_bool(value: Any) -> bool:
    """Template booleans arrive as bool from YAML/JSON literals but as "true" from parameters."""
    return value if isinstance(value, bool) else str(value).lower() == "true"


def as_int(value: Any) -> int | None:
    return None if value is None else int(value)


def json_text(document: Any) -> str:
    """Policies are JSON objects in a template and JSON strings in the service APIs."""
    return document if isinstance(document, str) else json.dumps(document)


def short_name(generated: str, limit: int) -> str:
    """A lowercase name of at most `limit` characters from moto's generated `stack-Logical-SUFFIX`,
    keeping the random suffix so that names stay unique (ElastiCache ids: letters, digits, '-')."""
    name = re.sub(r"[^a-z0-9]+", "-", generated.lower()).strip("-")
    if not name[:1].isalpha():
        name = f"r-{name}"
    if len(name) > limit:
        head, _, suffix = name.rpartition("-")
        name = f"{head[: limit - len(suffix) - 1].rstrip('-')}-{suffix}"
    return name


# Fn::GetAtt name -> getter, a class-level table of each model.
Getters = dict[str, Callable[[Any], Any]]


def replace_resource(cls: Any, old: Any, new_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Any:
    """CloudFormation's replacement of one of moto's own models: the new resource first, then the
    old one goes (for the patched native models whose names cannot collide)."""
    new = cls.create_from_cloudformation_json(new_name, cloudformation_json, account_id, region_name)
    old.delete(account_id, region_name)
    return new


class Resource:
    TYPE = ""  # e.g. "AWS::SQS::QueuePolicy"
    NAME_PROPERTY = ""  # property that names the resource; moto generates a name when it is absent
    IN_PLACE: frozenset[str] = frozenset()  # properties this model can change without replacement
    ATTRIBUTES: ClassVar[Getters] = {}  # Fn::GetAtt name -> getter

    def __init__(self, physical_id: str, properties: dict[str, Any], account_id: str, region_name: str):
        self.physical_id = physical_id
        self.properties = properties
        self.account_id = account_id
        self.region_name = region_name

    # --- what a model implements -----------------------------------------------------------
    @classmethod
    def create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> "Resource":
        raise NotImplementedError

    def update(self, props: dict[str, Any]) -> None:
        """Apply `props` in place; called when needs_replacement() is False for the changes."""
        raise NotImplementedError

    def destroy(self) -> None:
        """Delete the backend object; tolerate it being gone already (moto deletes in any order)."""
        raise NotImplementedError

    def needs_replacement(self, changed: set[str]) -> bool:
        return not changed <= self.IN_PLACE

    # --- the CloudFormationModel interface -------------------------------------------------
    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException
        return self.ATTRIBUTES[attribute_name](self)

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        # moto's stack delete calls resource.delete() and, on TypeError or AttributeError, takes it
        # for "no delete() here" and falls back to delete_from_cloudformation_json, which for these
        # models is the abstract no-op. Turn such a bug into a visible failure instead.
        try:
            self.destroy()
        except (TypeError, AttributeError) as error:
            raise RuntimeError(f"{self.TYPE} {self.physical_id}: {error!r}") from error

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> "Resource":
        return cls.create(resource_name, cloudformation_json["Properties"], account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: "Resource",
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> "Resource":
        props = cloudformation_json["Properties"]
        old = original_resource.properties
        changed = {key for key in {*old, *props} if old.get(key) != props.get(key)}
        if not original_resource.needs_replacement(changed):
            original_resource.update(props)
            original_resource.properties = props
            return original_resource
        # Replacement. Real CloudFormation creates the new resource before deleting the old one;
        # here the old one goes first, since a fixed name would otherwise collide.
        original_resource.delete(account_id, region_name)
        return cls.create(new_resource_name, props, account_id, region_name)
