import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetBucketEncryptionCommand, GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSubscriptionsCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';
import type { DevUpReport } from '../../src/dev/up.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';

const stateDir = mkdtempSync(join(tmpdir(), 'biomage-devup-'));
// moto's request recorder writes here, when the test turns it on (the twin's emulator inherits the env).
const recording = join(stateDir, 'emulator-requests.jsonl');
const env = cleanEnv({ BIOMAGE_STATE_DIR: stateDir, CI: 'true', MOTO_RECORDER_FILEPATH: recording });

/** Turn moto's request recorder on or off (/moto-api/recorder/…). */
async function recorder(endpoint: string, action: 'start-recording' | 'stop-recording'): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/recorder/${action}`, { method: 'POST' });
  expect(response.status, `moto recorder ${action}`).toBe(200);
}

/** The CloudFormation API actions the emulator received while recording, in order. */
function cloudFormationActions(): string[] {
  const actions: string[] = [];
  for (const line of readFileSync(recording, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as { headers: Record<string, string>; body: string | null; body_encoded: boolean };
    const header = (name: string) => Object.entries(entry.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
    if (!/\/cloudformation\/aws4_request/.test(header('authorization'))) continue;
    const body = entry.body_encoded ? Buffer.from(entry.body ?? '', 'base64').toString('utf8') : (entry.body ?? '');
    actions.push(new URLSearchParams(body).get('Action') ?? header('x-amz-target').split('.').pop() ?? '?');
  }
  return actions;
}

describe('biomage dev up: the local twin with cf/ deployed', () => {
  let report: DevUpReport;
  let code: number;
  let stderr: string;
  let target: AwsTarget;
  let account: string;

  beforeAll(async () => {
    const run = await spawnCli(['dev', 'up', '--json'], env);
    code = run.code;
    stderr = run.stderr;
    report = (JSON.parse(run.stdout) as { result: DevUpReport }).result;
    target = { region: 'eu-west-1', endpoint: report.twin.endpoint!, local: true };
    account = report.cluster.oidcProviderArn.split(':')[4]!;
  });
  afterAll(async () => {
    await spawnCli(['dev', 'down'], env);
  });

  it('deploys every template through deploy-cf and exits 0', () => {
    expect(code, stderr).toBe(0);
    expect(report.deploy.stacks.map((s) => s.stack).sort()).toEqual(
      [
        'batch',
        'cognito',
        'dynamodb',
        'irsa-api-role',
        'irsa-pipeline-role',
        'irsa-ui-role',
        'irsa-worker-role',
        'post-register-lambda',
        'rds',
        'redis',
        's3',
        'ses',
        'sns',
      ].map((n) => `biomage-${n}-development`),
    );
    for (const s of report.deploy.stacks) expect(s.result, s.stack).toBe('ok');
  });

  it("creates eksctl's cluster stack first, with the cluster in its VPC (test/integration/dev-eksctl-stack.test.ts has the details)", () => {
    expect(report.cluster.network).toMatchObject({ stack: 'eksctl-biomage-development-cluster', action: 'create', attached: true });
    expect(report.resources.filter((r) => r.stack === 'eksctl-biomage-development-cluster').length).toBeGreaterThan(20);
  });

  it('reports every resource as present in the emulator, or as not emulated with the reason', () => {
    expect(report.resources.length).toBeGreaterThan(30);
    for (const r of report.resources) {
      if (r.presence === 'not emulated') expect(r.detail, `${r.stack}/${r.logicalId}`).toBeTruthy();
      else expect(r.presence, `${r.stack}/${r.logicalId} (${r.type}): ${r.detail ?? ''}`).toBe('present');
    }
  });

  it('tables exist', async () => {
    const dynamodb = awsClient(DynamoDBClient, target);
    for (const name of ['experiments', 'samples', 'projects', 'plots-tables']) {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: `${name}-development` }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    }
  });

  it('buckets exist with encryption and a TLS-only policy', async () => {
    const s3 = awsClient(S3Client, target);
    for (const purpose of ['originals', 'source', 'processed-matrix', 'cell-sets', 'plots-tables', 'filtered-cells', 'worker-results']) {
      const Bucket = `biomage-${purpose}-development-${account}`;
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
      expect(encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBeTruthy();
      const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket }));
      const statements = (JSON.parse(Policy!) as { Statement: { Effect: string; Condition?: Record<string, Record<string, unknown>> }[] }).Statement;
      expect(statements.some((s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false'), Bucket).toBe(true);
    }
  });

  it('the work-results topic, the job queue with its dead-letter queue, and the subscription exist', async () => {
    const sns = awsClient(SNSClient, target);
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const topic = Topics.map((t) => t.TopicArn!).find((a) => a.includes('work-results'));
    expect(topic).toBeTruthy();
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsCommand({}));
    expect(Subscriptions.find((s) => s.TopicArn === topic)?.Protocol).toBe('sqs');

    const sqs = awsClient(SQSClient, target);
    const queueArn = report.resources.find((r) => r.type === 'AWS::SQS::Queue' && !/dead|dlq/i.test(r.logicalId))?.physicalId;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueArn, AttributeNames: ['All'] }));
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({ maxReceiveCount: expect.anything() });
    expect(Attributes?.Policy).toContain(topic);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: Attributes!.QueueArn!.split(':').pop()! }))).resolves.toBeTruthy();
  });

  it('roles trust exactly one service account through the twin cluster OIDC provider, with their inline policies', async () => {
    const iam = awsClient(IAMClient, target);
    const issuer = report.cluster.issuer.replace(/^https:\/\//, '');
    for (const service of ['api', 'worker', 'ui', 'pipeline']) {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: `biomage-${service}-role-development` }));
      const trust = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!)) as {
        Statement: { Principal: { Federated: string }; Action: string; Condition: { StringEquals: Record<string, string> } }[];
      };
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0]).toMatchObject({
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:aud`]: 'sts.amazonaws.com',
            [`${issuer}:sub`]: `system:serviceaccount:${service}-development:deployment-runner`,
          },
        },
      });
      const { PolicyNames = [] } = await iam.send(new ListRolePoliciesCommand({ RoleName: Role!.RoleName }));
      expect(PolicyNames.length, service).toBeGreaterThan(0);
      for (const PolicyName of PolicyNames) {
        const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: Role!.RoleName, PolicyName }));
        const doc = JSON.parse(decodeURIComponent(PolicyDocument!)) as { Statement: { Action: string | string[]; Resource: string | string[] }[] };
        for (const statement of doc.Statement) {
          expect([statement.Action].flat()).not.toContain('*');
          for (const resource of [statement.Resource].flat()) expect(resource, `${service}/${PolicyName}`).toMatch(/development/);
        }
      }
    }
  });

  it('the user pool and the cache cluster exist', async () => {
    const cognito = awsClient(CognitoIdentityProviderClient, target);
    const { UserPools = [] } = await cognito.send(new ListUserPoolsCommand({ MaxResults: 10 }));
    expect(UserPools.length).toBe(1);
    const elasticache = awsClient(ElastiCacheClient, target);
    const { ReplicationGroups = [] } = await elasticache.send(new DescribeReplicationGroupsCommand({}));
    expect(ReplicationGroups.length).toBe(1);
  });

  it('a second dev up reuses the twin and deploys nothing (counted in the CloudFormation calls the emulator received)', async () => {
    writeFileSync(recording, '');
    await recorder(report.twin.endpoint!, 'start-recording');
    let run: Awaited<ReturnType<typeof spawnCli>>;
    try {
      run = await spawnCli(['dev', 'up', '--json'], env);
    } finally {
      await recorder(report.twin.endpoint!, 'stop-recording');
    }
    expect(run.code, run.stderr).toBe(0);
    const again = (JSON.parse(run.stdout) as { result: DevUpReport }).result;
    expect(again.twin.reused).toBe(true);
    expect(again.twin.endpoint).toBe(report.twin.endpoint);
    expect(again.deploy.stacks.map((s) => s.action)).toEqual(again.deploy.stacks.map(() => 'unchanged'));
    expect(again.cluster.network).toEqual({ ...report.cluster.network, action: 'unchanged', attached: false });

    // Through the emulator, not biomage's report: it read every stack and changed none.
    const actions = cloudFormationActions();
    expect(actions, 'the recording holds the calls of the second dev up').toContain('DescribeStacks');
    const changing = actions.filter((a) => /^(Create|Update|Execute|Delete|Continue|Cancel|Rollback|Set|Tag|Untag)/.test(a));
    expect(changing, `CloudFormation calls of the second dev up: ${actions.join(' ')}`).toEqual([]);
  });
});
