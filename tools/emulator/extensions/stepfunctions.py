"""AWS::StepFunctions::StateMachine with its definition given as an object, for moto's CloudFormation.

moto 5.2 reads only `DefinitionString`: a state machine declared with `Definition` (the object
form templates use since 2020, often with `DefinitionSubstitutions`) was created with an empty
definition, and an update of it changed nothing. Here `Definition` is written as the JSON text
Step Functions keeps, `DefinitionSubstitutions` fill its `${name}` placeholders (and those of a
DefinitionString) as CloudFormation does, and the result goes to moto's own create and update.
"""

import json
import re
from typing import Any

from moto.stepfunctions.models import StateMachine

_moto_create = StateMachine.create_from_cloudformation_json  # bound to StateMachine
_moto_update = StateMachine.update_from_cloudformation_json  # bound to StateMachine


def _with_definition_string(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    props = dict(cloudformation_json["Properties"])
    definition = props.pop("Definition", None)
    if definition is not None and "DefinitionString" not in props:
        props["DefinitionString"] = json.dumps(definition)
    substitutions = props.pop("DefinitionSubstitutions", None) or {}
    if substitutions and isinstance(props.get("DefinitionString"), str):
        props["DefinitionString"] = re.sub(
            r"\$\{([^}]+)\}", lambda m: str(substitutions.get(m.group(1), m.group(0))), props["DefinitionString"]
        )
    return {**cloudformation_json, "Properties": props}


def _create(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
            **kwargs: Any) -> StateMachine:
    return _moto_create(resource_name, _with_definition_string(cloudformation_json), account_id, region_name, **kwargs)


def _update(cls: type, original_resource: StateMachine, new_resource_name: str, cloudformation_json: dict[str, Any],
            account_id: str, region_name: str) -> StateMachine:
    return _moto_update(original_resource, new_resource_name, _with_definition_string(cloudformation_json), account_id, region_name)


StateMachine.create_from_cloudformation_json = classmethod(_create)  # type: ignore[method-assign,assignment]
StateMachine.update_from_cloudformation_json = classmethod(_update)  # type: ignore[method-assign,assignment]
