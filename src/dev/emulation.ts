import { awsClient } from '../aws/clients.js';
import type { AwsTarget } from '../aws/target.js';
import type { CfnValue } from '../cf/template.js';
import { NATIVE_CHECKS, nativePresenceClients } from './emulation-native.js';
import {
  cognitoIdentitySdk,
  cognitoSdk,
  dynamoDbSdk,
  ec2Sdk,
  elastiCacheSdk,
  iamSdk,
  rdsSdk,
  s3Sdk,
  secretsManagerSdk,
  sesV2Sdk,
  snsSdk,
  sqsSdk,
} from '../aws/sdk.js';

const { DescribeUserPoolClientCommand, DescribeUserPoolCommand, DescribeUserPoolDomainCommand } = cognitoSdk();
const { DescribeTableCommand } = dynamoDbSdk();
const {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} = ec2Sdk();
const { GetBucketPolicyCommand, HeadBucketCommand } = s3Sdk();
const { DescribeCacheSubnetGroupsCommand, DescribeReplicationGroupsCommand } = elastiCacheSdk();
const { GetOpenIDConnectProviderCommand, GetRoleCommand, GetUserCommand } = iamSdk();
const { GetSubscriptionAttributesCommand, GetTopicAttributesCommand } = snsSdk();
const { GetQueueAttributesCommand } = sqsSdk();
const { DescribeDBClustersCommand } = rdsSdk();
const { DescribeSecretCommand, GetSecretValueCommand } = secretsManagerSdk();
const { GetEmailIdentityCommand } = sesV2Sdk();
const { DescribeIdentityPoolCommand, GetIdentityPoolRolesCommand } = cognitoIdentitySdk();

/** The service clients a presence check may use, built once per run. */
export function presenceClients(target: AwsTarget) {
  return {
    cognito: awsClient(cognitoSdk().CognitoIdentityProviderClient, target),
    dynamodb: awsClient(dynamoDbSdk().DynamoDBClient, target),
    ec2: awsClient(ec2Sdk().EC2Client, target),
    elasticache: awsClient(elastiCacheSdk().ElastiCacheClient, target),
    iam: awsClient(iamSdk().IAMClient, target),
    s3: awsClient(s3Sdk().S3Client, target),
    sns: awsClient(snsSdk().SNSClient, target),
    sqs: awsClient(sqsSdk().SQSClient, target),
    rds: awsClient(rdsSdk().RDSClient, target),
    secretsManager: awsClient(secretsManagerSdk().SecretsManagerClient, target),
    sesV2: awsClient(sesV2Sdk().SESv2Client, target),
    cognitoIdentity: awsClient(cognitoIdentitySdk().CognitoIdentityClient, target),
    ...nativePresenceClients(target),
  };
}
export type PresenceClients = ReturnType<typeof presenceClients>;

export interface PresenceInput {
  clients: PresenceClients;
  /** The resource's physical id as CloudFormation recorded it. */
  physicalId: string;
  properties: Record<string, CfnValue>;
  /** Physical id of another resource of the same stack, for properties that `Ref` it. */
  physicalIdOf: (value: CfnValue) => string | undefined;
}

/** Resolves when the resource exists in its service; rejects (the service's own error) when not. */
type PresenceCheck = (input: PresenceInput) => Promise<unknown>;

/**
 * The resource types the twin really creates, each with the service call that proves it. moto
 * 5.2 models some natively; the rest are models added in-process by tools/emulator/extensions.
 */
