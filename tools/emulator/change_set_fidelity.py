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

9. Replacement: a change set said only Add, Modify or Remove. CloudFormation says for each Modify
   whether it replaces the resource (Replacement True, Conditional, False), its Scope and Details
   (the property, RequiresRecreation Always/Conditionally/Never from the type's schema, Static or
   Dynamic, DirectModification, ParameterReference or ResourceReference), the PhysicalResourceId,
   and what happens to the old resource (PolicyAction: Delete, Retain, ReplaceAndRetain, ...).
10. ListChangeSets listed every stack's change sets, and executing one left the stack's others
   behind; CloudFormation lists the named stack's and deletes the others on execution.
11. UpdateReplacePolicy and DeletionPolicy in updates: moto deleted a replaced resource, and one
   dropped from the template, whatever the policy; Retain keeps it (DELETE_SKIPPED).

Each fix wraps moto's own functions; none re-implements storage. Known remaining difference: a
failed UPDATE is marked UPDATE_ROLLBACK_COMPLETE, but moto has already applied the resources
changed before the failure and does not restore them.
"""

import contextlib
import re
import threading

import moto.cloudformation.parsing as parsing
from moto.cloudformation.models import (
    Change,
    ChangeSet,
    CloudFormationBackend,
    Event,
    Stack,
    cloudformation_backends,
)
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult

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


# --- 9. What each change does: Replacement, Scope, Details, PhysicalResourceId -----------------------------------------------
# moto's change sets say only Add/Modify/Remove and the resource. CloudFormation says, for each
# Modify, whether the resource is replaced (True, Conditional, False), which part of it changes
# (Scope) and why (Details: the property, whether changing it recreates the resource, and whether
# the new value comes from the template, a parameter or another resource). Whether a property
# recreates is read from the type's own schema (resource_schemas.py), never from a list here.
import resource_schemas  # noqa: E402 - beside this file; launch.py puts this folder on sys.path


def _resolve(value, parameters):
    """`value` with every parameter it uses (Ref, or ${Name} in Fn::Sub) replaced by its value:
    what CloudFormation compares to tell a parameter's new value from an unchanged template."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        if set(value) == {"Fn::Sub"}:
            body = value["Fn::Sub"]
            text, local = (body[0], body[1] if len(body) > 1 else {}) if isinstance(body, list) else (body, {})
            if isinstance(text, str):
                text = re.sub(
                    r"\$\{([^!.}][^.}]*)\}",
                    lambda m: _as_text(parameters[m.group(1)]) if m.group(1) in parameters and m.group(1) not in local else m.group(0),
                    text,
                )
            return {"Fn::Sub": [text, _resolve(local, parameters)] if local else text}
        return {key: _resolve(item, parameters) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, parameters) for item in value]
    return value


def _resources_referenced(value, resources):
    """The resources of `resources` that `value` reads through Ref, Fn::GetAtt or Fn::Sub
    (`${Name}` and `${Name.Attribute}`)."""
    found = []
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in resources:
            found.append(value["Ref"])
        elif set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            name = target[0] if isinstance(target, list) else str(target).split(".")[0]
            if name in resources:
                found.append(name)
        elif set(value) == {"Fn::Sub"}:
            body = value["Fn::Sub"]
            text, local = (body[0], body[1] if len(body) > 1 else {}) if isinstance(body, list) else (body, {})
            if isinstance(text, str):
                found.extend(n.split(".")[0] for n in re.findall(r"\$\{([^!}][^}]*)\}", text) if n.split(".")[0] in resources and n not in local)
            found.extend(_resources_referenced(local, resources))
        else:
            for item in value.values():
                found.extend(_resources_referenced(item, resources))
    elif isinstance(value, list):
        for item in value:
            found.extend(_resources_referenced(item, resources))
    return found


def _new_parameter_values(change_set, resource_map):
    values = dict(resource_map.resolved_parameters)
    for name, slot in (change_set.template_dict.get("Parameters") or {}).items():
        if name in (change_set.parameters or {}):
            values[name] = change_set.parameters[name]
        elif "Default" in (slot or {}):
            values[name] = slot["Default"]
    return values


