import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { DeployCfReport } from '../../src/cf/deploy-command.js';
import { deployCfCommand } from '../../src/commands/deploy-cf.js';
import { loadTemplates, planDeploy } from '../../src/cf/deploy.js';
import { HASH_TAG } from '../../src/cf/plan.js';
import { deployStack } from '../../src/cf/stack-deployer.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { ConfirmationRequiredError } from '../../src/ui/errors.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';
import { commitAll, copyFixture } from '../helpers/fixture-copy.js';

const FIXTURES = join(repoRoot, 'test', 'fixtures');

/** A CloudFormation client that counts the API calls it makes, by command name. */
function countingClient(endpoint: string) {
  const calls: string[] = [];
  const cfn = recordCalls(awsClient(CloudFormationClient, { region: 'eu-west-1', endpoint, local: true }), calls);
  return { cfn, calls };
}

describe('biomage deploy-cf against the emulator', () => {
  const { emulator, target } = useEmulator();
  const root = copyFixture('deploy');

  async function deploy(options: { root?: string; force?: boolean; dryRun?: boolean; paths?: string[] } = {}) {
    const { cfn, calls } = countingClient(emulator().endpoint);
    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true, dryRun: options.dryRun ?? false });
    const code = await deployCfCommand(c.ctx, { paths: options.paths ?? [], force: options.force ?? false, concurrency: 4, root: options.root ?? root, cfn });
    const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
    const by = Object.fromEntries(report.stacks.map((s) => [s.stack, s]));
    return { code, report, by, calls, stderr: c.stderr() };
  }

  it('--dry-run shows the change sets and deploys nothing', async () => {
    const { code, by } = await deploy({ dryRun: true });
    expect(code).toBe(0);
    expect(by['biomage-queues-development']).toMatchObject({ action: 'create', result: 'planned', changes: [{ action: 'Add', logicalId: 'Jobs', type: 'AWS::SQS::Queue' }] });
    // The importer cannot get a change set before its exporter exists: it says why.
    expect(by['biomage-reader-role-development']).toMatchObject({ result: 'planned', error: { message: expect.stringContaining('waits for biomage-queues-development') } });
    const cfn = awsClient(CloudFormationClient, target());
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({}));
    expect(Stacks).toEqual([]);
  });

  it('deploys every template, the importer after its exporter; resources exist in the services', async () => {
    const { code, by, stderr } = await deploy();
    expect(code, stderr).toBe(0);
    for (const s of Object.values(by)) expect(s).toMatchObject({ action: 'create', result: 'ok' });

    // Resource events were streamed as they arrived.
    expect(stderr).toMatch(/biomage-queues-development {2}CREATE_COMPLETE {2}AWS::SQS::Queue {2}Jobs/);
    // reader-role started only after queues completed.
    expect(stderr.indexOf('biomage-reader-role-development: starting')).toBeGreaterThan(stderr.indexOf('CREATE_COMPLETE  AWS::CloudFormation::Stack  biomage-queues-development'));

    const sqs = awsClient(SQSClient, target());
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'fixture-jobs-development' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const iam = awsClient(IAMClient, target());
    await iam.send(new GetRoleCommand({ RoleName: 'fixture-reader-development' }));
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: 'fixture-reader-development', PolicyName: 'read-jobs' }));
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).toContain(Attributes?.QueueArn);
    const sns = awsClient(SNSClient, target());
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    expect(Topics.map((t) => t.TopicArn)).toContainEqual(expect.stringMatching(/:fixture-results-development$/));

    const cfn = awsClient(CloudFormationClient, target());
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: 'biomage-topic-development' }));
    expect(Stacks[0]?.Tags?.find((t) => t.Key === HASH_TAG)?.Value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a redeploy with nothing changed creates no change set: one DescribeStacks call in all', async () => {
    const { code, report, calls } = await deploy();
    expect(code).toBe(0);
    expect(report.stacks.map((s) => s.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(calls).toEqual(['DescribeStacks']);
  });

  it('--force creates change sets anyway; empty ones are cleaned up and reported as no changes', async () => {
    const { code, report, calls } = await deploy({ force: true });
    expect(code).toBe(0);
    expect(report.stacks.map((s) => s.action)).toEqual(['no-changes', 'no-changes', 'no-changes']);
    expect(calls).not.toContain('ExecuteChangeSet');
  });

  it('a changed template updates only its own stack', async () => {
    const file = join(root, 'cf', 'topic.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('TopicName:', 'DisplayName: Work results\n      TopicName:'));
    const { code, by } = await deploy();
    expect(code).toBe(0);
    expect(by['biomage-topic-development']).toMatchObject({ action: 'update', result: 'ok' });
    expect(by['biomage-queues-development']?.action).toBe('unchanged');
    expect(by['biomage-reader-role-development']?.action).toBe('unchanged');
    const sns = awsClient(SNSClient, target());
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const arn = Topics.map((t) => t.TopicArn!).find((a) => a.endsWith(':fixture-results-development'));
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    expect(Attributes?.DisplayName).toBe('Work results');
  });

  it('a dry run of an exporter that would only be updated still plans the stacks that import from it', async () => {
    const file = join(root, 'cf', 'queues.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('QueueName:', 'VisibilityTimeout: 120\n      QueueName:'));
    const { code, by } = await deploy({ dryRun: true });
    expect(code).toBe(0);
    expect(by['biomage-queues-development']).toMatchObject({ action: 'update', result: 'planned' });
    // Its exports exist already, so the importer is judged on its own: here, unchanged.
    expect(by['biomage-reader-role-development']).toMatchObject({ action: 'unchanged', result: 'ok' });
  });
});

describe('a failing template', () => {
  const { emulator, target } = useEmulator();
  const root = copyFixture('deploy-failing');

  it('is rolled back and reported with its resource and reason, exit 1; the other stacks deploy', async () => {
    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true });
    const code = await deployCfCommand(c.ctx, { paths: [], force: false, concurrency: 4, root });
    expect(code).toBe(1);
    const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
    const by = Object.fromEntries(report.stacks.map((s) => [s.stack, s]));
    expect(by['biomage-broken-queue-development']).toMatchObject({
      action: 'create',
      result: 'failed',
      error: {
        message: 'biomage-broken-queue-development ended ROLLBACK_COMPLETE: rolled back',
        status: 'ROLLBACK_COMPLETE',
        resource: 'Jobs (AWS::SQS::Queue)',
        reason: expect.stringContaining('Queue name must end in .fifo'),
      },
    });
    expect(by['biomage-topic-development']).toMatchObject({ action: 'create', result: 'ok' });

    const cfn = awsClient(CloudFormationClient, target());
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: 'biomage-broken-queue-development' }));
    expect(Stacks[0]?.StackStatus).toBe('ROLLBACK_COMPLETE');
  });

  it('outside production, a ROLLBACK_COMPLETE stack is deleted and created again', async () => {
    writeFileSync(join(root, 'cf', 'broken-queue.yaml'), readFileSync(join(root, 'cf', 'broken-queue.yaml'), 'utf8').replace('FifoQueue: true', 'FifoQueue: false'));
    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true });
    expect(await deployCfCommand(c.ctx, { paths: [], force: false, concurrency: 4, root })).toBe(0);
    const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
    expect(report.stacks.find((s) => s.stack === 'biomage-broken-queue-development')).toMatchObject({ action: 'recreate', result: 'ok' });
  });

  it('in production, a ROLLBACK_COMPLETE stack is explained and left alone', async () => {
    const cfn = awsClient(CloudFormationClient, target());
    const [template] = await loadTemplates(join(FIXTURES, 'deploy-failing'), { paths: [join(FIXTURES, 'deploy-failing', 'cf', 'broken-queue.yaml')] });
    const [plan] = await planDeploy([template!], { env: 'development', target: target(), cfn });
    const stack = { StackName: plan!.stackName, StackStatus: 'ROLLBACK_COMPLETE' as const, CreationTime: new Date() };
    const outcome = await deployStack(cfn, plan!, stack, { env: 'production', dryRun: false, force: false, pollMs: 10, hooks: { status: () => {}, event: () => {} } });
    expect(outcome).toMatchObject({ result: 'failed', error: { status: 'ROLLBACK_COMPLETE', message: expect.stringContaining('in production biomage does not delete stacks') } });
  });

  it.each([
    ['UPDATE_IN_PROGRESS', 'biomage-broken-queue-development is busy (UPDATE_IN_PROGRESS)'],
    ['UPDATE_ROLLBACK_FAILED', 'biomage-broken-queue-development is UPDATE_ROLLBACK_FAILED and cannot take a change set'],
  ] as const)('a stack in %s is refused without a change set', async (status, message) => {
    const { cfn, calls } = countingClient(emulator().endpoint);
    const [template] = await loadTemplates(join(FIXTURES, 'deploy-failing'), { paths: [join(FIXTURES, 'deploy-failing', 'cf', 'broken-queue.yaml')] });
    const [plan] = await planDeploy([template!], { env: 'development', target: target(), cfn });
    const stack = { StackName: plan!.stackName, StackStatus: status, CreationTime: new Date() };
    const outcome = await deployStack(cfn, plan!, stack, { env: 'development', dryRun: false, force: true, pollMs: 10, hooks: { status: () => {}, event: () => {} } });
    expect(outcome).toMatchObject({ result: 'failed', error: { status, message } });
    expect(calls).toEqual([]);
  });
});

