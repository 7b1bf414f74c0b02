"""Make moto 5.2's change-set execution behave like CloudFormation's where biomage relies on it.

biomage deploys every stack through a change set. moto executes change sets with these gaps
that would make the twin lie about a deploy:

1. Outputs and exports: execute_change_set refreshes neither the stack's outputs nor the
   account's exports (create_stack and update_stack do), and a stack made by CreateChangeSet is
   given no exports to import from: Fn::ImportValue fails although the exporter is complete.
2. Failures: an error while a resource is created escapes ExecuteChangeSet as an API error
   (moto's own "TODO: handle execution errors and implement rollback"). CloudFormation records
   the resource's *_FAILED event with its reason and rolls the stack back.
3. Events: moto records only stack-level events; CloudFormation records one per resource
   (created, updated, deleted), which `deploy-cf` streams as progress, and names the resource
   that failed, which `deploy-cf` reports.
4. Empty change sets: CloudFormation creates them with status FAILED ("didn't contain
   changes"), which is what `aws cloudformation deploy --no-fail-on-empty-changeset` relies on;
   moto's CreateChangeSet raises UpdateStack's "No updates are to be performed." instead (its
   backend would build the FAILED change set, but the request handler checks first).
5. Tags: executing an UPDATE change set leaves the stack's tags as they were; CloudFormation
   gives the stack the change set's tags. biomage records the deployed template's hash in a tag,
   so a stale tag would make a later deploy of an older template look "unchanged".
6. Parameter changes: a change set lists the resources whose template text changed, not those
   that only reference a parameter whose value changed (moto's UpdateStack does count them). The
   change set then holds no changes, and a deployer rightly takes it as "nothing to do".
7. Parameter defaults: moto's diff (of change sets and of the update itself) counts a parameter as
   changed only when a value passed for it changes, so a new Default in the template, for a
   parameter no value is passed for, changed nothing: the change set was empty and the update a
   no-op. CloudFormation resolves the new default and updates the resources that use it. Both
   diffs also see a parameter used as `${Name}` inside Fn::Sub, not only through Ref.
8. SSM-typed parameters (`AWS::SSM::Parameter::Value<…>`): CloudFormation keeps the parameter's
   value as the SSM parameter's name (DescribeStacks shows it, with the looked-up ResolvedValue
   beside it), so `UsePreviousValue` passes the name again and a Default compares as a name. moto
   keeps only the looked-up value: `aws cloudformation deploy` of an unchanged stack (which sends
   UsePreviousValue) then looked the AMI id up as a parameter name and failed, and the diff took
   every such Default as changed. And a list-typed parameter (`CommaDelimitedList`, `List<…>`)
   left at its Default stayed a string (moto splits passed values only), so `!Ref` of it handed a
   resource "r6i" where CloudFormation hands ["r6i"].

Each fix wraps moto's own functions; none re-implements storage. Known remaining difference: a
failed UPDATE is marked UPDATE_ROLLBACK_COMPLETE, but moto has already applied the resources
changed before the failure and does not restore them.
"""

import contextlib
import re
import threading

import moto.cloudformation.parsing as parsing
from moto.cloudformation.models import (
    ChangeSet,
    CloudFormationBackend,
    Event,
    Stack,
    cloudformation_backends,
)
from moto.cloudformation.responses import CloudFormationResponse

# The resources whose creation has started and not finished, innermost last (moto creates a
# resource's dependencies from inside its creation when it resolves a Ref or GetAtt).
_creating = threading.local()


def _stack_of(resources_map):
    backend = cloudformation_backends[resources_map._account_id][resources_map._region_name]
    return backend.stacks.get(resources_map.stack_id)


