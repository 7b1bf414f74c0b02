"""Make moto 5.2's stack deletion behave like CloudFormation's where `biomage destroy` relies on it.

1. DeletionPolicy: moto keeps a resource only when its DeletionPolicy is the plain string
   "Retain"; the form CloudFormation accepts as well, `!If [IsDevelopment, Delete, Retain]`, was
   ignored and the resource deleted. Here the policy is resolved against the stack's conditions
   as deployed. `Retain` and `RetainExceptOnCreate` keep the resource (a DELETE_SKIPPED event, as
   in AWS; a failed creation's rollback deletes a RetainExceptOnCreate resource, also as in AWS).
   `Snapshot` takes a final snapshot of an RDS instance or Aurora cluster, named
   `<stack>-<logical id>-snapshot-<8 characters of the stack id>` (DescribeDBSnapshots and
   DescribeDBClusterSnapshots show it), then deletes it; for the other types CloudFormation can
   snapshot (ElastiCache, EC2 volumes, ...) moto has no snapshots, so the resource is kept, which
   loses nothing. With no DeletionPolicy, an RDS cluster, or an instance outside a cluster, gets
   CloudFormation's default for them: Snapshot.
2. Failures: an error while a resource was deleted escaped DeleteStack as an API error and the
   stack vanished half-deleted. CloudFormation records the resource's DELETE_FAILED event with
   its reason and leaves the stack DELETE_FAILED, holding what it could not delete; DeleteStack
   again retries. moto also "deleted" a non-empty S3 bucket by leaving it in place; S3 refuses,
   and so does the stack deletion here, with S3's message.
3. Termination protection: moto stores EnableTerminationProtection (CreateStack) and DescribeStacks
   shows it, but has no UpdateTerminationProtection and deletes a protected stack. Both as AWS.
4. Exports in use: CloudFormation refuses to delete a stack whose export another stack imports
   (DELETE_FAILED, naming both); moto deleted it and left the importer dangling. moto also has no
   ListImports, which names the stacks importing an export.

Retaining, snapshotting and the failure events apply to a failed creation's rollback as well,
which (as in change_set_fidelity.py) goes through the same ResourceMap.delete.
"""

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.parsing import ResourceMap, clean_json
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.rds.models import rds_backends
from moto.s3.models import FakeBucket

import change_set_fidelity

_KEEP = {"Retain", "RetainExceptOnCreate"}
# Set while DeleteStack deletes a stack's resources: a failed creation's rollback goes through the
# same ResourceMap.delete, and there RetainExceptOnCreate deletes (that is its point).
_stack_deletion = threading.local()
_RDS_SNAPSHOT_TYPES = {"AWS::RDS::DBInstance", "AWS::RDS::DBCluster"}


class ResourceDeletionFailed(Exception):
    """A resource of the stack could not be deleted: the stack ends DELETE_FAILED."""

    def __init__(self, logical_id: str, reason: str):
        super().__init__(reason)
        self.logical_id = logical_id


# --- 1. DeletionPolicy ----------------------------------------------------------------------------------------------------------


def deletion_policy(resource_map: Any, resource_json: dict[str, Any]) -> str:
    """The resource's DeletionPolicy with its Fn::If resolved, or CloudFormation's default."""
    raw = resource_json.get("DeletionPolicy")
    if raw is None:
        properties = resource_json.get("Properties") or {}
        kind = resource_json.get("Type")
        if kind == "AWS::RDS::DBCluster" or (kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in properties):
            return "Snapshot"
        return "Delete"
    return str(raw if isinstance(raw, str) else clean_json(raw, resource_map))


def _snapshot_name(stack: Any, logical_id: str) -> str:
    suffix = stack.stack_id.rsplit("/", 1)[-1].replace("-", "")[:8] if stack is not None else "emulated"
    name = f"{stack.name if stack is not None else 'stack'}-{logical_id}-snapshot-{suffix}".lower()
    return "-".join(part for part in name.split("-") if part)  # RDS refuses consecutive hyphens


def _take_final_snapshot(resource_map: Any, stack: Any, logical_id: str, kind: str, resource: Any) -> bool:
    """Snapshot an RDS instance or cluster before it is deleted; False when moto cannot."""
    if kind not in _RDS_SNAPSHOT_TYPES:
        return False
    backend = rds_backends[resource_map._account_id][resource_map._region_name]
    name = _snapshot_name(stack, logical_id)
    if kind == "AWS::RDS::DBCluster":
        if name not in backend.cluster_snapshots:  # a retried deletion has taken it already
            backend.create_db_cluster_snapshot(resource.physical_resource_id, name)
        return True
    if getattr(resource, "db_cluster_identifier", None):
        return True  # a cluster member: the cluster's snapshot holds its data, as in AWS
    if name not in backend.database_snapshots:
        backend.create_db_snapshot(resource.physical_resource_id, name)
    return True


