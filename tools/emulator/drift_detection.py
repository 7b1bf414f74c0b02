"""CloudFormation stack drift detection for moto 5.2, which has none.

Adds the actions DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts
and DetectStackResourceDrift to moto's CloudFormationResponse, and the drift information
CloudFormation reports elsewhere: DriftInformation {StackDriftStatus, LastCheckTimestamp} of
DescribeStacks and ListStacks, and of each resource in DescribeStackResource(s) and
ListStackResources (NOT_CHECKED until a detection checked it).

A detection compares every resource of the stack (or the LogicalResourceIds asked for): its
template properties, resolved as moto resolved them at deploy time (parameters, Ref, GetAtt, Sub,
ImportValue, If, FindInMap), against what its service reports now (drift_properties.py), with
CloudFormation's semantic equality (drift_compare.py). It runs to completion inside
DetectStackDrift, so its status is DETECTION_COMPLETE (or DETECTION_FAILED, naming the resources
that could not be checked) as soon as the id is returned; CloudFormation's DETECTION_IN_PROGRESS
never shows.

Secrets stay out: a property whose template value uses a NoEcho parameter or a secret dynamic
reference ({{resolve:secretsmanager:...}}, {{resolve:ssm-secure:...}}) is not compared, so its
value never reaches ExpectedProperties, ActualProperties or a PropertyDifference.

Results live in this process, per stack id: the latest whole-stack detection and the latest check
of each resource, like CloudFormation keeps them (DetectStackResourceDrift updates one resource's).
"""

import base64
import binascii
import copy
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Stack
from moto.cloudformation.responses import CloudFormationResponse, StackResourceDTO
from moto.core.responses import ActionResult

import drift_compare
from drift_properties import TYPES

MODIFIED, DELETED, IN_SYNC, NOT_CHECKED = "MODIFIED", "DELETED", "IN_SYNC", "NOT_CHECKED"
_SECRET_REFERENCES = ("{{resolve:secretsmanager:", "{{resolve:ssm-secure:")


@dataclass
class Detection:
    id: str
    stack_id: str
    timestamp: datetime
    drifts: list[dict[str, Any]]
    failed: list[str] = field(default_factory=list)

    @property
    def drifted_count(self) -> int:
        return sum(1 for drift in self.drifts if drift["StackResourceDriftStatus"] in (MODIFIED, DELETED))

    @property
    def stack_drift_status(self) -> str:
        return "DRIFTED" if self.drifted_count else IN_SYNC

    def status(self) -> dict[str, Any]:
        result = {
            "StackId": self.stack_id,
            "StackDriftDetectionId": self.id,
            "StackDriftStatus": self.stack_drift_status,
            "DetectionStatus": "DETECTION_FAILED" if self.failed else "DETECTION_COMPLETE",
            "DriftedStackResourceCount": self.drifted_count,
            "Timestamp": self.timestamp,
        }
        if self.failed:
            result["DetectionStatusReason"] = f"Failed to detect drift on resources [{', '.join(self.failed)}]"
        return result


class _Results:
    """The latest detections by id (as CloudFormation, a bounded number of them), and per stack its
    latest stack check and each resource's latest."""

    KEPT = 1000  # detections whose status can still be asked for; a long-lived twin stays bounded

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._detections: dict[str, Detection] = {}  # in insertion order: the oldest first
        self._stack: dict[str, Detection] = {}
        self._resources: dict[str, dict[str, dict[str, Any]]] = {}

    def record(self, detection: Detection, whole_stack: bool) -> None:
        with self._lock:
            self._detections[detection.id] = detection
            while len(self._detections) > self.KEPT:
                del self._detections[next(iter(self._detections))]
            if whole_stack:
                self._stack[detection.stack_id] = detection
            checked = self._resources.setdefault(detection.stack_id, {})
            for drift in detection.drifts:
                checked[drift["LogicalResourceId"]] = drift

    def detection(self, detection_id: str) -> Detection | None:
        with self._lock:
            return self._detections.get(detection_id)

    def stack(self, stack_id: str) -> Detection | None:
        with self._lock:
            return self._stack.get(stack_id)

    def resources(self, stack_id: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._resources.get(stack_id, {}))


RESULTS = _Results()


# --- resolving the template ------------------------------------------------------------------------


class _Unresolvable(Exception):
    pass


