"""The AWS::SecretsManager transform (2020-07-23 and 2024-09-16), expanded when moto parses a template.

moto ignores a template's `Transform`, so a RotationSchedule with a HostedRotationLambda reached
Secrets Manager with no function to rotate with. In CloudFormation, the transform is a macro run
on the template of a change set (or of CreateStack/UpdateStack with CAPABILITY_AUTO_EXPAND): for
each RotationSchedule with a HostedRotationLambda it adds a nested application (an
AWS::Serverless::Application, itself a nested AWS::CloudFormation::Stack) built from the Secrets
Manager rotation function template that matches RotationType, and replaces HostedRotationLambda
with RotationLambdaARN pointing at that stack's function. The nested stack holds:

- the rotation function (Lambda, python runtime, handler lambda_function.lambda_handler), named
  after RotationLambdaName or generated, in the VPC given by VpcSubnetIds/VpcSecurityGroupIds
  (comma-separated), with SECRETS_MANAGER_ENDPOINT, EXCLUDE_CHARACTERS and, for the multi-user
  types, MASTER_SECRET_ARN in its environment;
- its execution role: trusted by lambda.amazonaws.com, allowed to read, write and restage the
  secret it rotates, to generate a password, to manage its VPC network interfaces, to decrypt
  with KmsKeyArn, and to read the master secret of a multi-user rotation;
- a Lambda permission for secretsmanager.amazonaws.com to invoke the function.

The emulator adds the same three resources to the template itself, beside the schedule
(`<Schedule>RotationLambda`, `<Schedule>RotationLambdaRole`, `<Schedule>RotationLambdaPermission`)
rather than in a nested stack, since it has no Serverless Application Repository to fetch the
rotation application from; the function's code is a placeholder, as the twin never rotates. The
expansion happens where moto parses a template (CreateStack, UpdateStack, CreateChangeSet), so a
change set lists the added resources as CloudFormation's does. Any other transform is refused,
naming it: moto would otherwise deploy the template unexpanded.
"""

from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import ChangeSet, Stack

SECRETS_MANAGER_TRANSFORMS = ("AWS::SecretsManager-2020-07-23", "AWS::SecretsManager-2024-09-16")

_SINGLE_USER = {"MySQLSingleUser", "PostgreSQLSingleUser", "OracleSingleUser", "MariaDBSingleUser",
                "SQLServerSingleUser", "RedshiftSingleUser", "MongoDBSingleUser"}
_MULTI_USER = {kind.replace("SingleUser", "MultiUser") for kind in _SINGLE_USER}

# The function never runs in the twin; if something invokes it anyway, it says why it cannot rotate.
_PLACEHOLDER_CODE = (
    "def lambda_handler(event, context):\n"
    "    raise NotImplementedError('emulator placeholder for a Secrets Manager hosted rotation function')\n"
)


def _split(value: Any) -> Any:
    """VpcSubnetIds and VpcSecurityGroupIds are comma-separated strings (or functions giving one)."""
    return {"Fn::Split": [",", value]}


