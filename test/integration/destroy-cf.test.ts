import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeDBClusterSnapshotsCommand, DescribeDBClustersCommand, ModifyDBClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { loadParameterValues, loadTemplates, planDeploy, runDeploy } from '../../src/cf/deploy.js';
import { destroyCommand } from '../../src/commands/destroy.js';
import { twinClusterStack } from '../../src/dev/eksctl-stack.js';
import type { DestroyReport } from '../../src/destroy/report.js';
import type { RetainedResource } from '../../src/destroy/retention.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { InputError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * Today's cf/, deployed as staging into the emulator by deploy-cf's own code (after the staging
 * cluster's record, OIDC provider and eksctl stack, as the twin has them for development), then
 * taken down by destroy: the resources cf/ marks Retain are still in their services, the database
 * left a final snapshot, and everything else is gone.
 */
describe("biomage destroy of today's cf/ in staging (against the emulator)", () => {
  const { target } = useEmulator();
  const cfn = () => awsClient(CloudFormationClient, target());

  beforeAll(async () => {
    const eks = awsClient(EKSClient, target());
    const { cluster = {} } = await eks.send(
      new CreateClusterCommand({ name: 'biomage-staging', roleArn: 'arn:aws:iam::123456789012:role/biomage-staging-cluster', resourcesVpcConfig: { subnetIds: [] } }),
    );
    await awsClient(IAMClient, target()).send(
      new CreateOpenIDConnectProviderCommand({ Url: cluster.identity?.oidc?.issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] }),
    );
    await twinClusterStack(target(), eks, 'biomage-staging', cluster);
    // cf/parameters.yaml names a placeholder zone for staging's mail domain: the emulator's own stands in.
    const { HostedZone } = await awsClient(Route53Client, target()).send(
      new CreateHostedZoneCommand({ Name: 'staging.cellenics.example', CallerReference: 'destroy-cf-test' }),
    );
    const templates = await loadTemplates(repoRoot, { paths: [] });
    const values = loadParameterValues(repoRoot, templates, 'staging');
    for (const list of values.values()) for (const v of list) if (v.key === 'HostedZoneId') v.value = (HostedZone?.Id ?? '').replace('/hostedzone/', '');
    const plans = await planDeploy(templates, { env: 'staging', target: target(), cfn: cfn(), values });
    const outcomes = await runDeploy(cfn(), plans, { env: 'staging', dryRun: false, force: false, concurrency: 4, pollMs: 10, hooks: { status: () => {}, event: () => {} } });
    for (const o of outcomes) expect(o, JSON.stringify(o.error)).toMatchObject({ result: 'ok' });
  });

  const destroy = async () => {
    const c = testContext('destroy', { env: 'staging', region: 'eu-west-1', json: true, yes: true });
    const clients = { cfn: cfn(), rds: awsClient(RDSClient, target()), dynamodb: awsClient(DynamoDBClient, target()), cognito: awsClient(CognitoIdentityProviderClient, target()) };
    const code = await destroyCommand(c.ctx, { paths: [], concurrency: 4, root: repoRoot, ...clients }).catch((error: unknown) => error);
    return { code, stdout: c.stdout(), stderr: c.stderr() };
  };

  it("is refused while the Aurora cluster, which its Snapshot policy deletes, has deletion protection on (cf/ sets it outside development); nothing deleted", async () => {
    const { code } = await destroy();
    expect(code).toBeInstanceOf(InputError);
    expect((code as InputError).message).toBe(
      'destroy refused, nothing was deleted: biomage-rds-staging: DatabaseCluster (AWS::RDS::DBCluster biomage-aurora-staging) has deletion protection on, and its DeletionPolicy deletes it: CloudFormation would fail there',
    );
    expect((code as InputError).hint).toBe('if it really must go: aws rds modify-db-cluster --db-cluster-identifier biomage-aurora-staging --no-deletion-protection --apply-immediately');
    const { Stacks = [] } = await cfn().send(new DescribeStacksCommand({}));
    expect(Stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE')).toHaveLength(14);
  });

  it('once it is lifted, deletes every stack and keeps exactly what cf/ marks Retain or Snapshot, each still in its service', async () => {
    // The printed command, through the SDK: the protection is read live, so lifting it by hand is enough.
    await awsClient(RDSClient, target()).send(new ModifyDBClusterCommand({ DBClusterIdentifier: 'biomage-aurora-staging', DeletionProtection: false, ApplyImmediately: true }));
    const { code, stdout, stderr } = await destroy();
    expect(code, stderr).toBe(0);
    const report = (JSON.parse(stdout) as { result: DestroyReport }).result;
    expect(report.stacks.every((s) => s.result === 'deleted')).toBe(true);
    expect(report.stacks).toHaveLength(13);

    const { Stacks = [] } = await cfn().send(new DescribeStacksCommand({}));
    expect(Stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName)).toEqual(['eksctl-biomage-staging-cluster']);

    const kept = (type: string) => report.retained.filter((r) => r.type === type);
    expect(report.retained.map((r) => `${r.type} ${r.policy}`).sort()).toEqual(
      [
        ...Array<string>(7).fill('AWS::S3::Bucket Retain'),
        ...Array<string>(4).fill('AWS::DynamoDB::Table Retain'),
        ...Array<string>(2).fill('AWS::SQS::Queue Retain'),
        'AWS::Cognito::UserPool Retain',
        'AWS::SES::EmailIdentity Retain',
        'AWS::SecretsManager::Secret Retain',
        'AWS::RDS::DBCluster Snapshot',
        'AWS::ElastiCache::ReplicationGroup Snapshot',
      ].sort(),
    );
    const s3 = awsClient(S3Client, target());
    for (const bucket of kept('AWS::S3::Bucket')) await s3.send(new HeadBucketCommand({ Bucket: bucket.physicalId }));
    const dynamodb = awsClient(DynamoDBClient, target());
    for (const table of kept('AWS::DynamoDB::Table')) await dynamodb.send(new DescribeTableCommand({ TableName: table.physicalId }));
    const sqs = awsClient(SQSClient, target());
    for (const queue of kept('AWS::SQS::Queue')) await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.physicalId, AttributeNames: ['QueueArn'] }));
    const one = (type: string): RetainedResource => {
      const [resource] = kept(type);
      if (!resource) throw new Error(`no ${type} kept`);
      return resource;
    };
    await awsClient(CognitoIdentityProviderClient, target()).send(new DescribeUserPoolCommand({ UserPoolId: one('AWS::Cognito::UserPool').physicalId }));
    await awsClient(SESv2Client, target()).send(new GetEmailIdentityCommand({ EmailIdentity: one('AWS::SES::EmailIdentity').physicalId }));
    await awsClient(SecretsManagerClient, target()).send(new DescribeSecretCommand({ SecretId: one('AWS::SecretsManager::Secret').physicalId }));

    const rds = awsClient(RDSClient, target());
    const cluster = one('AWS::RDS::DBCluster');
    expect((await rds.send(new DescribeDBClustersCommand({}))).DBClusters).toEqual([]);
    const { DBClusterSnapshots = [] } = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: cluster.physicalId }));
    // Beside the automated backups RDS keeps, the final snapshot the deletion took, named in the report.
    expect(DBClusterSnapshots.map((s) => s.DBClusterSnapshotIdentifier)).toEqual(expect.arrayContaining(cluster.snapshots ?? ['none']));
    expect(cluster.snapshots).toHaveLength(1);

    // moto has no ElastiCache snapshots: where AWS would take the final snapshot and delete the
    // group, the emulator keeps the group (docs/runbooks/local-twin.md).
    const { ReplicationGroups = [] } = await awsClient(ElastiCacheClient, target()).send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: one('AWS::ElastiCache::ReplicationGroup').physicalId }),
    );
    expect(ReplicationGroups).toHaveLength(1);

    // What was not kept went: the IRSA roles, for one.
    await expect(awsClient(IAMClient, target()).send(new GetRoleCommand({ RoleName: 'biomage-api-role-staging' }))).rejects.toThrow();
  });
});
