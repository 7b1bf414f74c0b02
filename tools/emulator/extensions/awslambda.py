"""AWS::Lambda::Function updates and AWS::Lambda::Permission as CloudFormation manages them.

moto 5.2 models both types, but:

- A stack update of a function with inline code (`Code.ZipFile`, the plain source text
  CloudFormation accepts) fails: moto's update hands the text to UpdateFunctionCode, which expects
  a base64 zip. Its update also keeps settings the template no longer declares (an `Environment`
  or `VpcConfig` removed from the template stays on the function), and a new `FunctionName`
  (create-only) leaves the old function in place under its old name.
- GetFunction reports every function's VPC as `vpc-123abc`, whatever subnets it was given;
  biomage's functions run in the cluster's VPC, so the VPC is read from the first subnet.
- AWS::Lambda::Permission has no physical id (a `Ref` gives the Python object's repr, the stack
  lists an empty id), is never removed by a stack update or delete, and copies `FunctionName`
  into the policy statement. Here its statement gets a statement id, its physical id is
  CloudFormation's composite `<function ARN>|<statement id>`, every property is create-only (a
  change replaces the statement, as in CloudFormation) and a delete removes the statement.

Everything goes through moto's own Lambda and EC2 backends.
"""

import base64
import contextlib
import json
from typing import Any

from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction, Permission, lambda_backends
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import ec2_backends

from ._common import replace_resource

_PERMISSION_PROPERTIES = ("Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken", "PrincipalOrgID", "FunctionUrlAuthType")

# --- AWS::Lambda::Function ---------------------------------------------------------------------

_moto_create_function = LambdaFunction.create_from_cloudformation_json  # bound to LambdaFunction


def _code(props: dict[str, Any]) -> dict[str, Any]:
    """The template's Code as the Lambda API takes it: inline source becomes a base64 zip."""
    code = dict(props["Code"])
    if "ZipFile" in code:
        code["ZipFile"] = base64.b64encode(LambdaFunction._create_zipfile_from_plaintext_code(code["ZipFile"]))
    return code


def _update_function(cls: type, original_resource: LambdaFunction, new_resource_name: str, cloudformation_json: dict[str, Any],
                     account_id: str, region_name: str) -> LambdaFunction:
    props = cloudformation_json["Properties"]
    fn = original_resource
    if props.get("FunctionName", fn.function_name) != fn.function_name:
        # FunctionName is create-only: a new function, then the old one goes (CloudFormation's order).
        return replace_resource(cls, fn, props["FunctionName"], cloudformation_json, account_id, region_name)
    # The template is the whole configuration: what it no longer declares goes back to the default.
    fn.update_configuration({
        "Description": props.get("Description", ""),
        "Handler": props.get("Handler"),
        "MemorySize": props.get("MemorySize", 128),
        "Role": props["Role"],
        "Runtime": props.get("Runtime"),
        "Timeout": props.get("Timeout", 3),
        "VpcConfig": props.get("VpcConfig") or {},
        "Environment": props.get("Environment") or {"Variables": {}},
    })
    fn.update_function_code(_code(props))
    return fn


LambdaFunction.update_from_cloudformation_json = classmethod(_update_function)  # type: ignore[method-assign,assignment]


def _vpc_config(self: LambdaFunction) -> dict[str, Any] | None:
    if not self._vpc_config or not (self._vpc_config.get("SubnetIds") or self._vpc_config.get("SecurityGroupIds")):
        return None
    config = dict(self._vpc_config)
    subnets = config.get("SubnetIds") or []
    if subnets:
        with contextlib.suppress(EC2ClientError):  # a subnet that does not exist (any more): no VPC to report, as Lambda reports none
            config["VpcId"] = ec2_backends[self.account_id][self.region].get_subnet(subnets[0]).vpc_id
    return config


LambdaFunction.vpc_config = property(_vpc_config)  # type: ignore[assignment,method-assign]


# --- AWS::Lambda::Permission -------------------------------------------------------------------


def _create_permission(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
                       **kwargs: Any) -> Permission:
    props = cloudformation_json["Properties"]
    backend = lambda_backends[account_id][region_name]
    fn = backend.get_function(props["FunctionName"])
    statement = {key: props[key] for key in _PERMISSION_PROPERTIES if key in props}
    statement["StatementId"] = resource_name  # moto's generated `stack-Logical-SUFFIX`: unique
    fn.policy.add_statement(raw=json.dumps(statement))
    permission = Permission(region=region_name)
    permission.account_id = account_id  # type: ignore[attr-defined]
    permission.function_arn = fn.function_arn  # type: ignore[attr-defined]
    permission.statement_id = resource_name  # type: ignore[attr-defined]
    permission.properties = props  # type: ignore[attr-defined]
    return permission


def _update_permission(cls: type, original_resource: Permission, new_resource_name: str, cloudformation_json: dict[str, Any],
                       account_id: str, region_name: str) -> Permission:
    if original_resource.properties == cloudformation_json["Properties"]:  # type: ignore[attr-defined]
        return original_resource
    # Every property of a permission is create-only: the new statement first, then the old one goes.
    return replace_resource(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)


def _delete_permission(self: Permission, account_id: str, region_name: str) -> None:
    backend = lambda_backends[account_id][region_name]
    with contextlib.suppress(LambdaClientError):  # the function or its statement is gone already (moto deletes in any order)
        backend.remove_permission(self.function_arn, self.statement_id)  # type: ignore[attr-defined]


Permission.create_from_cloudformation_json = classmethod(_create_permission)  # type: ignore[method-assign,assignment]
Permission.update_from_cloudformation_json = classmethod(_update_permission)  # type: ignore[method-assign,assignment]
Permission.delete = _delete_permission  # type: ignore[attr-defined]
Permission.physical_resource_id = property(lambda self: f"{self.function_arn}|{self.statement_id}")  # type: ignore[attr-defined]