def _refuse_non_empty_bucket(resource: Any) -> None:
    if isinstance(resource, FakeBucket) and resource.keys:
        raise RuntimeError(
            "The bucket you tried to delete is not empty (Service: S3, Status Code: 409, Error Code: BucketNotEmpty)"
        )


def delete(self: Any) -> None:
    """moto's ResourceMap.delete with the policies above, and the failing resource named."""
    stack = change_set_fidelity._stack_of(self)
    pending: dict[str, tuple[Any, dict[str, Any], str]] = {}
    for logical_id, resource_json in self._resource_json_map.items():
        resource = self._parsed_resources.get(logical_id)
        if resource is None or isinstance(resource, str):
            continue  # never created (a false Condition, or a type moto skips)
        policy = deletion_policy(self, resource_json)
        kind = resource_json.get("Type", "")
        physical_id = getattr(resource, "physical_resource_id", "") or ""
        rolling_back = not getattr(_stack_deletion, "active", False)
        if policy == "RetainExceptOnCreate" and rolling_back:
            policy = "Delete"
        if policy in _KEEP or (policy == "Snapshot" and kind not in _RDS_SNAPSHOT_TYPES):
            if stack is not None:
                change_set_fidelity._resource_event(stack, logical_id, kind, "DELETE_SKIPPED", physical_id)
            continue
        pending[logical_id] = (resource, resource_json, policy)

    # A deleted resource leaves the map, as it leaves the stack in AWS: moto re-creates any
    # resource the map is asked for and does not hold (ListStackResources, a Ref in an output).
    self._resource_json_map = dict(self._resource_json_map)

    # moto deletes in no particular order and retries what failed (a dependency still there):
    # one DELETE_IN_PROGRESS event per resource, as in AWS.
    saved = getattr(change_set_fidelity._creating, "attempted", None)
    change_set_fidelity._creating.attempted = set() if saved is None else saved
    failed: tuple[str, Exception] | None = None
    try:
        progressing = True
        while pending and progressing:
            progressing = False
            for logical_id, (resource, resource_json, policy) in list(pending.items()):
                try:
                    _refuse_non_empty_bucket(resource)
                    if policy == "Snapshot":
                        _take_final_snapshot(self, stack, logical_id, resource_json.get("Type", ""), resource)
                    self._delete_resource(resource, resource_json)
                except Exception as error:  # noqa: BLE001 - any error: retried, then the stack's failure
                    failed = (logical_id, error)
                else:
                    self._parsed_resources.pop(logical_id, None)
                    self._resource_json_map.pop(logical_id, None)
                    del pending[logical_id]
                    progressing = True
    finally:
        change_set_fidelity._creating.attempted = saved

    if pending and failed is not None:
        logical_id, error = failed
        if logical_id not in pending:
            logical_id = next(iter(pending))
        resource, resource_json, _ = pending[logical_id]
        if stack is not None:
            change_set_fidelity._resource_event(
                stack, logical_id, resource_json.get("Type", ""), "DELETE_FAILED",
                getattr(resource, "physical_resource_id", "") or "", reason=str(error),
            )
        raise ResourceDeletionFailed(logical_id, str(error))


# --- 2-4. DeleteStack: protection, exports in use, DELETE_FAILED ----------------------------------------------------------------


def _live_stack(backend: Any, name_or_stack_id: str) -> Any:
    if name_or_stack_id in backend.stacks:
        return backend.stacks[name_or_stack_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_stack_id), None)


def _imports_of(value: Any, resource_map: Any, found: set[str]) -> None:
    """The export names `value` imports, following only the live branch of each Fn::If."""
    if isinstance(value, list):
        for item in value:
            _imports_of(item, resource_map, found)
        return
    if not isinstance(value, dict):
        return
    if "Fn::If" in value and isinstance(value["Fn::If"], list) and len(value["Fn::If"]) == 3:
        condition, when_true, when_false = value["Fn::If"]
        _imports_of(when_true if resource_map.lazy_condition_map[condition] else when_false, resource_map, found)
        return
    if "Fn::ImportValue" in value:
        name = value["Fn::ImportValue"]
        found.add(name if isinstance(name, str) else str(clean_json(name, resource_map)))
        return
    for item in value.values():
        _imports_of(item, resource_map, found)


