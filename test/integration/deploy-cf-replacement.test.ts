import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetStackPolicyCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  SetStackPolicyCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { DeployCfReport } from '../../src/cf/deploy-command.js';
import { deployCfCommand } from '../../src/commands/deploy-cf.js';
import type { Environment } from '../../src/config/environments.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { BiomageError, InputError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';
import { copyFixture } from '../helpers/fixture-copy.js';
import { runCli } from '../helpers/cli.js';
import type { JsonEnvelope } from '../../src/ui/output.js';

/*
 * deploy-cf's guard against silent data loss, against the emulator, whose change sets say
 * Replacement as CloudFormation does (tools/emulator/change_set_fidelity.py). staging and
 * production run in-process with a CloudFormation client on the emulator (the CLI refuses an
 * endpoint outside development), with --yes. Outcomes are read through the service APIs.
 * The exact refusal messages are golden files: UPDATE_GOLDEN=1 npx vitest run test/integration/deploy-cf-replacement.test.ts
 */
const GOLDEN = join(repoRoot, 'test', 'fixtures', 'deploy-replacement', 'expected');

describe('deploy-cf refuses to replace or remove data outside development', () => {
  const { emulator, target } = useEmulator();
  const root = copyFixture('deploy-replacement');
  const data = join(root, 'cf', 'data.yaml');
  const notices = join(root, 'cf', 'notices.yaml');
  const original = { data: readFileSync(data, 'utf8'), notices: readFileSync(notices, 'utf8') };

  const cfn = () => awsClient(CloudFormationClient, target());

  /** deploy-cf in-process for `env` against the emulator; the result, or the error it was refused with. */
  async function deploy(env: Environment, options: { dryRun?: boolean; allowReplace?: string[]; json?: boolean } = {}) {
    const c = testContext('deploy-cf', {
      env,
      ...(env === 'development' ? { endpointUrl: emulator().endpoint } : { region: 'eu-west-1', yes: true }),
      json: options.json ?? true,
      dryRun: options.dryRun ?? false,
    });
    const request = { paths: [], force: false, concurrency: 4, root, cfn: cfn(), allowReplace: options.allowReplace ?? [] };
    try {
      const code = await deployCfCommand(c.ctx, request);
      const report = options.json === false ? undefined : (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
      return { code, report, stdout: c.stdout(), stderr: c.stderr(), error: undefined };
    } catch (error) {
      if (!(error instanceof BiomageError)) throw error;
      return { code: error.exitCode, report: undefined, stdout: c.stdout(), stderr: c.stderr(), error };
    }
  }

  /** The three changes of the task: a table and a bucket renamed (name properties), a queue removed. */
  function editDangerously(options: { table?: boolean; bucket?: boolean; queue?: boolean } = { table: true, bucket: true, queue: true }) {
    let text = original.data;
    if (options.table) text = text.replace('fixture-samples-${Environment}', 'fixture-samples-v2-${Environment}');
    if (options.bucket) text = text.replace('fixture-results-${Environment}', 'fixture-results-v2-${Environment}');
    if (options.queue) text = text.replace(/ {2}Work:\n(?: {4}.*\n)+/, '');
    writeFileSync(data, text);
    // A harmless change in the run's other stack: it must not be deployed when the run is refused.
    writeFileSync(notices, original.notices.replace('DisplayName: Fixture notices', 'DisplayName: Fixture notices, changed'));
  }
  function restore() {
    writeFileSync(data, original.data);
    writeFileSync(notices, original.notices);
  }

  async function tables() {
    return (await awsClient(DynamoDBClient, target()).send(new ListTablesCommand({}))).TableNames ?? [];
  }
  async function buckets() {
    return ((await awsClient(S3Client, target()).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
  }
  async function queueExists(name: string) {
    return awsClient(SQSClient, target())
      .send(new GetQueueUrlCommand({ QueueName: name }))
      .then(() => true)
      .catch(() => false);
  }
  async function noticesDisplayName(env: Environment) {
    const { StackResources = [] } = await cfn().send(new DescribeStackResourcesCommand({ StackName: `biomage-notices-${env}` }));
    const arn = StackResources.find((r) => r.LogicalResourceId === 'Notices')?.PhysicalResourceId;
    return (await awsClient(SNSClient, target()).send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes?.DisplayName;
  }
  async function stack(name: string) {
    return (await cfn().send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  }
  /** The stack's change sets that could still be executed (an executed one stays listed, as in CloudFormation). */
  async function changeSets(name: string) {
    const { Summaries = [] } = await cfn().send(new ListChangeSetsCommand({ StackName: name }));
    return Summaries.filter((s) => s.ExecutionStatus !== 'EXECUTE_COMPLETE' && s.ExecutionStatus !== 'EXECUTE_FAILED');
  }
  async function policy(name: string) {
    const body = (await cfn().send(new GetStackPolicyCommand({ StackName: name }))).StackPolicyBody;
    return body ? (JSON.parse(body) as { Statement: { Effect: string; Action: unknown; Resource: unknown }[] }) : undefined;
  }

  /** The state CloudFormation and the services hold for `env`'s stacks: compared before and after a refusal. */
  async function state(env: Environment) {
    const dataStack = await stack(`biomage-data-${env}`);
    const noticesStack = await stack(`biomage-notices-${env}`);
    const template = (await cfn().send(new GetTemplateCommand({ StackName: `biomage-data-${env}` }))).TemplateBody;
    return {
      statuses: [dataStack?.StackStatus, noticesStack?.StackStatus],
      tags: dataStack?.Tags,
      template,
      tables: (await tables()).filter((t) => t.includes(env)).sort(),
      buckets: (await buckets()).filter((b) => b?.includes(env)).sort(),
      queue: await queueExists(`fixture-work-${env}`),
      notices: await noticesDisplayName(env),
      changeSets: [...(await changeSets(`biomage-data-${env}`)), ...(await changeSets(`biomage-notices-${env}`))],
    };
  }

  function golden(name: string, error: BiomageError | undefined) {
    expect(error).toBeInstanceOf(InputError);
    const actual = [error?.message, `  where: ${error?.where ?? ''}`, `  next:  ${error?.hint ?? ''}`, ''].join('\n');
    const file = join(GOLDEN, `${name}.txt`);
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
    expect(actual).toBe(readFileSync(file, 'utf8'));
  }

  describe('staging', () => {
    it('deploys the fixture', async () => {
      restore();
      const run = await deploy('staging');
      expect(run.code, run.stderr).toBe(0);
      expect(await tables()).toContain('fixture-samples-staging');
    });

    it('--dry-run lists the table and bucket renames and the queue removal first, marked, and changes nothing', async () => {
      editDangerously();
      const before = await state('staging');
      const run = await deploy('staging', { dryRun: true });
      expect(run.code, run.stderr).toBe(0);
      expect(run.report?.replacements.map((r) => [r.logicalId, r.kind, r.replacement, r.causes.map((c) => c.property), r.decision])).toEqual([
        ['Results', 'replace', 'True', ['BucketName'], 'refused'],
        ['Samples', 'replace', 'True', ['TableName'], 'refused'],
        ['Work', 'remove', undefined, [], 'refused'],
      ]);
      const text = await deploy('staging', { dryRun: true, json: false });
      // The human report goes to stderr (stdout is for --json).
      const out = text.stderr;
      // Listed first: before the summary table and every stack's change list.
      expect(out.indexOf('3 changes would replace or remove data:')).toBeGreaterThanOrEqual(0);
      expect(out.indexOf('3 changes would replace or remove data:')).toBeLessThan(out.indexOf('biomage-data-staging     update'));
      expect(out).toContain('WOULD BE REFUSED  biomage-data-staging: Samples (AWS::DynamoDB::Table) would be replaced by a new, empty one: changed TableName (RequiresRecreation Always)');
      expect(out).toContain('allow it with --allow-replace biomage-data-staging:Samples');
      // In the stack's change list, the data-losing changes come first, marked.
      const list = out.slice(out.indexOf('biomage-data-staging would change:'));
      expect(list.split('\n').slice(1, 4).every((line) => line.startsWith('!!'))).toBe(true);
      expect(list).toMatch(/!! Remove {2}AWS::SQS::Queue {2}Work {2}data loss/);
      expect(out).toContain('the run would stop before executing (exit 2): 3 change(s) lose data');
      expect(await state('staging')).toEqual(before);
    });

    it('a renamed table, a renamed bucket and a removed queue are refused: exit 2, the exact message, nothing changed, no change set left', async () => {
      editDangerously();
      const before = await state('staging');
      expect(before.changeSets).toEqual([]);
      const run = await deploy('staging');
      expect(run.code).toBe(2);
      golden('refused-staging', run.error);
      const after = await state('staging');
      expect(after).toEqual(before);
      expect(after.statuses).toEqual(['CREATE_COMPLETE', 'CREATE_COMPLETE']);
      expect(after.tables).toEqual(['fixture-samples-staging']);
      expect(after.buckets).toEqual(['fixture-results-staging']);
      expect(after.queue).toBe(true);
      expect(after.notices).toBe('Fixture notices');
    });

    it.each([
      ['table', { table: true }, 'refused-table'],
      ['bucket', { bucket: true }, 'refused-bucket'],
      ['queue', { queue: true }, 'refused-queue'],
    ] as const)('the %s change alone is refused with its own message', async (_, edit, name) => {
      editDangerously(edit);
      const before = await state('staging');
      const run = await deploy('staging');
      expect(run.code).toBe(2);
      golden(name, run.error);
      expect(await state('staging')).toEqual(before);
    });

    it('--allow-replace names one resource: the other two are still refused, and nothing runs', async () => {
      editDangerously();
      const before = await state('staging');
      const run = await deploy('staging', { allowReplace: ['biomage-data-staging:Samples'] });
      expect(run.code).toBe(2);
      expect(run.error?.message).not.toContain('Samples');
      expect(run.error?.message).toContain('biomage-data-staging: Results (AWS::S3::Bucket)');
      expect(run.error?.message).toContain('biomage-data-staging: Work (AWS::SQS::Queue) would be dropped from the stack');
      expect(await state('staging')).toEqual(before);
    });

    it.each([
      ['allow-replace-malformed', ['biomage-data-staging/Samples']],
      ['allow-replace-unknown-stack', ['biomage-data-production:Samples']],
    ])('%s: exit 2 before any change set', async (name, values) => {
      editDangerously();
      const before = await state('staging');
      const run = await deploy('staging', { allowReplace: values });
      expect(run.code).toBe(2);
      golden(name, run.error);
      expect(await state('staging')).toEqual(before);
    });

    it('--allow-replace <stack>:<LogicalId> lets exactly that replacement through', async () => {
      editDangerously({ table: true });
      const run = await deploy('staging', { allowReplace: ['biomage-data-staging:Samples'] });
      expect(run.code, run.stderr).toBe(0);
      expect(run.report?.replacements).toMatchObject([{ stack: 'biomage-data-staging', logicalId: 'Samples', decision: 'allowed' }]);
      expect(run.stderr).toContain('allowed by --allow-replace biomage-data-staging:Samples');
      // The new table, and the old one kept out of the stack: its UpdateReplacePolicy is Retain in staging.
      expect((await tables()).filter((t) => t.endsWith('-staging')).sort()).toEqual(['fixture-samples-staging', 'fixture-samples-v2-staging']);
      const { StackResources = [] } = await cfn().send(new DescribeStackResourcesCommand({ StackName: 'biomage-data-staging' }));
      expect(StackResources.find((r) => r.LogicalResourceId === 'Samples')?.PhysicalResourceId).toBe('fixture-samples-v2-staging');
      expect(await buckets()).toContain('fixture-results-staging');
      expect(await queueExists('fixture-work-staging')).toBe(true);
      expect(await noticesDisplayName('staging')).toBe('Fixture notices, changed');
      expect(await changeSets('biomage-data-staging')).toEqual([]);
      // Staging is not production: no termination protection, no stack policy.
      expect((await stack('biomage-data-staging'))?.EnableTerminationProtection).toBeFalsy();
      expect(await policy('biomage-data-staging')).toBeUndefined();
    });
  });

  describe('a stack that starts importing from a stack the run creates', () => {
    it('is guarded at its turn: refused there (exit 1), after the new stack it waited for, its change set deleted', async () => {
      const extra = join(root, 'cf', 'extra.yaml');
      writeFileSync(
        extra,
        [
          'Parameters:',
          '  Environment: {Type: String, AllowedValues: [development, staging, production]}',
          'Resources:',
          '  Extra: {Type: AWS::SNS::Topic}',
          'Outputs:',
          '  Name:',
          '    Value: extra announcements',
          '    Export: {Name: !Sub "fixture-extra-${Environment}"}',
          '',
        ].join('\n'),
      );
      editDangerously({ table: true });
      writeFileSync(
        data,
        readFileSync(data, 'utf8')
          .replace('fixture-samples-v2-${Environment}', 'fixture-samples-v3-${Environment}')
          .replace('DisplayName: Fixture announcements', 'DisplayName: !ImportValue {"Fn::Sub": "fixture-extra-${Environment}"}'),
      );
      try {
        const tablesBefore = (await tables()).filter((t) => t.endsWith('-staging')).sort();
        const run = await deploy('staging', { allowReplace: [] });
        expect(run.code, run.stderr).toBe(1);
        const by = Object.fromEntries((run.report?.stacks ?? []).map((s) => [s.stack, s]));
        expect(by['biomage-extra-staging']).toMatchObject({ action: 'create', result: 'ok' });
        expect(by['biomage-data-staging']).toMatchObject({
          result: 'failed',
          error: { message: expect.stringContaining('refused: biomage-data-staging: Samples (AWS::DynamoDB::Table) would be replaced'), reason: expect.stringContaining('the change set was deleted') },
        });
        expect(by['biomage-data-staging']?.error?.message).toContain('allow it with --allow-replace biomage-data-staging:Samples');
        expect(run.report?.replacements).toMatchObject([{ stack: 'biomage-data-staging', logicalId: 'Samples', decision: 'refused' }]);
        expect((await tables()).filter((t) => t.endsWith('-staging')).sort()).toEqual(tablesBefore);
        expect((await stack('biomage-data-staging'))?.StackStatus).toBe('UPDATE_COMPLETE');
        expect(await changeSets('biomage-data-staging')).toEqual([]);
      } finally {
        rmSync(extra);
      }
    });
  });

  describe('the command line', () => {
    it('--allow-replace is repeatable, and every unusable value is named (exit 2, JSON error)', async () => {
      const run = await runCli(
        ['deploy-cf', '--root', root, '--env', 'development', '--json', '--allow-replace', 'biomage-data-development', '--allow-replace', 'biomage-gone-development:Samples'],
        { AWS_ENDPOINT_URL: emulator().endpoint, AWS_REGION: 'eu-west-1', BIOMAGE_ENV: undefined, AWS_PROFILE: undefined },
      );
      expect(run.code, run.stderr).toBe(2);
      const { error } = JSON.parse(run.stdout) as JsonEnvelope;
      expect(error).toMatchObject({ code: 'bad-input', where: '--allow-replace' });
      expect(error?.message).toBe(
        [
          '2 --allow-replace values are unusable:',
          '  --allow-replace biomage-data-development: expected <stack>:<LogicalId>, e.g. biomage-data-staging:SamplesTable',
          '  --allow-replace biomage-gone-development:Samples: biomage-gone-development is not a stack of this run (biomage-data-development, biomage-notices-development)',
        ].join('\n'),
      );
    });
  });

  describe('development', () => {
    it('prints a warning and deploys', async () => {
      restore();
      expect((await deploy('development')).code).toBe(0);
      editDangerously({ table: true });
      const run = await deploy('development');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(
        'warning: biomage-data-development: Samples (AWS::DynamoDB::Table) would be replaced by a new, empty one: changed TableName (RequiresRecreation Always); its items would be deleted with the old one (development: deploying anyway',
      );
      expect(run.report?.replacements).toMatchObject([{ logicalId: 'Samples', decision: 'warned' }]);
      // UpdateReplacePolicy Delete in development: the old table goes.
      expect((await tables()).filter((t) => t.endsWith('-development'))).toEqual(['fixture-samples-v2-development']);
    });
  });

  describe('production', () => {
    const name = 'biomage-data-production';
    const deny = (ids: string[]) => ({ Effect: 'Deny', Action: ['Update:Replace', 'Update:Delete'], Principal: '*', Resource: ids.map((id) => `LogicalResourceId/${id}`) });
    const allow = { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' };

    it('stacks get termination protection and a stack policy denying replacement and deletion of their stateful resources', async () => {
      restore();
      const run = await deploy('production');
      expect(run.code, run.stderr).toBe(0);
      expect((await stack(name))?.EnableTerminationProtection).toBe(true);
      expect((await stack('biomage-notices-production'))?.EnableTerminationProtection).toBe(true);
      expect(await policy(name)).toEqual({ Statement: [allow, deny(['Results', 'Samples', 'Work'])] });
      // A stack without stateful resources: every update allowed.
      expect(await policy('biomage-notices-production')).toEqual({ Statement: [allow] });
    });

    it('a replacement is refused before execution, and the policy stops one made outside biomage', async () => {
      editDangerously({ table: true });
      const before = await state('production');
      const run = await deploy('production');
      expect(run.code).toBe(2);
      golden('refused-production', run.error);
      expect(await state('production')).toEqual(before);

      // The same change through CloudFormation directly: the stack policy denies it, nothing changes.
      const { Id } = await cfn().send(
        new CreateChangeSetCommand({
          StackName: name,
          ChangeSetName: 'outside-biomage',
          ChangeSetType: 'UPDATE',
          TemplateBody: readFileSync(data, 'utf8'),
          Parameters: [{ ParameterKey: 'Environment', ParameterValue: 'production' }],
        }),
      );
      await cfn().send(new ExecuteChangeSetCommand({ StackName: name, ChangeSetName: Id }));
      expect((await stack(name))?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect((await state('production')).tables).toEqual(before.tables);
    });

    it('--allow-replace lifts the policy for that update only: the table is replaced, the protective policy is back', async () => {
      editDangerously({ table: true });
      const run = await deploy('production', { allowReplace: [`${name}:Samples`] });
      expect(run.code, run.stderr).toBe(0);
      expect(await tables()).toContain('fixture-samples-v2-production');
      expect((await stack(name))?.StackStatus).toBe('UPDATE_COMPLETE');
      expect((await stack(name))?.EnableTerminationProtection).toBe(true);
      expect(await policy(name)).toEqual({ Statement: [allow, deny(['Results', 'Samples', 'Work'])] });
      expect(await changeSets(name)).toEqual([]);
    });

    it('a production stack that lost its protection (or never had it) gets it back at the next deploy-cf, even with nothing to change', async () => {
      await cfn().send(new UpdateTerminationProtectionCommand({ StackName: 'biomage-notices-production', EnableTerminationProtection: false }));
      await cfn().send(new SetStackPolicyCommand({ StackName: name, StackPolicyBody: JSON.stringify({ Statement: [allow] }) }));
      editDangerously({ table: true });
      const run = await deploy('production');
      expect(run.code, run.stderr).toBe(0);
      expect(run.report?.stacks.map((s) => s.action)).toEqual(['unchanged', 'unchanged']);
      expect((await stack('biomage-notices-production'))?.EnableTerminationProtection).toBe(true);
      expect(await policy(name)).toEqual({ Statement: [allow, deny(['Results', 'Samples', 'Work'])] });
    });

    it('the protective policy is restored when the allowed update fails', async () => {
      editDangerously({ table: true });
      // The table renamed once more, and a queue CloudFormation cannot create (a FIFO queue's name must end in .fifo).
      writeFileSync(
        data,
        readFileSync(data, 'utf8')
          .replace('fixture-samples-v2-${Environment}', 'fixture-samples-v3-${Environment}')
          .replace('Resources:\n', 'Resources:\n  Broken:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: fixture-broken\n      FifoQueue: true\n'),
      );
      const run = await deploy('production', { allowReplace: [`${name}:Samples`] });
      expect(run.code).toBe(1);
      expect((await stack(name))?.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect(await policy(name)).toEqual({ Statement: [allow, deny(['Broken', 'Results', 'Samples', 'Work'])] });
      expect((await stack(name))?.EnableTerminationProtection).toBe(true);
    });
  });
});