def _expand_schedule(logical_id: str, schedule: dict[str, Any], resources: dict[str, Any]) -> None:
    props = dict(schedule.get("Properties") or {})
    hosted = dict(props.pop("HostedRotationLambda"))
    kind = hosted.get("RotationType")
    if kind not in _SINGLE_USER | _MULTI_USER:
        raise ValidationError(message=f"{logical_id}: HostedRotationLambda.RotationType {kind!r} is not one of "
                                      f"{', '.join(sorted(_SINGLE_USER | _MULTI_USER))}")
    if kind in _MULTI_USER and not hosted.get("MasterSecretArn"):
        raise ValidationError(message=f"{logical_id}: RotationType {kind} needs HostedRotationLambda.MasterSecretArn")
    secret = props.get("SecretId")
    function, role, permission = (f"{logical_id}RotationLambda", f"{logical_id}RotationLambdaRole",
                                  f"{logical_id}RotationLambdaPermission")
    for name in (function, role, permission):
        if name in resources:
            raise ValidationError(message=f"{logical_id}: the transform adds {name}, which the template already has")

    secret_actions = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                      "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": secret_actions, "Resource": secret},
        # GetRandomPassword acts on no resource: IAM only accepts "*" for it.
        {"Effect": "Allow", "Action": "secretsmanager:GetRandomPassword", "Resource": "*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*"}},
    ]
    vpc = "VpcSubnetIds" in hosted
    if vpc:
        # Lambda attaches a VPC function through network interfaces, actions IAM grants only on "*".
        statements.append({"Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                                                         "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"],
                           "Resource": "*"})
    for key in ("KmsKeyArn", "MasterSecretKmsKeyArn", "SuperuserSecretKmsKeyArn"):
        if hosted.get(key):
            statements.append({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                               "Resource": hosted[key]})
    for key in ("MasterSecretArn", "SuperuserSecretArn"):
        if hosted.get(key):
            statements.append({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": hosted[key]})

    resources[role] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "SecretsManagerRotation",
                      "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
    }}
    environment = {
        "SECRETS_MANAGER_ENDPOINT": {"Fn::Sub": "https://secretsmanager.${AWS::Region}.${AWS::URLSuffix}"},
        "EXCLUDE_CHARACTERS": hosted.get("ExcludeCharacters", "/@\"'\\"),
    }
    if hosted.get("MasterSecretArn"):
        environment["MASTER_SECRET_ARN"] = hosted["MasterSecretArn"]
    function_props: dict[str, Any] = {
        "Description": f"Rotates a Secrets Manager secret ({kind})",
        "Handler": "lambda_function.lambda_handler",
        "Runtime": hosted.get("Runtime", "python3.12"),
        "Timeout": 30,
        "Role": {"Fn::GetAtt": [role, "Arn"]},
        "Code": {"ZipFile": _PLACEHOLDER_CODE},
        "Environment": {"Variables": environment},
    }
    if hosted.get("RotationLambdaName"):
        function_props["FunctionName"] = hosted["RotationLambdaName"]
    if vpc:
        function_props["VpcConfig"] = {"SubnetIds": _split(hosted["VpcSubnetIds"]),
                                       "SecurityGroupIds": _split(hosted.get("VpcSecurityGroupIds", ""))}
    resources[function] = {"Type": "AWS::Lambda::Function", "Properties": function_props}
    resources[permission] = {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction",
        "FunctionName": {"Fn::GetAtt": [function, "Arn"]},
        "Principal": "secretsmanager.amazonaws.com",
        "SourceAccount": {"Ref": "AWS::AccountId"},
    }}
    props["RotationLambdaARN"] = {"Fn::GetAtt": [function, "Arn"]}
    depends = schedule.get("DependsOn", [])
    depends = [depends] if isinstance(depends, str) else list(depends)
    # Secrets Manager may invoke the function as soon as rotation is on: the permission comes first.
    resources[logical_id] = {**schedule, "Properties": props, "DependsOn": [*depends, permission]}


def expand(template: Any) -> Any:
    """The template as CloudFormation processes it; unchanged when it declares no transform."""
    if not isinstance(template, dict) or "Transform" not in template:
        return template
    declared = template["Transform"]
    names = declared if isinstance(declared, list) else [declared]
    unknown = [name for name in names if name not in SECRETS_MANAGER_TRANSFORMS]
    if unknown:
        raise ValidationError(message=f"Transform {', '.join(map(str, unknown))} is not supported by the emulator "
                                      f"(it expands only {', '.join(SECRETS_MANAGER_TRANSFORMS)})")
    resources = dict(template.get("Resources") or {})
    for logical_id, resource in list(resources.items()):
        if (isinstance(resource, dict) and resource.get("Type") == "AWS::SecretsManager::RotationSchedule"
                and "HostedRotationLambda" in (resource.get("Properties") or {})):
            _expand_schedule(logical_id, resource, resources)
    processed = {key: value for key, value in template.items() if key != "Transform"}
    processed["Resources"] = resources
    return processed


_moto_stack_parse = Stack.parse_template
_moto_change_set_parse = ChangeSet._parse_template


def _stack_parse(template: str) -> dict[str, Any]:
    return expand(_moto_stack_parse(template))


def _change_set_parse(self: ChangeSet) -> None:
    _moto_change_set_parse(self)
    self.template_dict = expand(self.template_dict)


Stack.parse_template = staticmethod(_stack_parse)  # type: ignore[method-assign, assignment]
ChangeSet._parse_template = _change_set_parse  # type: ignore[method-assign]