def stack_imports(stack: Any) -> set[str]:
    """The exports a deployed stack imports, from its template as deployed and its conditions."""
    found: set[str] = set()
    resource_map = stack.resource_map
    if stack.status == "REVIEW_IN_PROGRESS" or not hasattr(resource_map, "lazy_condition_map"):
        return found  # nothing deployed yet
    template = stack.template_dict or {}
    for section in ("Resources", "Outputs"):
        for item in (template.get(section) or {}).values():
            condition = item.get("Condition") if isinstance(item, dict) else None
            if condition and not resource_map.lazy_condition_map[condition]:
                continue
            try:
                _imports_of(item, resource_map, found)
            except Exception:  # noqa: BLE001 - a value moto cannot resolve imports nothing it can name
                continue
    return found


def importers(backend: Any, export_name: str) -> list[Any]:
    return [s for s in backend.stacks.values() if export_name in stack_imports(s)]


class _SettledOutputs(Mapping):  # type: ignore[type-arg]
    """A stack's outputs and exports as they were when its deletion began. moto evaluates them
    anew on every DescribeStacks, and evaluating a Ref to a deleted resource re-creates it."""

    def __init__(self, output_map: Any):
        self._outputs = {key: output_map[key] for key in output_map}
        self.exports = output_map.exports

    def __getitem__(self, key: str) -> Any:
        return self._outputs[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._outputs)

    def __len__(self) -> int:
        return len(self._outputs)


def delete_stack(self: Any, name_or_stack_id: str) -> None:
    stack = _live_stack(self, name_or_stack_id)
    if stack is None:
        return  # AWS: deleting a stack that does not exist (or no longer does) succeeds
    if stack.enable_termination_protection:
        raise ValidationError(message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
    export_names = [export.name for export in stack.exports]
    stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    in_use = [(name, other.name) for name in export_names for other in importers(self, name) if other is not stack]
    if in_use:
        name, importer = in_use[0]
        stack._add_stack_event("DELETE_FAILED", resource_status_reason=f"Export {name} cannot be deleted as it is in use by {importer}")
        stack.status = "DELETE_FAILED"
        return
    if not isinstance(stack.output_map, _SettledOutputs):
        stack.output_map = _SettledOutputs(stack.output_map)
    _stack_deletion.active = True
    try:
        stack.resource_map.delete()
    except ResourceDeletionFailed as failure:
        stack._add_stack_event("DELETE_FAILED", resource_status_reason=f"The following resource(s) failed to delete: [{failure.logical_id}]. ")
        stack.status = "DELETE_FAILED"
        return
    finally:
        _stack_deletion.active = False
    stack._add_stack_event("DELETE_COMPLETE")
    stack.status = "DELETE_COMPLETE"
    self.stacks.pop(stack.stack_id, None)
    self.deleted_stacks[stack.stack_id] = stack
    for name in export_names:
        self.exports.pop(name, None)


def update_termination_protection(self: Any, name_or_stack_id: str, enabled: bool) -> Any:
    stack = _live_stack(self, name_or_stack_id)
    if stack is None:
        raise ValidationError(name_or_stack_id)
    stack.enable_termination_protection = enabled
    return stack


def list_imports(self: Any, export_name: str) -> list[str]:
    names = sorted(s.name for s in importers(self, export_name))
    if not names:
        raise ValidationError(message=f"Export '{export_name}' is not imported by any stack.")
    return names


def update_termination_protection_response(self: Any) -> ActionResult:
    stack = self.cloudformation_backend.update_termination_protection(
        self._get_param("StackName"), self._get_bool_param("EnableTerminationProtection", False)
    )
    return ActionResult({"StackId": stack.stack_id})


def list_imports_response(self: Any) -> ActionResult:
    # Every importer fits one page here: an account has at most a few hundred stacks.
    return ActionResult({"Imports": self.cloudformation_backend.list_imports(self._get_param("ExportName"))})


ResourceMap.delete = delete
CloudFormationBackend.delete_stack = delete_stack
CloudFormationBackend.update_termination_protection = update_termination_protection  # type: ignore[attr-defined]
CloudFormationBackend.list_imports = list_imports  # type: ignore[attr-defined]
CloudFormationResponse.update_termination_protection = update_termination_protection_response  # type: ignore[attr-defined]
CloudFormationResponse.list_imports = list_imports_response  # type: ignore[attr-defined]
