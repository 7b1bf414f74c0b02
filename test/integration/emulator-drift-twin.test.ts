import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  DetectStackResourceDriftCommand,
  ListStackResourcesCommand,
  type StackResourceDrift,
} from '@aws-sdk/client-cloudformation';
import { PutBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';
import type { DevUpReport } from '../../src/dev/up.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';

const env = cleanEnv({ BIOMAGE_STATE_DIR: mkdtempSync(join(tmpdir(), 'biomage-drift-twin-')), CI: 'true' });

/**
 * Drift detection (tools/emulator/drift_detection.py) against the real twin: every cf/ template
 * deployed by `biomage dev up`, read with the AWS SDK v3 (which parses the emulator's XML as it
 * parses CloudFormation's). A stack just deployed must be in sync, or `biomage drift` on the twin
 * would report the emulator's own gaps as drift.
 */
describe('drift detection on the twin: cf/ as deployed by biomage dev up', () => {
  let target: AwsTarget;
  let account: string;
  const cfn = () => awsClient(CloudFormationClient, target);

  async function detect(stack: string): Promise<{ status: string | undefined; drifts: StackResourceDrift[] }> {
    const { StackDriftDetectionId } = await cfn().send(new DetectStackDriftCommand({ StackName: stack }));
    const status = await cfn().send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    const { StackResourceDrifts = [] } = await cfn().send(new DescribeStackResourceDriftsCommand({ StackName: stack }));
    const reasons = StackResourceDrifts.flatMap((d) => (d.DriftStatusReason ? [`${d.LogicalResourceId ?? ''}: ${d.DriftStatusReason}`] : []));
    expect(status.DetectionStatus, `${stack}: ${status.DetectionStatusReason ?? ''} ${reasons.join('; ')}`).toBe('DETECTION_COMPLETE');
    return { status: status.StackDriftStatus, drifts: StackResourceDrifts };
  }

  beforeAll(async () => {
    const run = await spawnCli(['dev', 'up', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const report = (JSON.parse(run.stdout) as { result: DevUpReport }).result;
    target = { region: 'eu-west-1', endpoint: report.twin.endpoint!, local: true };
    account = report.cluster.oidcProviderArn.split(':')[4]!;
  });
  afterAll(async () => {
    await spawnCli(['dev', 'down'], env);
  });

  it("finds every stack (cf/ and eksctl's cluster stack) in sync right after it was deployed", async () => {
    const { Stacks = [] } = await cfn().send(new DescribeStacksCommand({}));
    const stacks = Stacks.map((s) => s.StackName!).filter((name) => name.startsWith('biomage-'));
    expect(stacks.length).toBeGreaterThanOrEqual(13);
    const drifted: Record<string, unknown> = {};
    for (const stack of stacks) {
      const { status, drifts } = await detect(stack);
      const modified = drifts.filter((d) => d.StackResourceDriftStatus === 'MODIFIED' || d.StackResourceDriftStatus === 'DELETED');
      if (status !== 'IN_SYNC' || modified.length) drifted[stack] = modified.map((d) => [d.LogicalResourceId, d.PropertyDifferences]);
    }
    // Nothing drifted: cf/rds.yaml keeps its database group's ingress rules as resources of their
    // own, so none shows as a rule added by hand (see the platform fixture's test for that case).
    expect(drifted).toEqual({});
  });

  it('reports a bucket whose encryption was changed through S3, with both values, parsed by the SDK', async () => {
    await awsClient(S3Client, target).send(
      new PutBucketEncryptionCommand({
        Bucket: `biomage-originals-development-${account}`,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      }),
    );
    const { status, drifts } = await detect('biomage-s3-development');
    expect(status).toBe('DRIFTED');
    const originals = drifts.find((d) => d.LogicalResourceId === 'OriginalsBucket');
    expect(originals).toMatchObject({
      ResourceType: 'AWS::S3::Bucket',
      PhysicalResourceId: `biomage-originals-development-${account}`,
      StackResourceDriftStatus: 'MODIFIED',
      PropertyDifferences: [
        {
          PropertyPath: '/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm',
          ExpectedValue: 'AES256',
          ActualValue: 'aws:kms',
          DifferenceType: 'NOT_EQUAL',
        },
      ],
    });
    expect(originals?.Timestamp).toBeInstanceOf(Date);
    const { Stacks: [stack] = [] } = await cfn().send(new DescribeStacksCommand({ StackName: 'biomage-s3-development' }));
    expect(stack?.DriftInformation?.StackDriftStatus).toBe('DRIFTED');
    expect(stack?.DriftInformation?.LastCheckTimestamp).toBeInstanceOf(Date);
  });

  it('reads filtered pages, one resource checked alone, and each resource\'s drift information through the SDK', async () => {
    const stack = 'biomage-s3-development';
    const filtered: StackResourceDrift[] = [];
    let NextToken: string | undefined;
    do {
      const page = await cfn().send(
        new DescribeStackResourceDriftsCommand({ StackName: stack, StackResourceDriftStatusFilters: ['IN_SYNC'], MaxResults: 3, NextToken }),
      );
      expect(page.StackResourceDrifts?.length).toBeLessThanOrEqual(3);
      filtered.push(...(page.StackResourceDrifts ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(filtered.length).toBe(13); // 7 buckets and 7 policies, the originals bucket modified above
    expect(filtered.every((d) => d.StackResourceDriftStatus === 'IN_SYNC')).toBe(true);

    const { StackResourceDrift } = await cfn().send(new DetectStackResourceDriftCommand({ StackName: stack, LogicalResourceId: 'OriginalsBucketPolicy' }));
    expect(JSON.parse(StackResourceDrift?.ActualProperties ?? '{}')).toMatchObject({ Bucket: `biomage-originals-development-${account}` });

    const { StackResourceSummaries = [] } = await cfn().send(new ListStackResourcesCommand({ StackName: stack }));
    const status = Object.fromEntries(StackResourceSummaries.map((r) => [r.LogicalResourceId, r.DriftInformation?.StackResourceDriftStatus]));
    expect(status).toMatchObject({ OriginalsBucket: 'MODIFIED', OriginalsBucketPolicy: 'IN_SYNC', SourceBucket: 'IN_SYNC' });
  });
});
