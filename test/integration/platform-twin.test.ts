import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { deployTemplates, type DeployRun } from '../../src/cf/deploy-command.js';
import { checkPresence, registerDevCluster, type PresenceRow } from '../../src/dev/twin-stacks.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * The platform fixture (test/fixtures/platform: about 25 templates of GUIDE §7's shape, every type
 * of the twin's catalogue, per-environment parameters, the eksctl stack's network, imports three
 * levels deep) deployed into the twin through deploy-cf's own code, and every resource asserted
 * through its service's API.
 */
const { emulator, target } = useEmulator();

/** A copy of the fixture, so that a test can change a parameter value. */
const root = mkdtempSync(join(tmpdir(), 'biomage-platform-'));
cpSync(join(repoRoot, 'test', 'fixtures', 'platform'), root, { recursive: true });
const parametersFile = join(root, 'cf', 'parameters.yaml');

/** A CloudFormation client that records its API calls by command name. */
function countingClient() {
  const calls: string[] = [];
  const cfn = recordCalls(awsClient(CloudFormationClient, { region: 'eu-west-1', endpoint: emulator().endpoint, local: true }), calls);
  return { cfn, calls };
}

async function deploy(): Promise<DeployRun & { calls: string[]; output: string }> {
  const { cfn, calls } = countingClient();
  const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true, dryRun: false });
  const run = await deployTemplates(c.ctx, { paths: [], force: false, concurrency: 4, root, cfn });
  cfn.destroy();
  return { ...run, calls, output: c.stdout() + c.stderr() };
}

describe('the platform fixture in the twin', () => {
  let first: Awaited<ReturnType<typeof deploy>>;
  let presence: PresenceRow[];

  beforeAll(async () => {
    // What dev up does before deploying: the development cluster, its OIDC provider and eksctl's stack.
    await registerDevCluster(target());
    first = await deploy();
    presence = await checkPresence(target(), first.plans);
  }, 600_000);

  it('deploys every template, in import order', () => {
    expect(first.report.stacks.length).toBeGreaterThanOrEqual(20);
    for (const s of first.report.stacks) expect({ stack: s.stack, result: s.result, error: s.error }).toEqual({ stack: s.stack, result: 'ok', error: undefined });
    // Three levels of imports: some stack waits for a stack that itself waits for another.
    const depth = (name: string): number => {
      const plan = first.plans.find((p) => p.stackName === name)!;
      return plan.dependsOn.length ? 1 + Math.max(...plan.dependsOn.map(depth)) : 0;
    };
    expect(Math.max(...first.plans.map((p) => depth(p.stackName)))).toBeGreaterThanOrEqual(2);
  });

  it('every resource exists in its service (checked through the service API, not CloudFormation)', () => {
    const absent = presence.filter((r) => r.presence !== 'present').map((r) => `${r.stack}/${r.logicalId} (${r.type}): ${r.presence} ${r.detail ?? ''}`);
    expect(absent).toEqual([]);
    expect(new Set(presence.map((r) => r.type)).size).toBeGreaterThanOrEqual(30);
  });

  it('a NoEcho value never reaches the output', () => {
    const noEcho = first.plans.flatMap((p) =>
      Object.entries(p.template.doc.Parameters ?? {})
        .filter(([, declaration]) => (declaration as { NoEcho?: unknown }).NoEcho === true || (declaration as { NoEcho?: unknown }).NoEcho === 'true')
        .map(([name]) => p.parameters.find((v) => v.ParameterKey === name)?.ParameterValue)
        .filter((v): v is string => !!v),
    );
    expect(noEcho.length).toBeGreaterThan(0);
    for (const value of noEcho) expect(first.output).not.toContain(value);
  });

  it('a second deploy with nothing changed creates no change set', async () => {
    const again = await deploy();
    expect(again.report.stacks.every((s) => s.action === 'unchanged' && s.result === 'ok')).toBe(true);
    expect(again.calls.filter((c) => c === 'CreateChangeSet')).toEqual([]);
  });

  it('changing one parameter value in parameters.yaml updates exactly the stack of that template', async () => {
    // ssm.SupportAddress: one SSM parameter of one stack reads it, and no export depends on it.
    const text = readFileSync(parametersFile, 'utf8');
    const changed = text.replace(/(\n {2}SupportAddress:\n {4}development: )support@/, '$1help@');
    expect(changed, 'the fixture sets ssm.SupportAddress for development').not.toBe(text);
    writeFileSync(parametersFile, changed);
    const after = await deploy();
    const updated = after.report.stacks.filter((s) => s.action !== 'unchanged');
    expect(updated.map((s) => [s.stack, s.action, s.result])).toEqual([['biomage-ssm-development', 'update', 'ok']]);
    expect(after.calls.filter((c) => c === 'CreateChangeSet')).toHaveLength(1);
    const ssm = awsClient(SSMClient, target());
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/biomage/development/support-address' }));
    expect(Parameter?.Value).toBe('help@cellenics.localhost');
    ssm.destroy();
  });
});
