"""Which property changes replace a resource, read from CloudFormation's own resource schemas.

CloudFormation decides whether a change set replaces a resource from the type's registry schema:
a change to one of its `createOnlyProperties` replaces it (RequiresRecreation Always), a change to
one of its `conditionalCreateOnlyProperties` may (Conditionally), any other change is made in
place (Never). cfn-lint ships those schemas in its package data: a provider file per region maps
each type name to a schema file. This module reads them (never a hand-kept list), lazily and
once: the first change set pays for the provider file, each type's schema is read on first use.

cfn-lint is located without being imported (importing it costs about a second).
"""

import functools
import importlib.util
import json
import os
from dataclasses import dataclass

DEFAULT_REGION = "eu-west-1"


@dataclass(frozen=True)
class ReplacementRules:
    """A type's replacement rules as JSON-pointer paths split into segments, `*` for any array item."""

    always: tuple[tuple[str, ...], ...]
    conditionally: tuple[tuple[str, ...], ...]


NO_RULES = ReplacementRules((), ())


@functools.cache
def _schemas_dir() -> str | None:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    directory = os.path.join(next(iter(spec.submodule_search_locations)), "data", "schemas")
    return directory if os.path.isdir(directory) else None


@functools.cache
def _provider(region: str) -> dict[str, str]:
    directory = _schemas_dir()
    if directory is None:
        return {}
    path = os.path.join(directory, "providers", f"{region}.json")
    if not os.path.exists(path):
        # A region cfn-lint does not know: the default region's catalogue is the nearest answer.
        path = os.path.join(directory, "providers", f"{DEFAULT_REGION}.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _paths(pointers: list[str] | None) -> tuple[tuple[str, ...], ...]:
    # "/properties/KeySchema" -> ("KeySchema",); "/properties/A/*/B" -> ("A", "*", "B").
    return tuple(tuple(p.split("/")[2:]) for p in pointers or () if p.startswith("/properties/"))


@functools.cache
def replacement_rules(type_name: str, region: str = DEFAULT_REGION) -> ReplacementRules:
    """The type's create-only and conditionally create-only property paths; none for an unknown type
    (a custom resource, or a type newer than the installed cfn-lint)."""
    schema_id = _provider(region).get(type_name)
    directory = _schemas_dir()
    if schema_id is None or directory is None:
        return NO_RULES
    with open(os.path.join(directory, "resources", f"{schema_id}.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    return ReplacementRules(_paths(schema.get("createOnlyProperties")), _paths(schema.get("conditionalCreateOnlyProperties")))


def _values_at(value, path: tuple[str, ...]):
    """The values found at `path` inside `value` (a list, as `*` fans out over array items)."""
    if not path:
        return [value]
    head, rest = path[0], path[1:]
    if head == "*":
        return [found for item in value for found in _values_at(item, rest)] if isinstance(value, list) else [None]
    if isinstance(value, dict):
        return _values_at(value.get(head), rest)
    return [None]


def recreation(type_name: str, name: str, old, new, region: str = DEFAULT_REGION) -> str:
    """CloudFormation's RequiresRecreation for a change of top-level property `name` from `old` to
    `new`: Always, Conditionally or Never. A nested create-only path counts only when the value at
    that path differs."""
    rules = replacement_rules(type_name, region)

    def touched(paths: tuple[tuple[str, ...], ...]) -> bool:
        return any(path[0] == name and _values_at(old, path[1:]) != _values_at(new, path[1:]) for path in paths if path)

    if touched(rules.always):
        return "Always"
    if touched(rules.conditionally):
        return "Conditionally"
    return "Never"
