"""Termination protection and stack policies, as CloudFormation enforces them.

moto 5.2 stores a stack policy (SetStackPolicy, GetStackPolicy) and CreateStack's
EnableTerminationProtection, but:

1. it has no UpdateTerminationProtection, the only way to protect a stack made by a change set;
2. DeleteStack deletes a stack whatever its termination protection says;
3. a stack policy is never applied: an update replaces or deletes resources the policy denies.

CloudFormation refuses (2) with a ValidationError, and for (3) evaluates the policy for every
resource an update touches (Update:Modify, Update:Replace, Update:Delete on
LogicalResourceId/<id>; an explicit Deny wins, and once a stack has a policy, whatever no
statement allows is denied) and fails the update before changing anything, rolling it back.
"""

import fnmatch
import json

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult

import change_set_fidelity


def update_termination_protection(self):
    stack_name = self._get_param("StackName")
    enabled = str(self._get_param("EnableTerminationProtection")).lower() == "true"
    stack = self.cloudformation_backend.get_stack(stack_name)
    stack.enable_termination_protection = enabled
    return ActionResult({"StackId": stack.stack_id})


_original_delete_stack = CloudFormationBackend.delete_stack


def delete_stack(self, name_or_stack_id):
    stack = self.stacks.get(name_or_stack_id) or next((s for s in self.stacks.values() if s.name == name_or_stack_id), None)
    if stack is not None and getattr(stack, "enable_termination_protection", False):
        raise ValidationError(message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
    return _original_delete_stack(self, name_or_stack_id)


def _as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]


def _matches(patterns, value):
    return any(fnmatch.fnmatchcase(value, str(pattern)) for pattern in _as_list(patterns))


def _condition_holds(condition, resource_type):
    # Stack policies know one condition key: ResourceType, with StringEquals or StringLike.
    for operator, keys in (condition or {}).items():
        wanted = (keys or {}).get("ResourceType")
        if wanted is None:
            continue
        if operator == "StringEquals" and resource_type not in _as_list(wanted):
            return False
        if operator == "StringLike" and not _matches(wanted, resource_type):
            return False
    return True


def _statement_applies(statement, action, resource, resource_type):
    if "Action" in statement and not _matches(statement["Action"], action):
        return False
    if "NotAction" in statement and _matches(statement["NotAction"], action):
        return False
    if "Resource" in statement and not _matches(statement["Resource"], resource):
        return False
    if "NotResource" in statement and _matches(statement["NotResource"], resource):
        return False
    return _condition_holds(statement.get("Condition"), resource_type)


def denial(policy_text, action, logical_id, resource_type):
    """Why the stack policy denies `action` on the resource, or None when it allows it."""
    if not policy_text:
        return None
    statements = _as_list(json.loads(policy_text).get("Statement"))
    resource = f"LogicalResourceId/{logical_id}"
    applying = [(n, s) for n, s in enumerate(statements, 1) if _statement_applies(s, action, resource, resource_type)]
    for number, statement in applying:
        if statement.get("Effect") == "Deny":
            return f"Action denied by stack policy: Statement [#{number}] has a Deny for {action} on {resource}"
    if not any(statement.get("Effect") == "Allow" for _, statement in applying):
        return f"Action denied by stack policy: no statement allows {action} on {resource}"
    return None


def _policy_action(change):
    if change.action == "Remove":
        return "Update:Delete"
    return "Update:Replace" if getattr(change, "replacement", "False") in ("True", "Conditional") else "Update:Modify"


_original_execute = CloudFormationBackend.execute_change_set


def execute_change_set(self, change_set_name, stack_name=None):
    change_set = change_set_fidelity._find_change_set(self, change_set_name, stack_name)
    if change_set is not None and change_set.change_set_type == "UPDATE":
        stack = self.stacks[change_set.stack_id]
        for change in change_set.changes:
            if change.action == "Add":
                continue
            reason = denial(stack.policy, _policy_action(change), change.logical_resource_id, change.resource_type)
            if reason:
                # Nothing has been applied yet: the update fails and rolls back to where it was.
                change_set_fidelity._roll_back(stack, change_set, "UPDATE", change.logical_resource_id, change.resource_type, reason)
                return None
    return _original_execute(self, change_set_name, stack_name)


# 1 and 2 are also what `biomage destroy` needs (its stack_deletion.py, imported before this module
# by launch.py, may provide them): installed here only where no module did, so that exactly one
# UpdateTerminationProtection answers and DeleteStack checks once.
if not hasattr(CloudFormationResponse, "update_termination_protection"):
    CloudFormationResponse.update_termination_protection = update_termination_protection
    CloudFormationBackend.delete_stack = delete_stack
CloudFormationBackend.execute_change_set = execute_change_set
