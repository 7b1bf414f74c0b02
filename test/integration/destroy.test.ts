import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { loadTemplates, planDeploy, runDeploy } from '../../src/cf/deploy.js';
import { destroyCommand } from '../../src/commands/destroy.js';
import type { Environment } from '../../src/config/environments.js';
import type { Context } from '../../src/context.js';
import type { DestroyRequest } from '../../src/destroy/destroy.js';
import type { DestroyReport } from '../../src/destroy/report.js';
import { ConfirmationRequiredError, InputError, UsageError } from '../../src/ui/errors.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';
import { copyFixture } from '../helpers/fixture-copy.js';

const STACKS = ['api', 'data', 'network', 'uploads', 'web'];

/** The stack eksctl would have made: network.yaml imports from it; destroy must never touch it. */
const CLUSTER_STACK = (env: string) => `
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.30.0.0/16}}
Outputs:
  VPC: {Value: !Ref Vpc, Export: {Name: destroy-cluster-${env}::VPC}}
`;

describe('biomage destroy against the emulator', () => {
  const { target } = useEmulator();
  const root = copyFixture('destroy');
  const cfn = () => awsClient(CloudFormationClient, target());

  /** deploy-cf's own code deploys the fixture in `env`, after the cluster stack it imports from. */
  async function deploy(env: Environment) {
    await cfn().send(new CreateStackCommand({ StackName: `eksctl-biomage-${env}-cluster`, TemplateBody: CLUSTER_STACK(env) }));
    const templates = await loadTemplates(root, { paths: [] });
    const plans = await planDeploy(templates, { env, target: target(), cfn: cfn() });
    const outcomes = await runDeploy(cfn(), plans, { env, dryRun: false, force: false, concurrency: 4, pollMs: 10, hooks: { status: () => {}, event: () => {} } });
    for (const o of outcomes) expect(o, JSON.stringify(o.error)).toMatchObject({ result: 'ok' });
  }

  /**
   * destroy in-process, in `env`. The CloudFormation and RDS clients are the emulator's: staging and
   * production refuse an endpoint (rightly), so the run is production's own code against the twin.
   */
  async function destroy(env: Environment, options: { paths?: string[]; yes?: boolean; dryRun?: boolean; confirmEnv?: string; interactive?: boolean; prompt?: DestroyRequest['prompt'] } = {}) {
    const c = testContext('destroy', {
      env,
      region: 'eu-west-1',
      ...(env === 'development' ? { endpointUrl: target().endpoint } : {}),
      json: true,
      yes: options.yes ?? false,
      dryRun: options.dryRun ?? false,
    });
    const ctx: Context = options.interactive ? Object.create(c.ctx, { interactive: { value: true } }) : c.ctx;
    const request: DestroyRequest = {
      paths: options.paths ?? [],
      concurrency: 4,
      root,
      cfn: cfn(),
      rds: awsClient(RDSClient, target()),
      ...(options.confirmEnv ? { confirmEnv: options.confirmEnv } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    };
    try {
      const code = await destroyCommand(ctx, request);
      const report = (JSON.parse(c.stdout()) as { result: DestroyReport }).result;
      return { code, report, by: Object.fromEntries(report.stacks.map((s) => [s.stack.split('-')[1], s])), stderr: c.stderr(), error: undefined };
    } catch (error) {
      return { code: undefined, report: undefined, by: {}, stderr: c.stderr(), error };
    }
  }

  async function existing(env: string): Promise<string[]> {
    const { Stacks = [] } = await cfn().send(new DescribeStacksCommand({}));
    return Stacks.filter((s) => (s.StackName?.endsWith(`-${env}`) || s.StackName === `eksctl-biomage-${env}-cluster`) && s.StackStatus !== 'DELETE_COMPLETE')
      .map((s) => s.StackName ?? '')
      .sort();
  }
  const all = (env: string) => STACKS.map((s) => `biomage-${s}-${env}`);
  const s3 = () => awsClient(S3Client, target());

  describe('development (the twin: every DeletionPolicy resolves to Delete)', () => {
    beforeAll(() => deploy('development'));

    it('deletes every stack, importers first, and keeps nothing; the cluster stack is left alone', async () => {
      const { code, report, stderr } = await destroy('development');
      expect(code, stderr).toBe(0);
      expect(report?.stacks.map((s) => s.result)).toEqual(STACKS.map(() => 'deleted'));
      expect(report?.retained).toEqual([]);
      expect(stderr).toContain('nothing is kept');
      expect(await existing('development')).toEqual(['eksctl-biomage-development-cluster']);
      // Importers first: web before api before data before network.
      const gone = (s: string) => stderr.indexOf(`biomage-${s}-development  DELETE_COMPLETE  AWS::CloudFormation::Stack`);
      expect(gone('web')).toBeGreaterThan(-1);
      expect(gone('web')).toBeLessThan(gone('api'));
      expect(gone('api')).toBeLessThan(gone('data'));
      expect(gone('data')).toBeLessThan(gone('network'));
      await expect(s3().send(new HeadBucketCommand({ Bucket: 'destroy-archive-development' }))).rejects.toThrow();
      await expect(awsClient(DynamoDBClient, target()).send(new DescribeTableCommand({ TableName: 'destroy-records-development' }))).rejects.toThrow();
    });

    it('a rerun finds every stack absent and succeeds', async () => {
      const { code, report } = await destroy('development');
      expect(code).toBe(0);
      expect(report?.stacks.map((s) => s.result)).toEqual(STACKS.map(() => 'absent'));
    });

    it('a stack of the same name that deploy-cf did not make (no biomage tags) is refused (exit 2), and left alone', async () => {
      await cfn().send(new CreateStackCommand({ StackName: 'biomage-uploads-development', TemplateBody: 'Resources:\n  T: {Type: AWS::SNS::Topic}\n' }));
      try {
        const { error } = await destroy('development', { paths: [`${root}/cf/uploads.yaml`] });
        expect(error).toBeInstanceOf(InputError);
        expect((error as Error).message).toBe(
          'destroy refused, nothing was deleted: biomage-uploads-development was not made by biomage deploy-cf for development (its biomage:environment tag is missing)',
        );
        expect(await existing('development')).toContain('biomage-uploads-development');
      } finally {
        await cfn().send(new DeleteStackCommand({ StackName: 'biomage-uploads-development' }));
      }
    });

    it('the built CLI: exit 2 naming a template that does not exist, exit 0 with the JSON plan for a dry run', async () => {
      // biomage finds the repository by cf/ and infra/cluster.yaml; destroy reads only cf/.
      mkdirSync(join(root, 'infra'), { recursive: true });
      writeFileSync(join(root, 'infra', 'cluster.yaml'), '# destroy reads only cf/\n');
      const env = cleanEnv({ CI: 'true' });
      const missing = await spawnCli(['destroy', '--endpoint-url', target().endpoint ?? '', '--json', 'cf/nothing-here.yaml'], env, root);
      expect(missing.code).toBe(2);
      expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'bad-input', message: 'cf/nothing-here.yaml does not exist' } });
      const dryRun = await spawnCli(['destroy', '--endpoint-url', target().endpoint ?? '', '--json', '--dry-run'], env, root);
      expect(dryRun.code, dryRun.stderr).toBe(0);
      const result = (JSON.parse(dryRun.stdout) as { result: DestroyReport }).result;
      expect(result.stacks.map((s) => s.stack)).toEqual(all('development'));
      expect(dryRun.stderr).toContain('destroy development (eu-west-1)');
    });

    it('a template that does not exist is bad input (exit 2)', async () => {
      const { error } = await destroy('development', { paths: [`${root}/cf/nothing-here.yaml`] });
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe('cf/nothing-here.yaml does not exist');
    });
  });

  describe('staging (Retain and Snapshot apply)', () => {
    beforeAll(() => deploy('staging'));

    it('--dry-run lists what would be deleted and kept, and deletes nothing', async () => {
      const { code, report, stderr } = await destroy('staging', { dryRun: true });
      expect(code, stderr).toBe(0);
      expect(report?.stacks.map((s) => s.result)).toEqual(STACKS.map(() => 'planned'));
      expect(report?.retained.map((r) => [r.stack, r.logicalId, r.physicalId, r.policy])).toEqual([
        ['biomage-data-staging', 'Database', 'destroy-db-staging', 'Snapshot'],
        ['biomage-data-staging', 'Records', 'destroy-records-staging', 'Retain'],
        ['biomage-network-staging', 'Archive', 'destroy-archive-staging', 'Retain'],
      ]);
      expect(report?.stacks.find((s) => s.stack === 'biomage-network-staging')?.waitsFor).toEqual(['biomage-data-staging']);
      expect(stderr).toContain('AWS::S3::Bucket destroy-archive-staging  (biomage-network-staging Archive)  [Retain]');
      expect(await existing('staging')).toEqual([...all('staging'), 'eksctl-biomage-staging-cluster'].sort());
    });

    it('a partial destroy whose exports a stack outside the run imports is refused (exit 2), nothing deleted', async () => {
      const { error } = await destroy('staging', { paths: [`${root}/cf/data.yaml`], yes: true });
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toBe(
        'destroy refused, nothing was deleted: biomage-data-staging exports destroy-records-table-staging, which biomage-api-staging imports, and this run does not delete biomage-api-staging',
      );
      expect(await existing('staging')).toEqual([...all('staging'), 'eksctl-biomage-staging-cluster'].sort());
    });

    it('a stack with no template that imports from the run counts too (ListImports)', async () => {
      const handMade = `Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: hand-made, Tags: [{Key: role, Value: !ImportValue destroy-api-role-staging}]}}\n`;
      await cfn().send(new CreateStackCommand({ StackName: 'hand-made-staging', TemplateBody: handMade }));
      try {
        const { error } = await destroy('staging', { yes: true });
        expect((error as Error).message).toContain('biomage-api-staging exports destroy-api-role-staging, which hand-made-staging imports (a stack with no template in cf/)');
        expect(await existing('staging')).toContain('biomage-api-staging');
      } finally {
        await cfn().send(new DeleteStackCommand({ StackName: 'hand-made-staging' }));
      }
    });

    it('a termination-protected stack is refused with the command that lifts it', async () => {
      await cfn().send(new UpdateTerminationProtectionCommand({ StackName: 'biomage-web-staging', EnableTerminationProtection: true }));
      try {
        const { error } = await destroy('staging', { yes: true });
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).toBe('destroy refused, nothing was deleted: biomage-web-staging has termination protection');
        expect((error as InputError).hint).toBe(
          'if it really must go: aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name biomage-web-staging',
        );
        expect(await existing('staging')).toContain('biomage-web-staging');
      } finally {
        await cfn().send(new UpdateTerminationProtectionCommand({ StackName: 'biomage-web-staging', EnableTerminationProtection: false }));
      }
    });

    it('is not run without confirmation when nobody can answer (exit 2), nothing deleted', async () => {
      const { error } = await destroy('staging');
      expect(error).toBeInstanceOf(ConfirmationRequiredError);
      expect(await existing('staging')).toEqual([...all('staging'), 'eksctl-biomage-staging-cluster'].sort());
    });

    it('DELETE_FAILED names the resource and the reason (exit 1); the rest goes, and a rerun resumes', async () => {
      await s3().send(new PutObjectCommand({ Bucket: 'destroy-uploads-staging', Key: 'left-behind.txt', Body: 'data' }));
      const first = await destroy('staging', { yes: true });
      expect(first.code, first.stderr).toBe(1);
      expect(first.by.uploads).toMatchObject({
        result: 'failed',
        error: {
          message: 'biomage-uploads-staging ended DELETE_FAILED',
          resource: 'Uploads (AWS::S3::Bucket destroy-uploads-staging)',
          reason: expect.stringContaining('The bucket you tried to delete is not empty'),
        },
      });
      for (const s of ['web', 'api', 'data', 'network']) expect(first.by[s]).toMatchObject({ result: 'deleted' });
      expect(await existing('staging')).toEqual(['biomage-uploads-staging', 'eksctl-biomage-staging-cluster']);

      // What was kept is listed at the end, and is there in its service.
      expect(first.report?.retained.map((r) => r.physicalId)).toEqual(['destroy-db-staging', 'destroy-records-staging', 'destroy-archive-staging']);
      await s3().send(new HeadBucketCommand({ Bucket: 'destroy-archive-staging' }));
      await awsClient(DynamoDBClient, target()).send(new DescribeTableCommand({ TableName: 'destroy-records-staging' }));
      const rds = awsClient(RDSClient, target());
      const { DBInstances = [] } = await rds.send(new DescribeDBInstancesCommand({}));
      expect(DBInstances.map((d) => d.DBInstanceIdentifier)).not.toContain('destroy-db-staging');
      const { DBSnapshots = [] } = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'destroy-db-staging' }));
      expect(DBSnapshots.map((s) => s.DBSnapshotIdentifier)).toEqual(first.report?.retained.find((r) => r.policy === 'Snapshot')?.snapshots);
      expect(DBSnapshots).toHaveLength(1);
      expect(first.stderr).toContain('AWS::DynamoDB::Table destroy-records-staging  (biomage-data-staging Records)  [Retain]');
      // What had no Retain went.
      await expect(awsClient(SQSClient, target()).send(new GetQueueUrlCommand({ QueueName: 'destroy-events-staging' }))).rejects.toThrow();
      await expect(awsClient(IAMClient, target()).send(new GetRoleCommand({ RoleName: 'destroy-api-staging' }))).rejects.toThrow();

      await s3().send(new DeleteObjectCommand({ Bucket: 'destroy-uploads-staging', Key: 'left-behind.txt' }));
      const rerun = await destroy('staging', { yes: true });
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.by.uploads).toMatchObject({ result: 'deleted' });
      for (const s of ['web', 'api', 'data', 'network']) expect(rerun.by[s]).toMatchObject({ result: 'absent' });
      expect(await existing('staging')).toEqual(['eksctl-biomage-staging-cluster']);
      await expect(s3().send(new HeadBucketCommand({ Bucket: 'destroy-uploads-staging' }))).rejects.toThrow();
    });
  });

  describe('production', () => {
    beforeAll(() => deploy('production'));

    it('is refused without the typed name or both --yes and --confirm-env production (exit 2), nothing deleted', async () => {
      const noConfirm = await destroy('production');
      expect(noConfirm.error).toBeInstanceOf(ConfirmationRequiredError);
      const yesOnly = await destroy('production', { yes: true });
      expect(yesOnly.error).toBeInstanceOf(ConfirmationRequiredError);
      expect((yesOnly.error as ConfirmationRequiredError).hint).toContain('pass both --yes and --confirm-env production');
      const mismatch = await destroy('production', { yes: true, confirmEnv: 'staging' });
      expect(mismatch.error).toBeInstanceOf(UsageError);
      const wrongAnswer = await destroy('production', { interactive: true, prompt: async () => 'yes' });
      expect(wrongAnswer.error).toBeInstanceOf(ConfirmationRequiredError);
      expect(await existing('production')).toEqual([...all('production'), 'eksctl-biomage-production-cluster'].sort());
    });

    it('the typed name deletes the named stacks; their Retain resources stay', async () => {
      const questions: string[] = [];
      const { code, report, stderr } = await destroy('production', {
        paths: [`${root}/cf/web.yaml`, `${root}/cf/uploads.yaml`],
        interactive: true,
        prompt: async (q) => {
          questions.push(q);
          return 'production';
        },
      });
      expect(code, stderr).toBe(0);
      expect(questions).toEqual(["destroy of 2 stacks will delete from production. Type 'production' to continue: "]);
      expect(report?.stacks.map((s) => [s.stack, s.result])).toEqual([
        ['biomage-web-production', 'deleted'],
        ['biomage-uploads-production', 'deleted'],
      ]);
    });

    it('--yes with --confirm-env production runs without a prompt; what is kept is there', async () => {
      const { code, report, stderr } = await destroy('production', { yes: true, confirmEnv: 'production' });
      expect(code, stderr).toBe(0);
      expect(report?.stacks.map((s) => s.result)).toEqual(['deleted', 'deleted', 'deleted', 'absent', 'absent']);
      expect(report?.retained.map((r) => r.physicalId)).toEqual(['destroy-db-production', 'destroy-records-production', 'destroy-archive-production']);
      await s3().send(new HeadBucketCommand({ Bucket: 'destroy-archive-production' }));
      expect(await existing('production')).toEqual(['eksctl-biomage-production-cluster']);
    });
  });
});
