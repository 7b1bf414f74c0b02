import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { DeployCfReport } from '../../src/cf/deploy-command.js';
import { deployCfCommand } from '../../src/commands/deploy-cf.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import type { JsonEnvelope } from '../../src/ui/output.js';
import { runCli } from '../helpers/cli.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';
import { commitAll, copyFixture } from '../helpers/fixture-copy.js';

/*
 * cf/parameters.yaml through deploy-cf against the emulator. The bad cases are folders under
 * test/fixtures/bad/ with their own cf/ and the exact expected error in expected.txt; regenerate
 * the golden files with: UPDATE_GOLDEN=1 npx vitest run test/integration/deploy-cf-parameters.test.ts
 */
const FIXTURES = join(repoRoot, 'test', 'fixtures');
const BAD_CASES = [
  'parameter-missing',
  'parameter-missing-for-env',
  'parameter-type',
  'parameter-constraints',
  'parameter-unknown-template',
  'parameter-unknown-parameter',
  'parameter-environment',
  'parameters-shape',
  'parameters-unreadable-yaml',
  'parameter-noecho',
  'parameters-every-problem',
];
/** The NoEcho values of the fixtures: never in any output. */
const SECRETS = ['hunter2-short', 'a-long-enough-production-secret', 'twin-api-token-0123456789', 'twin-api-token-9876543210'];

/** `biomage deploy-cf --root <root> --json` in development, against the emulator. */
async function deployCli(endpoint: string, root: string, ...args: string[]) {
  const run = await runCli(['deploy-cf', '--root', root, '--env', 'development', '--json', ...args], {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'eu-west-1',
    BIOMAGE_ENV: undefined,
    AWS_PROFILE: undefined,
  });
  return { ...run, json: JSON.parse(run.stdout) as JsonEnvelope };
}

function expectNoSecret(...outputs: string[]) {
  for (const secret of SECRETS) for (const output of outputs) expect(output).not.toContain(secret);
}

describe('deploy-cf refuses bad cf/parameters.yaml: exit 2, every problem with its file:line, no stack created', () => {
  const { emulator, target } = useEmulator();

  it.each(BAD_CASES)('%s', async (name) => {
    const root = join(FIXTURES, 'bad', name);
    const run = await deployCli(emulator().endpoint, root);
    expect(run.code, run.stderr).toBe(2);
    expect(run.json).toMatchObject({ ok: false, exitCode: 2, error: { code: 'bad-input' } });
    const { message, where, hint } = run.json.error!;

    const actual = [message, `  where: ${where ?? ''}`, `  next:  ${hint ?? ''}`, ''].join('\n');
    const golden = join(root, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
    // The same on stderr, for people.
    expect(run.stderr).toContain(`error: ${message}\n  where: ${where}\n  next:  ${hint}`);
    expectNoSecret(run.stdout, run.stderr);

    // Nothing was created: no stack, not even one left in REVIEW_IN_PROGRESS by a change set.
    const cfn = awsClient(CloudFormationClient, target());
    const { StackSummaries = [] } = await cfn.send(new ListStacksCommand({}));
    expect(StackSummaries.map((s) => `${s.StackName} ${s.StackStatus}`)).toEqual([]);
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({}));
    expect(Stacks).toEqual([]);
  });

  it('the problems are found before AWS is asked anything: staging refuses with no credentials at all', async () => {
    const run = await runCli(['deploy-cf', '--root', join(FIXTURES, 'bad', 'parameters-every-problem'), '--env', 'staging', '--yes'], {
      AWS_ENDPOINT_URL: undefined,
      AWS_PROFILE: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      BIOMAGE_ENV: undefined,
    });
    expect(run.code).toBe(2);
    // Deploying staging asks for staging's values: the development one is not its problem, the missing ones are.
    expect(run.stderr).toContain('error: the template parameters for staging have 7 problems:');
    expect(run.stderr).toContain('cf/notifications.yaml:8: parameter DomainName has no Default and no value for staging in cf/parameters.yaml');
    expect(run.stderr).toContain('cf/parameters.yaml:4: notifications.DomainName.prodution: prodution is not an environment');
    expect(run.stderr).not.toContain('Dev.Biomage.Test');
  });
});