describe('production', () => {
  const { emulator } = useEmulator();

  it('is not deployed without --yes when nobody can confirm (exit 2), and nothing is called', async () => {
    const { cfn, calls } = countingClient(emulator().endpoint);
    const c = testContext('deploy-cf', { env: 'production', region: 'eu-west-1' });
    const error = await deployCfCommand(c.ctx, { paths: [], force: false, concurrency: 4, root: join(FIXTURES, 'deploy-failing'), cfn }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect(calls).toEqual([]);
  });
});

beforeAll(() => {
  // The fixtures' stacks and the real cf/ share nothing: keep the fixture names distinct.
  expect(readFileSync(join(FIXTURES, 'deploy', 'cf', 'queues.yaml'), 'utf8')).toContain('fixture-jobs');
});

describe('--changed-since', () => {
  const { emulator } = useEmulator();

  it('deploys only the templates changed since the git ref', async () => {
    const root = copyFixture('deploy');
    commitAll(root);
    const topic = join(root, 'cf', 'topic.yaml');
    writeFileSync(topic, readFileSync(topic, 'utf8').replace('TopicName:', 'DisplayName: Changed\n      TopicName:'));

    const c = testContext('deploy-cf', { endpointUrl: emulator().endpoint, json: true });
    expect(await deployCfCommand(c.ctx, { paths: [], changedSince: 'HEAD', force: false, concurrency: 4, root })).toBe(0);
    const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
    expect(report.stacks.map((s) => s.stack)).toEqual(['biomage-topic-development']);

    const unknown = testContext('deploy-cf', { endpointUrl: emulator().endpoint });
    await expect(deployCfCommand(unknown.ctx, { paths: [], changedSince: 'no-such-ref', force: false, concurrency: 4, root })).rejects.toThrow(
      "git cannot compare with 'no-such-ref'",
    );
  });
});