def _describe_modify(change, old_json, new_json, old_params, new_params, unsettled, region):
    """Fill a Modify change's Scope, Details and Replacement the way CloudFormation does."""
    type_name = change.resource_type
    old_props = old_json.get("Properties") or {}
    new_props = new_json.get("Properties") or {}
    details = []
    for name in sorted({*old_props, *new_props}):
        old_raw, new_raw = old_props.get(name), new_props.get(name)
        old_value, new_value = _resolve(old_raw, old_params), _resolve(new_raw, new_params)
        recreate = resource_schemas.recreation(type_name, name, old_value, new_value, region)
        target = {"Attribute": "Tags"} if name == "Tags" else {"Attribute": "Properties", "Name": name}
        target["RequiresRecreation"] = recreate
        # A value read from a resource that this change set adds or replaces is known only when it
        # executes: CloudFormation evaluates it Dynamic, and cannot say for sure that it replaces.
        pending = sorted(set(_resources_referenced(new_raw, unsettled)))
        if old_raw != new_raw:
            details.append({"Target": target, "Evaluation": "Dynamic" if pending else "Static", "ChangeSource": "DirectModification"})
        else:
            if old_value != new_value:
                for parameter in sorted({p for p in parsing.get_references_from_template(new_raw) if p in new_params and old_params.get(p) != new_params.get(p)}):
                    details.append({"Target": target, "Evaluation": "Static", "ChangeSource": "ParameterReference", "CausingEntity": parameter})
            for other in pending:
                dynamic = dict(target, RequiresRecreation=resource_schemas.recreation(type_name, name, old_value, {"changed": other}, region))
                details.append({"Target": dynamic, "Evaluation": "Dynamic", "ChangeSource": "ResourceReference", "CausingEntity": other})
    for attribute in ("Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy", "Condition", "DependsOn"):
        if old_json.get(attribute) != new_json.get(attribute):
            details.append({"Target": {"Attribute": attribute, "RequiresRecreation": "Never"}, "Evaluation": "Static", "ChangeSource": "DirectModification"})
    if not details:
        # The resource is listed (moto's own diff found a difference we cannot place): an update in place.
        details.append({"Target": {"Attribute": "Properties", "RequiresRecreation": "Never"}, "Evaluation": "Static", "ChangeSource": "DirectModification"})

    def recreates(detail, *levels):
        return detail["Target"]["RequiresRecreation"] in levels

    if any(recreates(d, "Always") and d["Evaluation"] == "Static" for d in details):
        change.replacement = "True"
    elif any(recreates(d, "Always", "Conditionally") for d in details):
        change.replacement = "Conditional"
    else:
        change.replacement = "False"
    change.scope = sorted({d["Target"]["Attribute"] for d in details})
    change.details = details


def _retention(resource_json, attribute, conditions):
    """DeletionPolicy or UpdateReplacePolicy as it applies: Delete when absent, an Fn::If decided by
    the stack's conditions, None when it cannot be told."""
    value = resource_json.get(attribute, "Delete")
    if isinstance(value, dict) and set(value) == {"Fn::If"} and isinstance(value["Fn::If"], list) and len(value["Fn::If"]) == 3:
        name, when_true, when_false = value["Fn::If"]
        try:
            value = when_true if conditions[name] else when_false
        except Exception:  # noqa: BLE001 - an unknown condition: say nothing rather than guess
            return None
    return value if value in ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot") else None


_diff_with_parameters = ChangeSet.diff


def diff_with_details(self):
    changes = _diff_with_parameters(self)
    resource_map = self.stack.resource_map
    old_resources = resource_map._resource_json_map
    new_resources = self.template_dict.get("Resources") or {}
    old_params = dict(resource_map.resolved_parameters)
    new_params = _new_parameter_values(self, resource_map)
    region = self.stack.region_name
    for change in changes:
        physical = resource_map._parsed_resources.get(change.logical_resource_id)
        physical_id = getattr(physical, "physical_resource_id", None)
        if physical_id and change.action != "Add":
            change.physical_resource_id = physical_id
        change.scope = []
        change.details = []
    # Resources whose attributes are unknown until execution: added ones, then replaced ones
    # (a replacement changes Ref and every attribute), found until nothing more is replaced. A
    # resource whose template is unchanged but reads a replaced one changes too (moto's diff,
    # which compares template text, misses it): CloudFormation lists it, Dynamic, and Conditional
    # where the value feeds a create-only property.
    unsettled = {c.logical_resource_id for c in changes if c.action == "Add"}
    for _ in range(len(new_resources) + 1):
        modifies = [c for c in changes if c.action == "Modify"]
        for change in modifies:
            logical_id = change.logical_resource_id
            _describe_modify(change, old_resources.get(logical_id) or {}, new_resources.get(logical_id) or {}, old_params, new_params, unsettled, region)
        replaced = {c.logical_resource_id for c in modifies if c.replacement in ("True", "Conditional")}
        listed = {c.logical_resource_id for c in changes}
        readers = [
            name
            for name, body in new_resources.items()
            if name in old_resources and name not in listed and _resources_referenced((body or {}).get("Properties") or {}, replaced)
        ]
        for name in readers:
            reader = Change(action="Modify", logical_resource_id=name, resource_type=new_resources[name].get("Type", ""))
            physical_id = getattr(resource_map._parsed_resources.get(name), "physical_resource_id", None)
            if physical_id:
                reader.physical_resource_id = physical_id
            changes.append(reader)
        if replaced <= unsettled and not readers:
            break
        unsettled |= replaced
    # PolicyAction: what happens to the physical resource that goes (kept, snapshotted or deleted).
    conditions = getattr(resource_map, "lazy_condition_map", {})
    for change in changes:
        if change.action == "Remove":
            policy = _retention(old_resources.get(change.logical_resource_id) or {}, "DeletionPolicy", conditions)
            change.policy_action = "Retain" if policy == "RetainExceptOnCreate" else policy
        elif change.action == "Modify" and change.replacement in ("True", "Conditional"):
            policy = _retention(new_resources.get(change.logical_resource_id) or {}, "UpdateReplacePolicy", conditions)
            change.policy_action = f"ReplaceAnd{policy}" if policy in ("Delete", "Retain", "Snapshot") else None
    return changes


