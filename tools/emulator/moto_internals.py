"""The moto internals the emulator's extensions rely on, checked before they patch anything.

The extensions (extensions/, change_set_fidelity.py, eks_cluster_*.py, vpc_fidelity.py) import
moto's classes and functions and replace some of their attributes. A moto upgrade that renames or
moves one of them would otherwise show up as an ImportError deep in a patch, or worse, not at all:
assigning to an attribute that no longer exists simply adds a new one that moto never calls, and
the emulator silently loses the behaviour. launch.py calls check() before importing any patch, and
the emulator then refuses to start, naming every missing internal and the pinned moto version.

    python tools/emulator/moto_internals.py            check the installed moto (exit 1 if not)
    python tools/emulator/moto_internals.py --derive   print what the extensions use, to update REQUIRED

Each entry is "module:attribute.path". REQUIRED is kept complete by test_moto_internals.py, which
derives the list from the extensions' source and fails on any use missing here. Attributes the
extensions add rather than replace (moto has no such attribute to check) are in ADDED.
"""

import contextlib
import importlib
import os
import sys
from collections.abc import Iterable
from importlib import metadata
from types import ModuleType
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))

REQUIRED = (
    # CloudFormation: parsing, change sets, stacks, YAML tags.
    "moto.cloudformation.exceptions:UnformattedGetAttTemplateException",
    "moto.cloudformation.exceptions:ValidationError",
    "moto.cloudformation.models:Change",
    "moto.cloudformation.models:ChangeSet",
    "moto.cloudformation.models:ChangeSet._parse_template",
    "moto.cloudformation.models:ChangeSet.diff",
    "moto.cloudformation.models:CloudFormationBackend",
    "moto.cloudformation.models:CloudFormationBackend.delete_stack",
    "moto.cloudformation.models:CloudFormationBackend.execute_change_set",
    "moto.cloudformation.models:Event",
    "moto.cloudformation.models:Stack",
    "moto.cloudformation.models:Stack.parse_template",
    "moto.cloudformation.models:Stack.stack_parameters",
    "moto.cloudformation.models:cloudformation_backends",
    "moto.cloudformation.models:yaml_tag_constructor",  # replaced in a loop (extensions/cloudformation.py): not derived
    "moto.cloudformation.parsing:ResourceMap",
    "moto.cloudformation.parsing:ResourceMap._delete_resource",
    "moto.cloudformation.parsing:ResourceMap.delete",
    "moto.cloudformation.parsing:ResourceMap.build_resource_diff",
    "moto.cloudformation.parsing:ResourceMap.load_parameters",
    "moto.cloudformation.parsing:clean_json",
    "moto.cloudformation.parsing:get_model_list",
    "moto.cloudformation.parsing:get_model_map",
    "moto.cloudformation.parsing:get_name_type_map",
    "moto.cloudformation.parsing:get_references_from_template",
    "moto.cloudformation.parsing:parse_and_create_resource",
    "moto.cloudformation.parsing:parse_and_update_resource",
    "moto.cloudformation.parsing:parse_resource",
    "moto.cloudformation.parsing:parse_resource_and_generate_name",
    "moto.cloudformation.responses:CloudFormationResponse",
    "moto.cloudformation.responses:CloudFormationResponse._validate_different_update",
    "moto.cloudformation.responses:CloudFormationResponse.create_change_set",
    "moto.cloudformation.responses:CloudFormationResponse.list_stack_resources",
    "moto.cloudformation.responses:StackResourceDTO",
    "moto.cloudformation.responses:CloudFormationResponse.list_change_sets",
    "moto.cloudformation.responses:yaml_tag_constructor",
    "moto.cloudformation.utils:yaml_tag_constructor",
    "moto.core.common_models:CloudFormationModel",
    # The server launch.py builds (launch.py is not derived).
    "moto.moto_server.werkzeug_app:DomainDispatcherApplication",
    "moto.moto_server.werkzeug_app:MotoRequestHandler",
    "moto.moto_server.werkzeug_app:create_backend_app",
    "moto.core.responses:ActionResult",
    "moto.core.responses:EmptyResult",
    "moto.core.utils:camelcase_to_underscores",
    "moto.utilities.id_generator:ExistingIds",
    "moto.utilities.id_generator:ResourceIdentifier",
    "moto.utilities.id_generator:Tags",
    "moto.utilities.id_generator:moto_id",
    "moto.utilities.utils:get_partition",
    # Services.
    "moto.awslambda.exceptions:LambdaClientError",
    "moto.awslambda.exceptions:UnknownFunctionException",
    "moto.awslambda.models:LambdaFunction",
    "moto.awslambda.models:LambdaFunction._create_zipfile_from_plaintext_code",
    "moto.awslambda.models:LambdaFunction.create_from_cloudformation_json",
    "moto.awslambda.models:LambdaFunction.update_from_cloudformation_json",
    "moto.awslambda.models:LambdaFunction.vpc_config",
    "moto.awslambda.models:Permission",
    "moto.awslambda.models:Permission.create_from_cloudformation_json",
    "moto.awslambda.models:Permission.update_from_cloudformation_json",
    "moto.awslambda.models:lambda_backends",
    "moto.awslambda.utils:get_backend",
    "moto.batch.models:BatchBackend",
    "moto.batch.models:BatchBackend.create_compute_environment",
    "moto.batch.models:ComputeEnvironment",
    "moto.batch.models:ComputeEnvironment.create_from_cloudformation_json",
    "moto.batch.models:ComputeEnvironment.update_from_cloudformation_json",
    "moto.batch.models:JobDefinition",
    "moto.batch.models:JobDefinition.create_from_cloudformation_json",
    "moto.batch.models:JobDefinition.update_from_cloudformation_json",
    "moto.batch.models:JobQueue",
    "moto.batch.models:JobQueue.create_from_cloudformation_json",
    "moto.batch.models:JobQueue.update_from_cloudformation_json",
    "moto.batch.models:batch_backends",
    "moto.batch.utils:lowercase_first_key",
    "moto.cognitoidentity.exceptions:ResourceNotFoundError",
    "moto.cognitoidentity.models:CognitoIdentityBackend",
    "moto.cognitoidentity.models:CognitoIdentityBackend.delete_identity_pool",
    "moto.cognitoidentity.models:cognitoidentity_backends",
    "moto.cognitoidentity.responses:CognitoIdentityResponse",
    "moto.cognitoidp.exceptions:ResourceNotFoundError",
    "moto.cognitoidp.models:CognitoIdpBackend",
    "moto.cognitoidp.models:cognitoidp_backends",
    "moto.dynamodb.exceptions:ResourceNotFoundException",
    "moto.dynamodb.models:DynamoDBBackend",
    "moto.dynamodb.models:dynamodb_backends",
    "moto.dynamodb.models.table:Table",
    "moto.dynamodb.models.table:Table.create_from_cloudformation_json",
    "moto.dynamodb.models.table:Table.update_from_cloudformation_json",
    "moto.ec2.exceptions:EC2ClientError",
    "moto.ec2.exceptions:InvalidAssociationIdError",
    "moto.ec2.exceptions:InvalidSubnetIdError",
    "moto.ec2.exceptions:InvalidVPCIdError",
    "moto.ec2.models:ec2_backends",
    "moto.ec2.models.availability_zones_and_regions:RegionsAndZonesBackend",
    "moto.ec2.models.availability_zones_and_regions:RegionsAndZonesBackend.zones",
    "moto.ec2.models.instances:Instance",
    "moto.ec2.models.instances:Instance.create_from_cloudformation_json",
    "moto.ec2.models.instances:Instance.update_from_cloudformation_json",
    "moto.ec2.models.launch_templates:LaunchTemplate",
    "moto.ec2.models.launch_templates:LaunchTemplate.update_from_cloudformation_json",
    "moto.ec2.models.security_groups:SecurityGroup",
    "moto.ec2.models.security_groups:SecurityGroup.create_from_cloudformation_json",
    "moto.ec2.models.security_groups:SecurityGroupIngress",
    "moto.ec2.models.security_groups:SecurityGroupIngress.create_from_cloudformation_json",
    "moto.ec2.models.security_groups:SecurityGroupIngress.update_from_cloudformation_json",
    "moto.ec2.models.subnets:Subnet",
    "moto.ec2.models.subnets:Subnet.create_from_cloudformation_json",
    "moto.ec2.models.subnets:SubnetRouteTableAssociation",
    "moto.ec2.models.subnets:SubnetRouteTableAssociation.create_from_cloudformation_json",
    "moto.ec2.models.subnets:SubnetRouteTableAssociation.physical_resource_id",
    "moto.ec2.models.vpcs:VPC",
    "moto.ec2.models.vpcs:VPC.create_from_cloudformation_json",
    "moto.ec2.models.vpcs:VPCEndPoint",
    "moto.ec2.models.vpcs:VPCEndPoint.create_from_cloudformation_json",
    "moto.ec2.models.vpcs:VPCEndPoint.update_from_cloudformation_json",
    "moto.ecr.exceptions:LifecyclePolicyNotFoundException",
    "moto.ecr.exceptions:RepositoryPolicyNotFoundException",
    "moto.ecr.models:Repository",
    "moto.ecr.models:Repository.create_from_cloudformation_json",
    "moto.ecr.models:Repository.update_from_cloudformation_json",
    "moto.ecr.models:ecr_backends",
    "moto.eks.exceptions:InvalidParameterException",
    "moto.eks.exceptions:InvalidRequestException",
    "moto.eks.exceptions:ResourceNotFoundException",
    "moto.eks.models:Cluster",
    "moto.eks.models:EKSBackend",
    "moto.eks.models:EKSBackend.create_nodegroup",
    "moto.eks.models:EKSBackend.update_cluster_config",
    "moto.eks.responses:EKSResponse",
    # EKS access entries (eks_access_entries.py); the handlers reach the backend through eks_backend.
    "moto.eks.exceptions:ResourceInUseException",
    "moto.eks.models:EKSBackend.list_tags_for_resource",
    "moto.eks.models:EKSBackend.tag_resource",
    "moto.eks.models:EKSBackend.untag_resource",
    "moto.eks.responses:EKSResponse.create_cluster",
    "moto.eks.responses:EKSResponse.eks_backend",
    "moto.eks.responses:EKSResponse.create_nodegroup",
    "moto.eks.responses:EKSResponse.update_cluster_config",
    "moto.eks.urls:response",
    "moto.eks.urls:url_paths",
    "moto.elasticache.exceptions:ReplicationGroupNotFound",
    "moto.elasticache.models:ElastiCacheBackend",
    "moto.elasticache.models:ElastiCacheBackend.create_replication_group",
    "moto.elasticache.models:elasticache_backends",
    "moto.iam.exceptions:DeleteConflictException",
    "moto.iam.exceptions:NotFoundException",
    "moto.iam.models:IAMBackend",
    "moto.iam.models:InstanceProfile",
    "moto.iam.models:InstanceProfile.update_from_cloudformation_json",
    "moto.iam.models:ManagedPolicy",
    "moto.iam.models:ManagedPolicy.create_from_cloudformation_json",
    "moto.iam.models:ManagedPolicy.update_from_cloudformation_json",
    "moto.iam.models:Role",
    "moto.iam.models:Role.create_from_cloudformation_json",
    "moto.iam.models:Role.delete_from_cloudformation_json",
    "moto.iam.models:Role.put_policy",
    "moto.iam.models:Role.update_from_cloudformation_json",
    "moto.iam.models:User",
    "moto.iam.models:User.create_from_cloudformation_json",
    "moto.iam.models:User.delete_from_cloudformation_json",
    "moto.iam.models:User.update_from_cloudformation_json",
    "moto.iam.models:iam_backends",
    "moto.kms.models:Alias",
    "moto.kms.models:Alias.update_from_cloudformation_json",
    "moto.kms.models:Key",
    "moto.kms.models:Key.create_from_cloudformation_json",
    "moto.kms.models:Key.delete",
    "moto.kms.models:Key.update_from_cloudformation_json",
    "moto.kms.models:kms_backends",
    "moto.logs.models:LogGroup",
    "moto.logs.models:LogGroup.create_from_cloudformation_json",
    "moto.logs.models:LogGroup.update_from_cloudformation_json",
    "moto.logs.models:logs_backends",
    "moto.rds.exceptions:DBClusterNotFoundError",
    "moto.rds.models:DBInstance",
    "moto.rds.models:DBInstance.create_from_cloudformation_json",
    "moto.rds.models:DBInstance.update_from_cloudformation_json",
    "moto.rds.models:DBSubnetGroup",
    "moto.rds.models:DBSubnetGroup.create_from_cloudformation_json",
    "moto.rds.models:DBSubnetGroup.update_from_cloudformation_json",
    "moto.rds.models:RDSBackend",
    "moto.rds.models:rds_backends",
    "moto.route53.exceptions:Route53ClientError",
    "moto.route53.models:FakeZone",
    "moto.route53.models:FakeZone.create_from_cloudformation_json",
    "moto.route53.models:FakeZone.update_from_cloudformation_json",
    "moto.route53.models:ROUTE53_ID_CHOICE",
    "moto.route53.models:RecordSet",
    "moto.route53.models:RecordSet.create_from_cloudformation_json",
    "moto.route53.models:RecordSetGroup",
    "moto.route53.models:RecordSetGroup.create_from_cloudformation_json",
    "moto.route53.models:RecordSetGroup.update_from_cloudformation_json",
    "moto.route53.models:Route53Backend",
    "moto.route53.models:Route53Backend.change_resource_record_sets",
    "moto.route53.models:Route53Backend.get_hosted_zone_by_name",
    "moto.route53.models:create_route53_zone_id",
    "moto.route53.models:random",
    "moto.route53.models:route53_backends",
    "moto.s3.exceptions:MissingBucket",
    "moto.s3.models:FakeBucket",
    "moto.s3.models:FakeBucket.create_from_cloudformation_json",
    "moto.s3.models:FakeBucket.update_from_cloudformation_json",
    "moto.s3.models:S3Backend",
    "moto.s3.models:s3_backends",
    "moto.secretsmanager.exceptions:SecretNotFoundException",
    "moto.secretsmanager.models:FakeSecret",
    "moto.secretsmanager.models:FakeSecret.to_dict",
    "moto.secretsmanager.models:SecretsManagerBackend",
    "moto.secretsmanager.models:secretsmanager_backends",
    "moto.ses.models:SESBackend",
    "moto.ses.models:ses_backends",
    "moto.sesv2.models:SESV2Backend",
    "moto.sesv2.models:sesv2_backends",
    "moto.sns.models:SNSBackend",
    "moto.sns.models:sns_backends",
    "moto.sqs.exceptions:QueueDoesNotExist",
    "moto.sqs.models:Queue",
    "moto.sqs.models:Queue._set_attributes",
    "moto.sqs.models:SQSBackend",
    "moto.sqs.models:sqs_backends",
    "moto.stepfunctions.models:StateMachine",
    "moto.stepfunctions.models:StateMachine.create_from_cloudformation_json",
    "moto.stepfunctions.models:StateMachine.update_from_cloudformation_json",
)

