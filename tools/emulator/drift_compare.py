"""Compare a resource's expected properties (its template's, resolved) with its actual ones the way
CloudFormation's drift detection does, and say where they differ.

Pure data in, data out: no moto here, so the rules are testable on their own (drift_properties.py
says, per resource type, how to read the actual properties and which of these rules apply).

Semantic equality, as CloudFormation compares:
- numbers and numeric strings are equal (300 == "300"), as are booleans and "true"/"false";
- an absent value equals an empty one (None, "", [], {}) and false: a template that omits a
  setting, or sets it to its default, has not drifted;
- inside a policy document (a JSON string or an object), a single value equals a one-element list
  of it ("s3:GetObject" == ["s3:GetObject"]) and lists of plain values are unordered;
- lists named `unordered` (security group rules, ...) match items regardless of position, and
  lists named `keyed` (a role's Policies) match items by a key (PolicyName).

Paths are CloudFormation's PropertyPath: `/Policies/0/PolicyDocument/Statement/0/Action`, indexes
of the expected list for removed items and of the actual list for added ones.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ADD, REMOVE, NOT_EQUAL = "ADD", "REMOVE", "NOT_EQUAL"


@dataclass(frozen=True)
class Rules:
    """Where a type's properties need more than plain equality. Paths are patterns in which `*`
    stands for any list index: `/Policies/*/PolicyDocument`."""

    unordered: frozenset[str] = frozenset()
    keyed: dict[str, str] = field(default_factory=dict)
    documents: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Difference:
    path: str
    expected: Any
    actual: Any
    kind: str

    def as_api(self) -> dict[str, str]:
        return {
            "PropertyPath": self.path,
            "ExpectedValue": as_text(self.expected),
            "ActualValue": as_text(self.actual),
            "DifferenceType": self.kind,
        }


def as_text(value: Any) -> str:
    """A PropertyDifference value: strings as they are, anything else as compact JSON ("null" for
    a value that is not there)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=False, default=str)


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _scalar(value: Any) -> Any:
    """The form in which two scalars compare: 300, 300.0 and "300" alike; True and "true" alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    if isinstance(value, str):
        if _NUMBER.match(value):
            return _scalar(float(value))
        if value.lower() in ("true", "false"):
            return value.lower()
    return value


def is_absent(value: Any) -> bool:
    return value is None or value is False or value in ("", "false") or value == [] or value == {}


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _pattern(path: str) -> str:
    return "/".join("*" if part.isdigit() else part for part in path.split("/"))


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def differences(expected: Any, actual: Any, rules: Rules, path: str = "", in_document: bool = False) -> list[Difference]:
    return list(_walk(expected, actual, rules, path, in_document))


def equal(expected: Any, actual: Any, rules: Rules, path: str = "", in_document: bool = False) -> bool:
    return next(_walk(expected, actual, rules, path, in_document), None) is None


def _walk(expected: Any, actual: Any, rules: Rules, path: str, in_document: bool) -> Iterator[Difference]:
    pattern = _pattern(path)
    if pattern in rules.documents:
        expected, actual, in_document = _parsed(expected), _parsed(actual), True
    original_expected, original_actual = expected, actual
    if in_document and isinstance(expected, list) != isinstance(actual, list) and not is_absent(expected) and not is_absent(actual):
        # A policy's "Action": "s3:*" is the same as "Action": ["s3:*"].
        expected = expected if isinstance(expected, list) else [expected]
        actual = actual if isinstance(actual, list) else [actual]
    if isinstance(expected, dict) and isinstance(actual, dict):
        yield from _walk_mapping(expected, actual, rules, path, in_document)
    elif isinstance(expected, list) and isinstance(actual, list):
        if pattern in rules.keyed:
            yield from _walk_keyed(expected, actual, rules, path, in_document, rules.keyed[pattern])
        elif in_document and not any(isinstance(v, (dict, list)) for v in expected + actual):
            # A policy's list of actions or resources is a set, reported whole when it differs.
            if sorted(map(str, map(_scalar, expected))) != sorted(map(str, map(_scalar, actual))):
                yield Difference(path, original_expected, original_actual, NOT_EQUAL)
        elif pattern in rules.unordered:
            yield from _walk_unordered(expected, actual, rules, path, in_document)
        else:
            yield from _walk_ordered(expected, actual, rules, path, in_document)
    elif is_absent(expected) and is_absent(actual):
        return
    elif _missing(actual):
        yield Difference(path, expected, None, REMOVE)
    elif isinstance(expected, (dict, list)) or isinstance(actual, (dict, list)) or _scalar(expected) != _scalar(actual):
        yield Difference(path, expected, actual, NOT_EQUAL)


def _walk_mapping(expected: dict[str, Any], actual: dict[str, Any], rules: Rules, path: str, in_document: bool) -> Iterator[Difference]:
    for key, value in expected.items():
        yield from _walk(value, actual.get(key), rules, f"{path}/{key}", in_document)
    for key, value in actual.items():
        if key not in expected and not is_absent(value):
            yield Difference(f"{path}/{key}", None, value, ADD)


def _walk_ordered(expected: list[Any], actual: list[Any], rules: Rules, path: str, in_document: bool) -> Iterator[Difference]:
    for index, value in enumerate(expected):
        if index < len(actual):
            yield from _walk(value, actual[index], rules, f"{path}/{index}", in_document)
        else:
            yield Difference(f"{path}/{index}", value, None, REMOVE)
    for index in range(len(expected), len(actual)):
        yield Difference(f"{path}/{index}", None, actual[index], ADD)


def _walk_unordered(expected: list[Any], actual: list[Any], rules: Rules, path: str, in_document: bool) -> Iterator[Difference]:
    unmatched = list(range(len(actual)))
    removed = []
    for index, value in enumerate(expected):
        match = next((j for j in unmatched if equal(value, actual[j], rules, f"{path}/{index}", in_document)), None)
        if match is None:
            removed.append(index)
        else:
            unmatched.remove(match)
    for index in removed:
        yield Difference(f"{path}/{index}", expected[index], None, REMOVE)
    for index in unmatched:
        yield Difference(f"{path}/{index}", None, actual[index], ADD)


def _walk_keyed(expected: list[Any], actual: list[Any], rules: Rules, path: str, in_document: bool, key: str) -> Iterator[Difference]:
    by_key = {item.get(key): (index, item) for index, item in enumerate(actual) if isinstance(item, dict)}
    seen = set()
    for index, value in enumerate(expected):
        name = value.get(key) if isinstance(value, dict) else None
        if name in by_key:
            seen.add(name)
            yield from _walk(value, by_key[name][1], rules, f"{path}/{index}", in_document)
        else:
            yield Difference(f"{path}/{index}", value, None, REMOVE)
    for name, (index, item) in by_key.items():
        if name not in seen:
            yield Difference(f"{path}/{index}", None, item, ADD)