class _ExistingResources:
    """The stack's resource map as clean_json reads it, but never creating anything: moto's own map
    creates a resource it has not parsed yet when a Ref names it."""

    def __init__(self, resource_map: Any) -> None:
        self._map = resource_map

    def __getattr__(self, name: str) -> Any:
        # Everything else as the map has it: conditions, exports, and the region and account that
        # the patched clean_json of other modules read (vpc_fidelity.py's Fn::GetAZs).
        return getattr(self._map, name)

    def __getitem__(self, key: str) -> Any:
        parsed = self._map._parsed_resources
        if key in parsed:  # AWS::NoValue is there, as None
            return parsed[key]
        raise _Unresolvable(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self._map._parsed_resources.get(key, default)


def _mentions_secret(value: Any, secret_parameters: set[str]) -> bool:
    if isinstance(value, dict):
        if value.get("Ref") in secret_parameters:
            return True
        sub = value.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) and sub else sub
        if isinstance(text, str) and any(f"${{{name}}}" in text for name in secret_parameters):
            return True
        return any(_mentions_secret(v, secret_parameters) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_secret(v, secret_parameters) for v in value)
    return isinstance(value, str) and any(reference in value for reference in _SECRET_REFERENCES)


def _expected(stack: Stack, logical_id: str, compared: frozenset[str]) -> dict[str, Any]:
    resource_map = stack.resource_map
    raw = copy.deepcopy(resource_map._resource_json_map[logical_id].get("Properties") or {})
    secret_parameters = set(getattr(resource_map, "no_echo_parameter_keys", []))
    kept = {key: value for key, value in raw.items() if key in compared and not _mentions_secret(value, secret_parameters)}
    try:
        resolved = parsing.clean_json(kept, _ExistingResources(resource_map))
    except (_Unresolvable, KeyError) as missing:
        raise _Unresolvable(f"{logical_id} refers to {missing.args[0]}, which the emulator did not create") from missing
    return resolved


# --- detecting -------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _stack_resources(stack: Stack) -> list[tuple[str, str, Any]]:
    """(logical id, type, moto model) of every resource the stack holds, in template order."""
    parsed = stack.resource_map._parsed_resources
    return [
        (logical_id, resource_json.get("Type", ""), parsed[logical_id])
        for logical_id, resource_json in stack.resource_map._resource_json_map.items()
        if parsed.get(logical_id) is not None
    ]


def check_resource(stack: Stack, logical_id: str, resource_type: str, model: Any, when: datetime) -> dict[str, Any]:
    physical_id = str(getattr(model, "physical_resource_id", "") or "")
    drift: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": resource_type,
        "PropertyDifferences": [],
        "Timestamp": when,
    }
    kind = TYPES.get(resource_type)
    if kind is None:
        return {**drift, "StackResourceDriftStatus": NOT_CHECKED}
    expected = kind.normalise(_expected(stack, logical_id, kind.compared))
    drift["ExpectedProperties"] = json.dumps(expected, separators=(",", ":"), default=str)
    found = kind.read(physical_id, stack.account_id, stack.region_name, expected)
    if found is None:
        return {**drift, "StackResourceDriftStatus": DELETED}
    if "Tags" in expected:
        found["Tags"] = kind.actual_tags(physical_id, stack.account_id, stack.region_name)
    # Only what the template sets is compared, and reported, as CloudFormation does.
    actual = kind.normalise({key: value for key, value in found.items() if key in expected})
    drift["ActualProperties"] = json.dumps(actual, separators=(",", ":"), default=str)
    differences = drift_compare.differences(expected, actual, kind.comparison)
    drift["PropertyDifferences"] = [difference.as_api() for difference in differences]
    drift["StackResourceDriftStatus"] = MODIFIED if differences else IN_SYNC
    return drift


def detect(stack: Stack, logical_ids: list[str] | None) -> Detection:
    resources = _stack_resources(stack)
    if logical_ids:
        known = {logical_id for logical_id, _, _ in resources}
        unknown = [logical_id for logical_id in logical_ids if logical_id not in known]
        if unknown:
            raise ValidationError(message=f"Resources [{', '.join(unknown)}] do not exist in stack {stack.name}")
        resources = [resource for resource in resources if resource[0] in logical_ids]
    when = _now()
    detection = Detection(id=str(uuid.uuid4()), stack_id=stack.stack_id, timestamp=when, drifts=[])
    for logical_id, resource_type, model in resources:
        try:
            detection.drifts.append(check_resource(stack, logical_id, resource_type, model, when))
        except Exception as error:  # noqa: BLE001 - one resource's failure must not hide the others'
            detection.failed.append(logical_id)
            detection.drifts.append({
                "StackId": stack.stack_id,
                "LogicalResourceId": logical_id,
                "PhysicalResourceId": str(getattr(model, "physical_resource_id", "") or ""),
                "ResourceType": resource_type,
                "PropertyDifferences": [],
                "StackResourceDriftStatus": NOT_CHECKED,
                "DriftStatusReason": f"The emulator could not check this resource: {error}",
                "Timestamp": when,
            })
    RESULTS.record(detection, whole_stack=not logical_ids)
    return detection