# Attributes the extensions add to moto's classes (moto 5.2 has none of them to replace). moto's
# CloudFormation calls `delete` and reads `physical_resource_id` where a model has them; the
# cognito-identity roles API, EKS's access entries API, the drift detection actions and drift
# information are new.
ADDED = (
    "moto.cloudformation.responses:CloudFormationResponse.update_termination_protection",
    "moto.awslambda.models:Permission.delete",
    "moto.awslambda.models:Permission.physical_resource_id",
    "moto.batch.models:ComputeEnvironment.delete",
    "moto.batch.models:JobDefinition.delete",
    "moto.batch.models:JobQueue.delete",
    "moto.cloudformation.models:Stack.drift_information",
    "moto.cloudformation.responses:CloudFormationResponse.describe_stack_drift_detection_status",
    "moto.cloudformation.responses:CloudFormationResponse.describe_stack_resource_drifts",
    "moto.cloudformation.responses:CloudFormationResponse.detect_stack_drift",
    "moto.cloudformation.responses:CloudFormationResponse.detect_stack_resource_drift",
    "moto.cloudformation.responses:StackResourceDTO.drift_information",
    "moto.cloudformation.models:CloudFormationBackend.list_imports",
    "moto.cloudformation.models:CloudFormationBackend.update_termination_protection",
    "moto.cloudformation.responses:CloudFormationResponse.list_imports",
    "moto.cognitoidentity.models:CognitoIdentityBackend.get_identity_pool_roles",
    "moto.cognitoidentity.models:CognitoIdentityBackend.set_identity_pool_roles",
    "moto.cognitoidentity.responses:CognitoIdentityResponse.get_identity_pool_roles",
    "moto.cognitoidentity.responses:CognitoIdentityResponse.set_identity_pool_roles",
    "moto.ec2.models.security_groups:SecurityGroupIngress.delete",
    "moto.ec2.models.security_groups:SecurityGroupIngress.physical_resource_id",
    "moto.ec2.models.subnets:SubnetRouteTableAssociation.delete",
    "moto.ec2.models.vpcs:VPCEndPoint.delete",
    "moto.eks.models:Cluster.access_config",
    "moto.eks.responses:EKSResponse.associate_access_policy",
    "moto.eks.responses:EKSResponse.create_access_entry",
    "moto.eks.responses:EKSResponse.delete_access_entry",
    "moto.eks.responses:EKSResponse.describe_access_entry",
    "moto.eks.responses:EKSResponse.describe_cluster_versions",
    "moto.eks.responses:EKSResponse.disassociate_access_policy",
    "moto.eks.responses:EKSResponse.list_access_entries",
    "moto.eks.responses:EKSResponse.list_access_policies",
    "moto.eks.responses:EKSResponse.list_associated_access_policies",
    "moto.eks.responses:EKSResponse.update_access_entry",
    "moto.eks.responses:EKSResponse.create_addon",
    "moto.eks.responses:EKSResponse.delete_addon",
    "moto.eks.responses:EKSResponse.describe_addon",
    "moto.eks.responses:EKSResponse.describe_addon_versions",
    "moto.eks.responses:EKSResponse.describe_update",
    "moto.eks.responses:EKSResponse.list_addons",
    "moto.eks.responses:EKSResponse.update_addon",
    "moto.eks.responses:EKSResponse.update_cluster_version",
    "moto.eks.responses:EKSResponse.update_nodegroup_version",
    "moto.iam.models:ManagedPolicy.delete",
    "moto.rds.models:DBSubnetGroup.physical_resource_id",
    "moto.route53.models:FakeZone.delete",
    "moto.route53.models:RecordSetGroup.delete",
)


