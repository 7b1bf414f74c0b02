"""Stack policies, as CloudFormation enforces them.

moto 5.2 stores a stack policy (SetStackPolicy, GetStackPolicy) but never applies it: an update
replaces or deletes resources the policy denies. CloudFormation evaluates the policy for every
resource an update touches (Update:Modify, Update:Replace, Update:Delete on
LogicalResourceId/<id>; an explicit Deny wins, and once a stack has a policy, whatever no
statement allows is denied) and fails the update before changing anything, rolling it back.

Termination protection (UpdateTerminationProtection, a protected stack's DeleteStack refused) is
stack_deletion.py's, with the rest of deletion.
"""

import fnmatch
import json

from moto.cloudformation.models import CloudFormationBackend

import change_set_fidelity


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


CloudFormationBackend.execute_change_set = execute_change_set
