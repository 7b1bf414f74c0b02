import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
} from '@aws-sdk/client-cloudformation';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { deployTemplates } from '../../src/cf/deploy-command.js';
import { registerDevCluster } from '../../src/dev/twin-stacks.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * Drift detection (tools/emulator/drift_detection.py) over the platform fixture (test/fixtures/platform:
 * about 25 templates of every type of the twin's catalogue), deployed through deploy-cf's own code:
 * right after a deploy, no stack may show drift (but the one CloudFormation itself shows), whatever
 * the type, or the twin would report its own gaps as changes made by hand. Types without drift comparison are NOT_CHECKED, never failed.
 */
const { emulator, target } = useEmulator();
const root = mkdtempSync(join(tmpdir(), 'biomage-drift-platform-'));
cpSync(join(repoRoot, 'test', 'fixtures', 'platform'), root, { recursive: true });

describe('drift detection over the platform fixture in the twin', () => {
  let stacks: string[] = [];

  beforeAll(async () => {
    await registerDevCluster(target());
    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true, dryRun: false });
    const cfn = awsClient(CloudFormationClient, target());
    const run = await deployTemplates(c.ctx, { paths: [], force: false, concurrency: 4, root, cfn });
    for (const s of run.report.stacks) expect({ stack: s.stack, result: s.result }).toEqual({ stack: s.stack, result: 'ok' });
    stacks = run.report.stacks.map((s) => s.stack);
  }, 600_000);

  it('finds every stack just deployed in sync, every resource checked or NOT_CHECKED, none failed', async () => {
    expect(stacks.length).toBeGreaterThanOrEqual(20);
    const cfn = awsClient(CloudFormationClient, target());
    const drifted: Record<string, unknown> = {};
    const counts: Record<string, number> = {};
    for (const stack of stacks) {
      const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
      const status = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
      const { StackResourceDrifts = [] } = await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: stack }));
      for (const d of StackResourceDrifts) counts[d.StackResourceDriftStatus!] = (counts[d.StackResourceDriftStatus!] ?? 0) + 1;
      const wrong = StackResourceDrifts.filter((d) => !['IN_SYNC', 'NOT_CHECKED'].includes(d.StackResourceDriftStatus!) || d.DriftStatusReason);
      if (status.DetectionStatus !== 'DETECTION_COMPLETE' || wrong.length) {
        drifted[stack] = wrong.map((d) => [d.LogicalResourceId, d.ResourceType, d.StackResourceDriftStatus, d.DriftStatusReason, d.PropertyDifferences]);
      }
    }
    // The one drift CloudFormation itself reports on a fresh stack: rules added by standalone
    // AWS::EC2::SecurityGroupIngress resources to a group that declares inline rules
    // (aws-cloudformation/cloudformation-coverage-roadmap#1198); the emulator reports it too.
    const added = (description: string) => ({
      PropertyPath: expect.stringMatching(/^\/SecurityGroupIngress\/\d+$/) as unknown,
      ExpectedValue: 'null',
      ActualValue: expect.stringContaining(`"Description":"${description}"`) as unknown,
      DifferenceType: 'ADD',
    });
    expect(drifted).toEqual({
      'biomage-rds-development': [
        [
          'DatabaseSecurityGroup',
          'AWS::EC2::SecurityGroup',
          'MODIFIED',
          undefined,
          expect.toSatisfy(
            (differences: unknown[]) =>
              differences.length === 2 &&
              expect.arrayContaining([added('PostgreSQL from the password rotation function'), added("PostgreSQL from the operators' bastion")]).asymmetricMatch(differences),
          ),
        ],
      ],
    });
    expect(counts.IN_SYNC).toBeGreaterThan(40);
  });
});