def _resolve(entry: str) -> str | None:
    """None when the internal exists, otherwise why not."""
    module_name, _, path = entry.partition(":")
    try:
        value: Any = importlib.import_module(module_name)
    except ImportError as error:
        return f"module {module_name} cannot be imported ({error})"
    walked = module_name
    for name in path.split(".") if path else ():
        if not hasattr(value, name) and isinstance(value, ModuleType):
            # `from package import submodule` reads a submodule that may not be imported yet.
            with contextlib.suppress(ImportError):
                importlib.import_module(f"{value.__name__}.{name}")
        if not hasattr(value, name):
            return f"{walked} has no attribute {name}"
        value = getattr(value, name)
        walked = f"{walked}.{name}"
    return None


def missing(entries: Iterable[str]) -> list[tuple[str, str]]:
    """The entries the installed moto lacks, each with the reason."""
    return [(entry, reason) for entry in entries if (reason := _resolve(entry)) is not None]


def pinned_moto_version() -> str:
    """MOTO_VERSION from tools/versions.env (beside this directory), or "unknown"."""
    try:
        with open(os.path.join(HERE, "..", "versions.env"), encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.strip().partition("=")
                if key == "MOTO_VERSION":
                    return value
    except OSError:
        pass
    return "unknown"


def installed_moto_version() -> str:
    try:
        return metadata.version("moto")
    except metadata.PackageNotFoundError:
        return "not installed"


def problems(entries: Iterable[str] = REQUIRED, limit: int | None = 6) -> str | None:
    """A message naming the missing internals (more than `limit`: the first `limit` - 1 and a count) and both
    moto versions, or None when all exist."""
    gone = missing(entries)
    if not gone:
        return None
    installed, pinned = installed_moto_version(), pinned_moto_version()
    lines = [
        f"the emulator extensions need {len(gone)} moto internal(s) that moto {installed} "
        f"(tools/versions.env MOTO_VERSION={pinned}) does not have:"
    ]
    # Eight lines at most by default: the emulator's callers show the tail of its log.
    shown = gone if limit is None or len(gone) <= limit else gone[: limit - 1]
    lines += [f"  {entry.replace(':', '.')}: {reason}" for entry, reason in shown]
    if len(shown) < len(gone):
        lines.append(f"  ... and {len(gone) - len(shown)} more (python tools/emulator/moto_internals.py lists them all)")
    lines.append(
        "Reinstall the pinned tools (make tools), or, when upgrading moto on purpose, adapt the "
        "extensions that use these (docs/toolchain.md, \"Upgrading moto\")."
    )
    return "\n".join(lines)


def check(entries: Iterable[str] = REQUIRED, limit: int | None = 6) -> None:
    """Exit with status 3 and the message on stderr when an internal is missing."""
    message = problems(entries, limit)
    if message is not None:
        print(message, file=sys.stderr, flush=True)
        sys.exit(3)


def derive(paths: Iterable[str]) -> set[str]:
    """Every "module:attribute.path" of moto that the given Python files import or reach through
    an imported name (reads and assignments), cut where the path leaves moto's modules and
    classes (a dict's .get, random.choice) and at dunders (__init__, __func__)."""
    import ast

    found: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), path)
        bound: dict[str, tuple[str, list[str]]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "moto":
                for alias in node.names:
                    bound[alias.asname or alias.name] = (node.module, [alias.name])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "moto" and alias.asname:
                        bound[alias.asname] = (alias.name, [])
        for node in ast.walk(tree):
            chain: list[str] = []
            base: ast.AST = node
            while isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            if not isinstance(base, ast.Name) or base.id not in bound:
                continue
            module_name, prefix = bound[base.id]
            found.add(_normalise(module_name, prefix + chain))
    found.discard("")
    return found


def _normalise(module_name: str, names: list[str]) -> str:
    """module_name:names, with leading submodules moved into the module and the path cut where
    it stops naming moto's modules and classes."""
    value: Any = importlib.import_module(module_name)
    kept: list[str] = []
    for name in names:
        if name.startswith("__"):
            break
        if isinstance(value, ModuleType) and not kept:
            try:
                value = importlib.import_module(f"{module_name}.{name}")
                module_name = f"{module_name}.{name}"
                continue
            except ImportError:
                pass
        if isinstance(value, ModuleType) and not value.__name__.startswith("moto"):
            break
        if not isinstance(value, (ModuleType, type)):
            break
        kept.append(name)
        value = getattr(value, name, None)
    return f"{module_name}:{'.'.join(kept)}" if kept else f"{module_name}:"


def extension_sources() -> list[str]:
    """The files that patch moto: every Python file here and in extensions/ except launch.py,
    this module and the tests."""
    found = []
    for directory in (HERE, os.path.join(HERE, "extensions")):
        for name in sorted(os.listdir(directory)):
            if name.endswith(".py") and not name.startswith("test_") and name not in {"launch.py", "moto_internals.py"}:
                found.append(os.path.join(directory, name))
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["--derive"]:
        for entry in sorted(derive(extension_sources())):
            print(entry)
        sys.exit(0)
    check(limit=None)
    print(f"moto {installed_moto_version()}: every internal the emulator extensions use is present")