ChangeSet.diff = diff_with_details


# --- 10. ListChangeSets lists the stack's change sets; executing one deletes the others ------------------------------------
# moto's ListChangeSets ignores StackName and lists every stack's change sets, and an executed
# change set leaves the stack's other change sets behind. CloudFormation lists the named stack's
# only, and deletes the others on execution ("they aren't valid for the updated stack").
def list_change_sets(self):
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    return ActionResult({"Summaries": [c for c in self.cloudformation_backend.change_sets.values() if c.stack_id == stack.stack_id]})


_execute_keeping_others = CloudFormationBackend.execute_change_set


def execute_change_set_dropping_others(self, change_set_name, stack_name=None):
    change_set = _find_change_set(self, change_set_name, stack_name)
    try:
        return _execute_keeping_others(self, change_set_name, stack_name)
    finally:
        if change_set is not None:
            for key in [k for k, c in self.change_sets.items() if c.stack_id == change_set.stack_id and c is not change_set]:
                del self.change_sets[key]


CloudFormationResponse.list_change_sets = list_change_sets
CloudFormationBackend.execute_change_set = execute_change_set_dropping_others


# --- 11. UpdateReplacePolicy: Retain keeps the replaced resource ----------------------------------------------------------------
# moto's models delete the old resource when an update replaces one, whatever the template's
# UpdateReplacePolicy. CloudFormation keeps it (out of the stack, a DELETE_SKIPPED event) when the
# policy is Retain. Snapshot is kept too: moto has no snapshot of most of these types, and keeping
# loses nothing. The change set said which replacements retain (PolicyAction, part 9); the model
# then creates the new resource and leaves the old one where it is.
_update_in_place_or_replace = parsing.parse_and_update_resource


def parse_and_update_retaining(logical_id, resource_json, resources_map, account_id, region_name):
    if logical_id not in (getattr(_creating, "retain_on_replace", None) or ()):
        return _update_in_place_or_replace(logical_id, resource_json, resources_map, account_id, region_name)
    stack = _stack_of(resources_map)
    resource_type = resource_json.get("Type", "")
    old = resources_map._parsed_resources.get(logical_id)
    resource_class, cleaned, new_name = parsing.parse_resource_and_generate_name(logical_id, resource_json, resources_map)
    if stack is not None and _first_attempt(logical_id):
        _resource_event(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS", reason="Requested update requires the creation of a new physical resource; hence creating one.")
    try:
        new = resource_class.create_from_cloudformation_json(new_name, cleaned, account_id, region_name)
    except Exception:
        _note_failure(logical_id, resource_type)
        raise
    new.cf_resource_type = resource_type
    new.logical_resource_id = logical_id
    if stack is not None:
        _resource_event(stack, logical_id, resource_type, "UPDATE_COMPLETE", getattr(new, "physical_resource_id", "") or "")
        old_id = getattr(old, "physical_resource_id", "") or ""
        _resource_event(stack, logical_id, resource_type, "DELETE_SKIPPED", old_id)
    return new


_execute_deleting_replaced = CloudFormationBackend.execute_change_set


def execute_change_set_retaining(self, change_set_name, stack_name=None):
    change_set = _find_change_set(self, change_set_name, stack_name)
    retained = {
        c.logical_resource_id
        for c in (change_set.changes if change_set is not None else [])
        if c.action == "Modify" and getattr(c, "replacement", None) == "True" and getattr(c, "policy_action", None) in ("ReplaceAndRetain", "ReplaceAndSnapshot")
    }
    _creating.retain_on_replace = retained
    # A resource dropped from the template with DeletionPolicy Retain leaves the stack but stays.
    _creating.retain_on_remove = {
        c.logical_resource_id for c in (change_set.changes if change_set is not None else []) if c.action == "Remove" and getattr(c, "policy_action", None) == "Retain"
    }
    try:
        return _execute_deleting_replaced(self, change_set_name, stack_name)
    finally:
        _creating.retain_on_replace = None
        _creating.retain_on_remove = None


_delete_whatever_the_policy = parsing.ResourceMap._delete_resource


def _delete_resource_retaining(self, parsed_resource, resource_json):
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    if logical_id and logical_id in (getattr(_creating, "retain_on_remove", None) or ()):
        stack = _stack_of(self)
        if stack is not None:
            _resource_event(stack, logical_id, resource_json.get("Type", ""), "DELETE_SKIPPED", getattr(parsed_resource, "physical_resource_id", "") or "")
        return None
    return _delete_whatever_the_policy(self, parsed_resource, resource_json)


parsing.parse_and_update_resource = parse_and_update_retaining
parsing.ResourceMap._delete_resource = _delete_resource_retaining
CloudFormationBackend.execute_change_set = execute_change_set_retaining