def _checkable_stack(backend: Any, name_or_id: str) -> Stack:
    if not name_or_id:
        raise ValidationError(message="1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
    stack = backend.get_stack(name_or_id)
    if stack.status == "DELETE_COMPLETE":
        raise ValidationError(name_or_id)
    if stack.status.endswith("_IN_PROGRESS"):
        raise ValidationError(message=f"Stack {stack.name} is in {stack.status} state and drift detection cannot be performed on it")
    return stack


# --- the API ---------------------------------------------------------------------------------------


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise ValidationError(message="Invalid NextToken") from error
    if not isinstance(offset, int) or offset < 0:
        raise ValidationError(message="Invalid NextToken")
    return offset


def detect_stack_drift(self: CloudFormationResponse) -> ActionResult:
    stack = _checkable_stack(self.cloudformation_backend, self._get_param("StackName"))
    detection = detect(stack, self._get_param("LogicalResourceIds") or None)
    return ActionResult({"StackDriftDetectionId": detection.id})


def detect_stack_resource_drift(self: CloudFormationResponse) -> ActionResult:
    stack = _checkable_stack(self.cloudformation_backend, self._get_param("StackName"))
    logical_id = self._get_param("LogicalResourceId")
    detection = detect(stack, [logical_id])
    if detection.failed:
        raise ValidationError(message=detection.drifts[0].get("DriftStatusReason", f"Failed to detect drift on resource {logical_id}"))
    return ActionResult({"StackResourceDrift": detection.drifts[0]})


def describe_stack_drift_detection_status(self: CloudFormationResponse) -> ActionResult:
    detection_id = self._get_param("StackDriftDetectionId") or ""
    if not 1 <= len(detection_id) <= 36:  # the API's length constraint
        raise ValidationError(
            message=f"1 validation error detected: Value '{detection_id}' at 'stackDriftDetectionId' failed to satisfy constraint: Member must have length between 1 and 36"
        )
    detection = RESULTS.detection(detection_id)
    if detection is None:
        raise ValidationError(message=f"Stack drift detection with id {detection_id} does not exist")
    return ActionResult(detection.status())


def describe_stack_resource_drifts(self: CloudFormationResponse) -> ActionResult:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    wanted = set(self._get_param("StackResourceDriftStatusFilters") or [])
    max_results = self._get_param("MaxResults")
    limit = 100 if max_results is None else int(max_results)
    if not 1 <= limit <= 100:
        raise ValidationError(message=f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100")
    offset = _page_offset(self._get_param("NextToken"))
    checked = RESULTS.resources(stack.stack_id)
    order = [logical_id for logical_id, _, _ in _stack_resources(stack)]
    drifts = [checked[logical_id] for logical_id in order + sorted(set(checked) - set(order)) if logical_id in checked]
    drifts = [drift for drift in drifts if not wanted or drift["StackResourceDriftStatus"] in wanted]
    page = drifts[offset : offset + limit]
    result: dict[str, Any] = {"StackResourceDrifts": page}
    if offset + limit < len(drifts):
        result["NextToken"] = _page_token(offset + limit)
    return ActionResult(result)


CloudFormationResponse.detect_stack_drift = detect_stack_drift  # type: ignore[attr-defined]
CloudFormationResponse.detect_stack_resource_drift = detect_stack_resource_drift  # type: ignore[attr-defined]
CloudFormationResponse.describe_stack_drift_detection_status = describe_stack_drift_detection_status  # type: ignore[attr-defined]
CloudFormationResponse.describe_stack_resource_drifts = describe_stack_resource_drifts  # type: ignore[attr-defined]


# --- drift information in DescribeStacks, ListStacks and the stack resource calls ------------------


def _stack_drift_information(stack: Stack) -> dict[str, Any]:
    detection = RESULTS.stack(stack.stack_id)
    if detection is None:
        return {"StackDriftStatus": NOT_CHECKED}
    return {"StackDriftStatus": detection.stack_drift_status, "LastCheckTimestamp": detection.timestamp}


def resource_drift_information(stack_id: str, logical_id: str | None) -> dict[str, Any]:
    drift = RESULTS.resources(stack_id).get(logical_id or "")
    if drift is None:
        return {"StackResourceDriftStatus": NOT_CHECKED}
    return {"StackResourceDriftStatus": drift["StackResourceDriftStatus"], "LastCheckTimestamp": drift["Timestamp"]}


def _dto_drift_information(dto: StackResourceDTO) -> dict[str, Any]:
    return resource_drift_information(dto.stack_id, dto.logical_resource_id)


Stack.drift_information = property(_stack_drift_information)  # type: ignore[attr-defined]
StackResourceDTO.drift_information = property(_dto_drift_information)  # type: ignore[attr-defined]

_moto_list_stack_resources = CloudFormationResponse.list_stack_resources


def list_stack_resources(self: CloudFormationResponse) -> ActionResult:
    # moto builds these summaries as plain mappings: add each one's drift information.
    result = _moto_list_stack_resources(self)
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    for summary in result.result["StackResourceSummaries"]:  # type: ignore[index]
        summary["DriftInformation"] = resource_drift_information(stack.stack_id, summary.get("LogicalResourceId"))
    return result


CloudFormationResponse.list_stack_resources = list_stack_resources  # type: ignore[method-assign]
