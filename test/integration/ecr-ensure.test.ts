import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  PutLifecyclePolicyCommand,
  type Repository,
} from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { ecrEnsureCommand } from '../../src/commands/ecr.js';
import type { EcrEnsureReport } from '../../src/ecr/ensure.js';
import { LIFECYCLE_POLICY } from '../../src/ecr/lifecycle-policy.js';
import { ConfirmationRequiredError } from '../../src/ui/errors.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { runCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

const WRITES = ['CreateRepository', 'PutLifecyclePolicy', 'PutImageTagMutability', 'PutImageScanningConfiguration', 'TagResource'];
const CLEAN = { BIOMAGE_ENV: undefined, AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined, AWS_REGION: 'eu-west-1', CI: 'true' };

/** An ECR client that records the API calls it makes, by operation name. */
function countingClient(endpoint: string) {
  const calls: string[] = [];
  const ecr = recordCalls(awsClient(ECRClient, { region: 'eu-west-1', endpoint, local: true }), calls);
  return { ecr, calls };
}

describe('biomage ecr ensure against the emulator', () => {
  const { emulator, target } = useEmulator();
  const api = () => awsClient(ECRClient, target());

  async function ensure(names: string[], options: { dryRun?: boolean; env?: string; yes?: boolean } = {}) {
    const { ecr, calls } = countingClient(emulator().endpoint);
    const local = (options.env ?? 'development') === 'development';
    const c = testContext('ecr ensure', {
      ...(local ? { endpointUrl: emulator().endpoint } : { env: options.env, region: 'eu-west-1' }),
      json: true,
      dryRun: options.dryRun ?? false,
      yes: options.yes ?? false,
    });
    const code = await ecrEnsureCommand(c.ctx, { names, ecr });
    const report = (JSON.parse(c.stdout()) as { result: EcrEnsureReport }).result;
    const by = Object.fromEntries(report.repositories.map((r) => [r.name, r]));
    return { code, report, by, calls, stderr: c.stderr() };
  }

  /** The repository as ECR describes it, or undefined when it does not exist. */
  async function describe_(name: string): Promise<Repository | undefined> {
    const { repositories = [] } = await api().send(new DescribeRepositoriesCommand({}));
    return repositories.find((r) => r.repositoryName === name);
  }

  async function lifecyclePolicy(name: string): Promise<unknown> {
    try {
      const { lifecyclePolicyText } = await api().send(new GetLifecyclePolicyCommand({ repositoryName: name }));
      return JSON.parse(lifecyclePolicyText ?? 'null');
    } catch (error) {
      if ((error as Error).name === 'LifecyclePolicyNotFoundException') return undefined;
      throw error;
    }
  }

  async function expectPlatformSettings(name: string) {
    const repository = await describe_(name);
    expect(repository, `${name} exists`).toBeDefined();
    expect(repository).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(await lifecyclePolicy(name)).toEqual(LIFECYCLE_POLICY);
    return repository!;
  }

  it('creates missing repositories with every setting, and no tags', async () => {
    const { code, by, calls } = await ensure(['biomage/api', 'biomage/ui']);
    expect(code).toBe(0);
    for (const name of ['biomage/api', 'biomage/ui']) {
      const repository = await expectPlatformSettings(name);
      expect(by[name]).toMatchObject({ action: 'created', uri: repository.repositoryUri });
      expect(by[name]?.changes.map((c) => c.setting)).toEqual(['imageTagMutability', 'scanOnPush', 'encryption', 'lifecyclePolicy']);
    }
    expect(calls.filter((c) => c === 'CreateRepository')).toHaveLength(2);
    expect(calls).not.toContain('TagResource');
  });

  it('a second run is unchanged and makes no writes', async () => {
    const { code, report, calls } = await ensure(['biomage/api', 'biomage/ui']);
    expect(code).toBe(0);
    expect(report.repositories.map((r) => [r.action, r.changes])).toEqual([
      ['unchanged', []],
      ['unchanged', []],
    ]);
    expect(calls.filter((c) => WRITES.includes(c))).toEqual([]);
    expect([...new Set(calls)].sort()).toEqual(['DescribeRepositories', 'GetLifecyclePolicy']);
    await expectPlatformSettings('biomage/api');
  });

  it('converges a repository made by hand (mutable tags, no scanning, no lifecycle policy)', async () => {
    await api().send(new CreateRepositoryCommand({ repositoryName: 'hand/made', imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: false } }));
    const { code, by, calls } = await ensure(['hand/made']);
    expect(code).toBe(0);
    expect(by['hand/made']).toMatchObject({
      action: 'updated',
      changes: [
        { setting: 'imageTagMutability', from: 'MUTABLE', to: 'IMMUTABLE' },
        { setting: 'scanOnPush', from: false, to: true },
        { setting: 'lifecyclePolicy', from: null },
      ],
    });
    expect(calls).not.toContain('CreateRepository');
    await expectPlatformSettings('hand/made');
  });

  it('a lifecycle policy with the same rules in another layout and order is left as it is', async () => {
    await api().send(new CreateRepositoryCommand({ repositoryName: 'same/policy', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } }));
    const text = JSON.stringify({ rules: [...LIFECYCLE_POLICY.rules].reverse() }, null, 3);
    await api().send(new PutLifecyclePolicyCommand({ repositoryName: 'same/policy', lifecyclePolicyText: text }));
    const { code, by, calls } = await ensure(['same/policy']);
    expect(code).toBe(0);
    expect(by['same/policy']?.action).toBe('unchanged');
    expect(calls.filter((c) => WRITES.includes(c))).toEqual([]);
    const { lifecyclePolicyText } = await api().send(new GetLifecyclePolicyCommand({ repositoryName: 'same/policy' }));
    expect(lifecyclePolicyText).toBe(text);
  });

  it('KMS encryption cannot be changed: a warning in the report, exit 0, encryption left alone', async () => {
    await api().send(new CreateRepositoryCommand({ repositoryName: 'kms/repo', imageTagMutability: 'IMMUTABLE', encryptionConfiguration: { encryptionType: 'KMS' } }));
    const { code, by, stderr } = await ensure(['kms/repo']);
    expect(code).toBe(0);
    expect(by['kms/repo']).toMatchObject({ action: 'updated', warnings: [expect.stringContaining('encryption is KMS')] });
    expect(stderr).toContain('warning: kms/repo: encryption is KMS');
    expect((await describe_('kms/repo'))?.encryptionConfiguration?.encryptionType).toBe('KMS');
    expect((await describe_('kms/repo'))?.imageScanningConfiguration?.scanOnPush).toBe(true);
  });

  it('--dry-run reports what would change and changes nothing', async () => {
    await api().send(new CreateRepositoryCommand({ repositoryName: 'dry/existing', imageTagMutability: 'MUTABLE' }));
    const run = await runCli(['ecr', 'ensure', 'dry/new', 'dry/existing', '--dry-run', '--json', '--endpoint-url', emulator().endpoint], CLEAN);
    expect(run.code, run.stderr).toBe(0);
    const report = (JSON.parse(run.stdout) as { result: EcrEnsureReport }).result;
    expect(report.repositories.map((r) => [r.name, r.action, r.uri === null])).toEqual([
      ['dry/new', 'would-create', true],
      ['dry/existing', 'would-update', false],
    ]);
    expect(await describe_('dry/new')).toBeUndefined();
    expect((await describe_('dry/existing'))?.imageTagMutability).toBe('MUTABLE');
    expect(await lifecyclePolicy('dry/existing')).toBeUndefined();
  });

  it('the human report goes to stderr; stdout stays empty', async () => {
    const run = await runCli(['ecr', 'ensure', 'biomage/api', '--endpoint-url', emulator().endpoint, '--no-color'], CLEAN);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/biomage\/api\s+unchanged\s+\S+\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/biomage\/api/);
  });

  it('a bad name exits 2, naming the value and the rule, and nothing is created', async () => {
    const run = await runCli(['ecr', 'ensure', 'good/one', 'Bad_Name', '--endpoint-url', emulator().endpoint, '--no-color'], CLEAN);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: not an ECR repository name: 'Bad_Name'");
    expect(run.stderr).toContain('(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*');
    expect(await describe_('good/one')).toBeUndefined();
  });

  it('production without --yes in a non-interactive run exits 2: read, not written', async () => {
    const error = await ensure(['prod/api'], { env: 'production' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect((error as ConfirmationRequiredError).exitCode).toBe(2);
    expect(await describe_('prod/api')).toBeUndefined();
  });

  it('production with --yes goes ahead', async () => {
    const { code, by } = await ensure(['prod/api'], { env: 'production', yes: true });
    expect(code).toBe(0);
    expect(by['prod/api']?.action).toBe('created');
    await expectPlatformSettings('prod/api');
  });

  it('production with nothing to change needs no confirmation', async () => {
    const { code, by, calls } = await ensure(['prod/api'], { env: 'production' });
    expect(code).toBe(0);
    expect(by['prod/api']?.action).toBe('unchanged');
    expect(calls.filter((c) => WRITES.includes(c))).toEqual([]);
  });
});

describe('when AWS cannot be reached', () => {
  it('every repository is reported failed with its name and the next step; exit 1', async () => {
    // Port 1 on loopback: nothing listens, so each call fails for real (connection refused).
    const ecr = awsClient(ECRClient, { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', local: true });
    const c = testContext('ecr ensure', { endpointUrl: 'http://127.0.0.1:1', json: true });
    const code = await ecrEnsureCommand(c.ctx, { names: ['biomage/api', 'biomage/ui'], ecr });
    expect(code).toBe(1);
    const doc = JSON.parse(c.stdout()) as { ok: boolean; exitCode: number; result: EcrEnsureReport };
    expect(doc).toMatchObject({ ok: false, exitCode: 1 });
    for (const r of doc.result.repositories) {
      expect(r).toMatchObject({ action: 'failed', uri: null, changes: [] });
      expect(r.error?.message).toMatch(new RegExp(`^repository ${r.name}: DescribeRepositories failed: `));
      expect(r.error?.hint).toBe(
        `the ECR endpoint could not be reached: check the network (development: is the twin running? \`make dev\`), then rerun \`biomage ecr ensure ${r.name}\``,
      );
    }
  });
});
