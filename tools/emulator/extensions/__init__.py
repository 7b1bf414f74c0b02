"""CloudFormation resource types that moto 5.2 lacks, added in-process to the emulator.

moto's CloudFormation skips resource types it has no model for and still reports the stack
complete. Importing this package, before the emulator serves its first request, registers models
for the types below (moto's parser collects CloudFormationModel subclasses when it first parses a
template), makes moto's DynamoDB table model apply stack updates, gives AWS::IAM::User its
inline policies, in-place updates and IAM's refusal to delete a user with keys (iam.py), makes a
stack's Route 53 record take over an identical existing record rather than duplicate it
(route53.py), makes moto read the YAML short form `!GetAtt A.B.C` as CloudFormation does, resolves
`{{resolve:secretsmanager:…}}` dynamic references (secretsmanager.py), expands the
AWS::SecretsManager transform (secretsmanager_transform.py) and gives moto's cognito-identity the
identity-pool roles API (cognito_identity.py).
It also mends models moto has but gets wrong, each module saying what and why: Lambda functions'
updates and permissions (awslambda.py), log group updates (logs.py), KMS keys' policies, updates
and scheduled deletion (kms.py), security group ingress rules, instances and VPC endpoints
(ec2_native.py), RDS subnet groups and instances (rds_native.py), Route 53 hosted zones
(route53_hosted_zone.py) and record set groups (route53_record_set_group.py), AWS Batch's updates
and deletes (batch.py), IAM managed policies and instance profiles (iam_managed_policy.py), ECR
repositories' scanning and policies (ecr.py), and state machines' Definition (stepfunctions.py).
Every model delegates to moto's own service backends, so the resources are visible through the
service APIs.
"""

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

# Imported for their side effect (F401 is off for this file in ruff.toml): cloudformation, cognito,
# cognito_identity, dynamodb, elasticache, iam, rds, route53, s3, secretsmanager,
# secretsmanager_transform, ses, sns and sqs register the models; the others patch moto's own.
from . import (
    awslambda,
    batch,
    cloudformation,
    cognito,
    cognito_identity,
    dynamodb,
    ec2_native,
    ecr,
    elasticache,
    iam,
    iam_managed_policy,
    kms,
    logs,
    rds,
    rds_native,
    route53,
    route53_hosted_zone,
    route53_record_set_group,
    s3,
    secretsmanager,
    secretsmanager_transform,
    ses,
    sns,
    sqs,
    stepfunctions,
)

# The resource types this package adds to moto's CloudFormation.
ADDED_TYPES = (
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::IdentityPool",
    "AWS::Cognito::IdentityPoolRoleAttachment",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::SubnetGroup",
    "AWS::IAM::OIDCProvider",
    "AWS::RDS::DBCluster",
    "AWS::S3::BucketPolicy",
    "AWS::SES::EmailIdentity",
    "AWS::SecretsManager::RotationSchedule",
    "AWS::SecretsManager::Secret",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
)

# moto caches its model list on first use: drop anything cached before these classes existed, and
# check without filling the cache (service modules imported later may still add models).
for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
    cached.cache_clear()
missing = set(ADDED_TYPES) - {model.cloudformation_type() for model in CloudFormationModel.__subclasses__()}
if missing:
    raise ImportError(f"CloudFormation models not registered with moto: {sorted(missing)}")