def _resource_event(stack, logical_id, resource_type, status, physical_id="", reason=None):
    stack.events.append(
        Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id,
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


_original_create = parsing.parse_and_create_resource


def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    stack = _stack_of(resources_map)
    resource_type = resource_json.get("Type", "")
    stack_attempts = getattr(_creating, "stack", None)
    if stack_attempts is not None:
        stack_attempts.append((logical_id, resource_type))
    if stack is not None:
        _resource_event(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
    resource = _original_create(logical_id, resource_json, resources_map, account_id, region_name)
    if stack_attempts is not None:
        stack_attempts.pop()
    if stack is not None:
        physical_id = getattr(resource, "physical_resource_id", "") if resource is not None else ""
        status = "CREATE_COMPLETE" if resource is not None else "CREATE_SKIPPED"
        _resource_event(stack, logical_id, resource_type, status, physical_id or "")
    return resource


_original_update = parsing.parse_and_update_resource


def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
    stack = _stack_of(resources_map)
    resource_type = resource_json.get("Type", "")
    if stack is not None and _first_attempt(logical_id):
        _resource_event(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS")
    try:
        resource = _original_update(logical_id, resource_json, resources_map, account_id, region_name)
    except Exception:
        _note_failure(logical_id, resource_type)
        raise
    if stack is not None:
        physical_id = getattr(resource, "physical_resource_id", "") if resource is not None else ""
        _resource_event(stack, logical_id, resource_type, "UPDATE_COMPLETE", physical_id or "")
    return resource


_original_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource(self, parsed_resource, resource_json):
    stack = _stack_of(self)
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    resource_type = resource_json.get("Type", "")
    physical_id = getattr(parsed_resource, "physical_resource_id", "") or ""
    if stack is not None and _first_attempt(logical_id):
        _resource_event(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical_id)
    try:
        _original_delete_resource(self, parsed_resource, resource_json)
    except Exception:
        _note_failure(logical_id, resource_type)
        raise
    if stack is not None:
        _resource_event(stack, logical_id, resource_type, "DELETE_COMPLETE", physical_id)


def _first_attempt(logical_id):
    # moto retries a failing update or delete: one IN_PROGRESS event per resource, as in AWS.
    attempted = getattr(_creating, "attempted", None)
    if attempted is None:
        return True
    first = logical_id not in attempted
    attempted.add(logical_id)
    return first


def _note_failure(logical_id, resource_type):
    # moto retries a failed update or delete a few times before giving up: the last one counts.
    if getattr(_creating, "stack", None) is not None:
        _creating.failed = (logical_id, resource_type)


_original_execute = CloudFormationBackend.execute_change_set


def _find_change_set(backend, change_set_name, stack_name):
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name and (
            stack_name is None or change_set.stack_name == stack_name
        ):
            return change_set
    return None


def execute_change_set(self, change_set_name, stack_name=None):
    change_set = _find_change_set(self, change_set_name, stack_name)
    if change_set is None:
        return _original_execute(self, change_set_name, stack_name)
    stack = self.stacks[change_set.stack_id]
    kind = change_set.change_set_type
    # Before a CREATE executes, the outputs name resources that do not exist yet.
    exports_before = {export.name for export in stack.exports} if kind == "UPDATE" else set()

    # Stacks made by CreateChangeSet are built without the account's exports to import from.
    stack.resource_map.cross_stack_resources = self.exports

    _creating.stack = []
    _creating.failed = None
    _creating.attempted = set()
    try:
        _original_execute(self, change_set_name, stack_name)
    except Exception as error:  # noqa: BLE001 - any resource error becomes a rollback, as in AWS
        # A resource being created when it failed, else the one whose update or delete failed.
        logical_id, resource_type = (_creating.stack or [_creating.failed or (stack.name, "AWS::CloudFormation::Stack")])[-1]
        _roll_back(stack, change_set, kind, logical_id, resource_type, str(error))
        return None
    finally:
        _creating.stack = None
        _creating.failed = None
        _creating.attempted = None

    # moto leaves the stack's parsed template and outputs as they were before the change set
    # (Stack.update refreshes them; change-set execution does not).
    stack.template_dict = change_set.template_dict
    # As UpdateStack: tags given replace the stack's; none given (moto parses that as {}) keep them.
    if change_set.tags:
        stack.tags = dict(change_set.tags)
    stack.output_map = stack._create_output_map()
    for name in exports_before - {export.name for export in stack.exports}:
        self.exports.pop(name, None)
    if kind == "CREATE":
        self._validate_export_uniqueness(stack)
    for export in stack.exports:
        self.exports[export.name] = export
    return None


def _roll_back(stack, change_set, kind, logical_id, resource_type, reason):
    _resource_event(stack, logical_id, resource_type, f"{kind}_FAILED", reason=reason)
    rollback = "ROLLBACK" if kind == "CREATE" else "UPDATE_ROLLBACK"
    stack._add_stack_event(
        f"{rollback}_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to {kind.lower()}: [{logical_id}].",
    )
    if kind == "CREATE":
        with contextlib.suppress(Exception):  # best effort, as CloudFormation's own rollback
            stack.resource_map.delete()
    stack._add_stack_event(f"{rollback}_COMPLETE")
    stack.status = f"{rollback}_COMPLETE"
    change_set.execution_status = "EXECUTE_FAILED"


_original_create_change_set = CloudFormationResponse.create_change_set
_original_validate_different_update = CloudFormationResponse._validate_different_update


def create_change_set(self):
    self._creating_change_set = True
    try:
        return _original_create_change_set(self)
    finally:
        self._creating_change_set = False


def _validate_different_update(self, *args):
    # UpdateStack keeps its error; CreateChangeSet lets the backend build the FAILED change set.
    if not getattr(self, "_creating_change_set", False):
        _original_validate_different_update(self, *args)


_original_diff = ChangeSet.diff


def diff(self):
    # moto's diff asks the resource map for the template's changes without the parameters, which
    # its own build_resource_diff takes into account when given: hand them over for this call.
    resource_map = self.stack.resource_map
    build = resource_map.build_resource_diff
    resource_map.build_resource_diff = lambda template, parameters=None: build(template, self.parameters)
    try:
        return _original_diff(self)
    finally:
        del resource_map.build_resource_diff


ChangeSet.diff = diff
parsing.parse_and_create_resource = parse_and_create_resource
parsing.parse_and_update_resource = parse_and_update_resource
parsing.ResourceMap._delete_resource = _delete_resource
CloudFormationBackend.execute_change_set = execute_change_set
CloudFormationResponse.create_change_set = create_change_set
CloudFormationResponse._validate_different_update = _validate_different_update


def get_references_from_template(template):
    # moto's own version follows Ref only; Fn::Sub's `${Name}` uses a parameter or resource too.
    references = []
    if isinstance(template, dict):
        for key, value in template.items():
            if key == "Ref":
                references.append(value)
            elif key == "Fn::Sub":
                text, local = (value[0], value[1] if len(value) > 1 else {}) if isinstance(value, list) else (value, {})
                if isinstance(text, str):
                    references.extend(n for n in re.findall(r"\$\{([^!.}][^.}]*)\}", text) if n not in local)
                references.extend(get_references_from_template(local))
            else:
                references.extend(get_references_from_template(value))
    elif isinstance(template, list):
        for item in template:
            references.extend(get_references_from_template(item))
    return references


parsing.get_references_from_template = get_references_from_template

_original_build_resource_diff = parsing.ResourceMap.build_resource_diff


def _as_text(value):
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def build_resource_diff(self, other_template, parameters=None):
    # moto compares passed values only; add the resources using a parameter whose value comes from
    # a Default that differs from the value the stack resolved last time.
    result = _original_build_resource_diff(self, other_template, parameters)
    given = parameters or {}
    old = self._resource_json_map
    new = other_template.get("Resources", {})
    defaults = [
        name
        for name, slot in (other_template.get("Parameters") or {}).items()
        if name not in given and "Default" in slot and name in self.resolved_parameters
        and _as_text(self.resolved_parameters[name]) != _as_text(slot["Default"])
    ]
    if defaults:
        for name in new:
            if name in old and name not in result["Modify"] and any(d in parsing.get_references_from_template(new[name]) for d in defaults):
                result["Modify"].append(name)
    return result


parsing.ResourceMap.build_resource_diff = build_resource_diff


# --- 8. SSM-typed parameters keep their names; list-typed defaults are lists ---------------------------------------------------
_original_load_parameters = parsing.ResourceMap.load_parameters


def load_parameters(self):
    # The names, as given or defaulted, before moto replaces them with the values they name.
    self.ssm_parameter_names = {
        key: self.input_parameters.get(key, slot.get("Default"))
        for key, slot in (self._template.get("Parameters") or {}).items()
        if str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::")
    }
    _original_load_parameters(self)
    for key, slot in (self._template.get("Parameters") or {}).items():
        list_typed = slot.get("Type") == "CommaDelimitedList" or str(slot.get("Type", "")).startswith("List<")
        value = self.resolved_parameters.get(key)
        if list_typed and isinstance(value, str) and key not in self.ssm_parameter_names:
            items = [item.strip() for item in value.split(",")]
            self.resolved_parameters[key] = [int(i) if slot.get("Type") == "List<Number>" and i.lstrip("-").isdigit() else i for i in items]
            self._parsed_resources[key] = self.resolved_parameters[key]


def stack_parameters(self):
    # The values as CloudFormation keeps them, which UsePreviousValue passes again: lists as their
    # comma-separated text, SSM-typed parameters as the names they were looked up by.
    resource_map = self.resource_map
    values = {key: ",".join(map(str, value)) if isinstance(value, list) else value for key, value in resource_map.resolved_parameters.items()}
    return {**values, **getattr(resource_map, "ssm_parameter_names", {})}


parsing.ResourceMap.load_parameters = load_parameters
Stack.stack_parameters = property(stack_parameters)

_with_ssm_resolved_parameters = parsing.ResourceMap.build_resource_diff


def build_resource_diff_by_ssm_names(self, other_template, parameters=None):
    # Compare an SSM-typed parameter's Default with the name the stack used, not the value it named.
    names = getattr(self, "ssm_parameter_names", {})
    if not names:
        return _with_ssm_resolved_parameters(self, other_template, parameters)
    resolved = self.resolved_parameters
    self.resolved_parameters = {**resolved, **names}
    try:
        return _with_ssm_resolved_parameters(self, other_template, parameters)
    finally:
        self.resolved_parameters = resolved


parsing.ResourceMap.build_resource_diff = build_resource_diff_by_ssm_names