export const EMULATED: Readonly<Record<string, PresenceCheck>> = {
  'AWS::DynamoDB::Table': ({ clients, physicalId }) => clients.dynamodb.send(new DescribeTableCommand({ TableName: physicalId })),
  'AWS::S3::Bucket': ({ clients, physicalId }) => clients.s3.send(new HeadBucketCommand({ Bucket: physicalId })),
  'AWS::S3::BucketPolicy': ({ clients, properties, physicalIdOf }) =>
    clients.s3.send(new GetBucketPolicyCommand({ Bucket: physicalIdOf(properties.Bucket) })),
  'AWS::SNS::Topic': ({ clients, physicalId }) => clients.sns.send(new GetTopicAttributesCommand({ TopicArn: physicalId })),
  'AWS::SNS::Subscription': ({ clients, physicalId }) =>
    clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: physicalId })),
  'AWS::SQS::Queue': ({ clients, physicalId }) => clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: physicalId })),
  'AWS::SQS::QueuePolicy': async ({ clients, properties, physicalIdOf }) => {
    for (const queue of Array.isArray(properties.Queues) ? properties.Queues : []) {
      const { Attributes } = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: physicalIdOf(queue), AttributeNames: ['Policy'] }));
      if (!Attributes?.Policy) throw new Error('the queue has no policy');
    }
  },
  'AWS::IAM::Role': ({ clients, physicalId }) => clients.iam.send(new GetRoleCommand({ RoleName: physicalId })),
  'AWS::IAM::User': ({ clients, physicalId }) => clients.iam.send(new GetUserCommand({ UserName: physicalId })),
  'AWS::IAM::OIDCProvider': ({ clients, physicalId }) =>
    clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: physicalId })),
  'AWS::ElastiCache::ReplicationGroup': ({ clients, physicalId }) =>
    clients.elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: physicalId })),
  'AWS::ElastiCache::SubnetGroup': ({ clients, physicalId }) =>
    clients.elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: physicalId })),
  'AWS::EC2::VPC': ({ clients, physicalId }) => clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [physicalId] })),
  'AWS::EC2::Subnet': ({ clients, physicalId }) => clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [physicalId] })),
  'AWS::EC2::SecurityGroup': ({ clients, physicalId }) => clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [physicalId] })),
  // A VPC's way out, as eksctl's cluster stack builds it (moto's models mended by tools/emulator/vpc_fidelity.py).
  'AWS::EC2::InternetGateway': ({ clients, physicalId }) => clients.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [physicalId] })),
  'AWS::EC2::VPCGatewayAttachment': async ({ clients, properties, physicalIdOf }) => {
    const { InternetGateways = [] } = await clients.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [referencedId(physicalIdOf, properties.InternetGatewayId, 'internet gateway')] }));
    if (!InternetGateways[0]?.Attachments?.some((a) => a.VpcId === physicalIdOf(properties.VpcId))) throw absent('NotAttached', 'the gateway is not attached to the VPC');
  },
  'AWS::EC2::RouteTable': ({ clients, physicalId }) => clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [physicalId] })),
  'AWS::EC2::Route': async ({ clients, properties, physicalIdOf }) => {
    const { RouteTables = [] } = await clients.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [referencedId(physicalIdOf, properties.RouteTableId, 'route table')] }));
    if (!RouteTables[0]?.Routes?.some((r) => r.DestinationCidrBlock === properties.DestinationCidrBlock)) throw absent('NoRoute', 'the route table has no such route');
  },
  // Physical id: the association's id (rtbassoc-…).
  'AWS::EC2::SubnetRouteTableAssociation': async ({ clients, physicalId }) => {
    const filter = { Name: 'association.route-table-association-id', Values: [physicalId] };
    const { RouteTables = [] } = await clients.ec2.send(new DescribeRouteTablesCommand({ Filters: [filter] }));
    if (!RouteTables.length) throw absent('NotAssociated', 'no route table has this association');
  },
  // Physical id: the public address.
  'AWS::EC2::EIP': ({ clients, physicalId }) => clients.ec2.send(new DescribeAddressesCommand({ PublicIps: [physicalId] })),
  'AWS::EC2::NatGateway': async ({ clients, physicalId }) => {
    const { NatGateways = [] } = await clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [physicalId] }));
    if (NatGateways[0]?.State !== 'available') throw absent('NotAvailable', `the NAT gateway is ${NatGateways[0]?.State ?? 'missing'}`);
  },
  'AWS::Cognito::UserPool': ({ clients, physicalId }) => clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: physicalId })),
  'AWS::Cognito::UserPoolClient': ({ clients, physicalId, properties, physicalIdOf }) =>
    clients.cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: physicalIdOf(properties.UserPoolId), ClientId: physicalId })),
  'AWS::Cognito::UserPoolDomain': async ({ clients, physicalId }) => {
    const { DomainDescription } = await clients.cognito.send(new DescribeUserPoolDomainCommand({ Domain: physicalId }));
    if (!DomainDescription?.Domain) throw new Error('no such domain');
  },
  'AWS::RDS::DBCluster': ({ clients, physicalId }) => clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: physicalId })),
  'AWS::SecretsManager::Secret': ({ clients, physicalId }) => clients.secretsManager.send(new DescribeSecretCommand({ SecretId: physicalId })),
  // An attachment is its effect: the secret's JSON holds the target's host. The value is read
  // here and never reported.
  'AWS::SecretsManager::SecretTargetAttachment': async ({ clients, physicalId }) => {
    const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: physicalId }));
    let host: unknown;
    try {
      host = (JSON.parse(SecretString ?? '{}') as { host?: unknown }).host;
    } catch {
      host = undefined;
    }
    if (!host) throw absent('NotAttached', "the secret's value has no host");
  },
  // A schedule's physical id is its secret's ARN; the schedule exists when the secret rotates.
  'AWS::SecretsManager::RotationSchedule': async ({ clients, physicalId }) => {
    const secret = await clients.secretsManager.send(new DescribeSecretCommand({ SecretId: physicalId }));
    if (!secret.RotationEnabled || !secret.RotationLambdaARN) throw absent('RotationNotEnabled', 'the secret does not rotate');
  },
  'AWS::SES::EmailIdentity': ({ clients, physicalId }) => clients.sesV2.send(new GetEmailIdentityCommand({ EmailIdentity: physicalId })),
  'AWS::Cognito::IdentityPool': ({ clients, physicalId }) =>
    clients.cognitoIdentity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: physicalId })),
  // An attachment's physical id is its identity pool's id; it exists when the pool has roles.
  'AWS::Cognito::IdentityPoolRoleAttachment': async ({ clients, physicalId }) => {
    const { Roles, RoleMappings } = await clients.cognitoIdentity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: physicalId }));
    if (!Object.keys(Roles ?? {}).length && !Object.keys(RoleMappings ?? {}).length) throw absent('NoRoles', 'the identity pool has no roles');
  },
  // Types moto models itself, some mended by the extensions: src/dev/emulation-native.ts.
  ...NATIVE_CHECKS,
};

/** The physical id of the resource a property refers to; one not deployed is a failed check. */
function referencedId(physicalIdOf: (value: CfnValue) => string | undefined, value: CfnValue, what: string): string {
  const id = physicalIdOf(value);
  if (id === undefined) throw absent('Unresolved', `the ${what} it refers to is not among the deployed resources`);
  return id;
}

/** A failed presence check: `dev up` shows the error's name. */
function absent(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** Types the twin cannot create, with the reason `dev up` reports beside each such resource. */
export const NOT_EMULATED: Readonly<Record<string, string>> = {};