describe('deploy-cf with cf/parameters.yaml against the emulator', () => {
  const { emulator, target } = useEmulator();
  const root = copyFixture('deploy-parameters');
  const parametersFile = join(root, 'cf', 'parameters.yaml');

  /** deploy-cf in-process, with a client that counts CloudFormation calls by command name. */
  async function deploy(options: { dryRun?: boolean } = {}) {
    const calls: string[] = [];
    const cfn = recordCalls(awsClient(CloudFormationClient, target()), calls);
    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true, dryRun: options.dryRun ?? false });
    const code = await deployCfCommand(c.ctx, { paths: [], force: false, concurrency: 4, root, cfn });
    const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
    const by = Object.fromEntries(report.stacks.map((s) => [s.stack, s]));
    return { code, report, by, calls, stdout: c.stdout(), stderr: c.stderr() };
  }

  const queueAttributes = async (name: string) => {
    const sqs = awsClient(SQSClient, target());
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
  };
  const stackParameters = async (stack: string) => {
    const cfn = awsClient(CloudFormationClient, target());
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    return Object.fromEntries((Stacks[0]?.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  };

  it('--dry-run names the values taken from the file, NoEcho ones as ****, and creates nothing', async () => {
    const run = await deploy({ dryRun: true });
    expect(run.code, run.stderr).toBe(0);
    expect(run.by['biomage-jobs-development']).toMatchObject({ action: 'create', result: 'planned', fileParameters: { QueueSuffix: 'twin', RetentionSeconds: '3600', VisibilitySeconds: '120' } });
    expect(run.by['biomage-settings-development']).toMatchObject({ result: 'planned', fileParameters: { ApiToken: '****', SubnetIds: 'subnet-a,subnet-b', VpcId: 'vpc-twin' } });
    // Parameters left at their Default are not from the file: they are not listed.
    expect(run.by['biomage-plain-development']?.fileParameters).toBeUndefined();
    expectNoSecret(run.stdout, run.stderr);
    const cfn = awsClient(CloudFormationClient, target());
    expect((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).toEqual([]);
  });

  it('deploys with the values: the resources carry them, the stacks record them', async () => {
    const run = await deploy();
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.stacks.map((s) => `${s.stack} ${s.action} ${s.result}`)).toEqual([
      'biomage-jobs-development create ok',
      'biomage-plain-development create ok',
      'biomage-settings-development create ok',
    ]);
    expect(await queueAttributes('jobs-twin-development')).toMatchObject({ MessageRetentionPeriod: '3600', VisibilityTimeout: '120' });
    const ssm = awsClient(SSMClient, target());
    // The NoEcho value reached CloudFormation and the resource, and nowhere in biomage's output.
    expect((await ssm.send(new GetParameterCommand({ Name: '/biomage/development/api-token' }))).Parameter?.Value).toBe('twin-api-token-0123456789');
    expect((await ssm.send(new GetParameterCommand({ Name: '/biomage/development/network' }))).Parameter?.Value).toBe('vpc-twin subnet-a,subnet-b');
    expect(await stackParameters('biomage-jobs-development')).toEqual({ Environment: 'development', QueueSuffix: 'twin', RetentionSeconds: '3600', VisibilitySeconds: '120' });
    expectNoSecret(run.stdout, run.stderr);
  });

  it('a redeploy with the same values creates no change set: one DescribeStacks call in all', async () => {
    const run = await deploy();
    expect(run.code).toBe(0);
    expect(run.report.stacks.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(run.calls).toEqual(['DescribeStacks']);
  });

  it('a value equal to the Default is not sent: adding one changes nothing', async () => {
    writeFileSync(parametersFile, `${readFileSync(parametersFile, 'utf8')}plain:\n  Label: plain\n`);
    const run = await deploy();
    expect(run.report.stacks.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(run.calls).toEqual(['DescribeStacks']);
  });

  it('a changed value updates exactly its stack, and the resource follows', async () => {
    writeFileSync(parametersFile, readFileSync(parametersFile, 'utf8').replace('VisibilitySeconds: 120', 'VisibilitySeconds: 300'));
    const run = await deploy();
    expect(run.code, run.stderr).toBe(0);
    expect(run.by['biomage-jobs-development']).toMatchObject({ action: 'update', result: 'ok', fileParameters: { VisibilitySeconds: '300' } });
    expect(run.by['biomage-plain-development']?.action).toBe('unchanged');
    expect(run.by['biomage-settings-development']?.action).toBe('unchanged');
    expect(run.calls.filter((c) => c === 'CreateChangeSet')).toHaveLength(1);
    // (The emulator applies updates of VisibilityTimeout, not of MessageRetentionPeriod.)
    expect(await queueAttributes('jobs-twin-development')).toMatchObject({ VisibilityTimeout: '300' });
    expect(await stackParameters('biomage-jobs-development')).toMatchObject({ VisibilitySeconds: '300' });
  });

  it('a changed NoEcho value updates its stack, still never shown', async () => {
    writeFileSync(parametersFile, readFileSync(parametersFile, 'utf8').replace('twin-api-token-0123456789', 'twin-api-token-9876543210'));
    const run = await deploy();
    expect(run.code, run.stderr).toBe(0);
    expect(run.by['biomage-settings-development']).toMatchObject({ action: 'update', result: 'ok', fileParameters: { ApiToken: '****' } });
    expect(run.by['biomage-jobs-development']?.action).toBe('unchanged');
    const ssm = awsClient(SSMClient, target());
    expect((await ssm.send(new GetParameterCommand({ Name: '/biomage/development/api-token' }))).Parameter?.Value).toBe('twin-api-token-9876543210');
    expectNoSecret(run.stdout, run.stderr);
  });

  it('the human summary names the values from the file, NoEcho ones as ****', async () => {
    const run = await runCli(['deploy-cf', '--root', root, '--env', 'development', '--dry-run', '--force'], {
      AWS_ENDPOINT_URL: emulator().endpoint,
      AWS_REGION: 'eu-west-1',
      BIOMAGE_ENV: undefined,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('biomage-jobs-development parameters from cf/parameters.yaml: QueueSuffix=twin, RetentionSeconds=3600, VisibilitySeconds=300');
    expect(run.stderr).toContain('biomage-settings-development parameters from cf/parameters.yaml: ApiToken=****, SubnetIds=subnet-a,subnet-b, VpcId=vpc-twin');
    expect(run.stderr).not.toContain('biomage-plain-development parameters');
    expectNoSecret(run.stdout, run.stderr);
  });
});

describe('--changed-since with cf/parameters.yaml', () => {
  const { emulator } = useEmulator();

  it('a template whose values changed is deployed though its own file did not change; the others are not', async () => {
    const root = copyFixture('deploy-parameters');
    commitAll(root);
    const file = join(root, 'cf', 'parameters.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8').replace('VisibilitySeconds: 120', 'VisibilitySeconds: 150')}plain:\n  Label: other\n`);

    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true, dryRun: true });
    expect(await deployCfCommand(c.ctx, { paths: [], changedSince: 'HEAD', force: false, concurrency: 4, root })).toBe(0);
    const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
    expect(report.stacks.map((s) => s.stack)).toEqual(['biomage-jobs-development', 'biomage-plain-development']);
  });
});
