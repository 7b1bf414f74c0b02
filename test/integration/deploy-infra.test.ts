import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCluster } from '../../src/cluster/live.js';
import type { DeployAction } from '../../src/cluster/request.js';
import { deployInfraCommand } from '../../src/commands/deploy-infra.js';
import { awsClient } from '../../src/aws/clients.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { BiomageError, ConfirmationRequiredError, OperationError } from '../../src/ui/errors.js';
import { EKSClient } from '@aws-sdk/client-eks';
import type { AwsTarget } from '../../src/aws/target.js';
import { runCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { addNodeGroup, describeNodeGroup, seedCluster, stagingNodeGroups } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';
import { recordingFakeEksctl, type FakeEksctl } from '../helpers/fake-eksctl.js';

/**
 * deploy-infra against the emulator. The eksctl commands that change a cluster need real AWS, so
 * they run through the recording fake eksctl (test/fixtures/fake-eksctl), which records each call
 * and the rendered config it was given; its `create cluster --dry-run` is the real eksctl's,
 * offline against the emulator. Reads, the guard and node counts (EKS UpdateNodegroupConfig) are
 * real calls to the emulator, and outcomes are asserted through the EKS API.
 */
const NO_KUBECONFIG = '/nonexistent/biomage-test/kubeconfig';

describe('deploy-infra with the recording fake eksctl', () => {
  const { target } = useEmulator();
  const REGIONS = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1'];
  let used = 0;
  /** A region of its own per test: the environment fixes the cluster's name. */
  const freshTarget = () => {
    const region = REGIONS[used++];
    if (!region) throw new Error('add regions to REGIONS: one per test');
    return { ...target(), region };
  };

  async function deploy(
    at: ReturnType<typeof freshTarget>,
    fake: FakeEksctl,
    options: { env?: string; action?: DeployAction; yes?: boolean; dryRun?: boolean; verbose?: boolean } = {},
  ) {
    const c = testContext(
      'deploy-infra',
      { env: options.env ?? 'staging', region: at.region, yes: options.yes ?? false, dryRun: options.dryRun ?? false, verbose: options.verbose ?? false },
      // No kubeconfig holds a context for the emulated cluster: configure stops there, before any change.
      { ...fake.env(), KUBECONFIG: NO_KUBECONFIG },
    );
    const error = await deployInfraCommand(c.ctx, { action: options.action ?? 'deploy-and-configure', target: at }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error: error as BiomageError | undefined, stderr: c.stderr(), stdout: c.stdout() };
  }

  /** The recorded eksctl commands, without the config file's path. */
  const commands = (fake: FakeEksctl) => fake.calls().map((c) => c.argv.filter((a, i, all) => a !== '--config-file' && all[i - 1] !== '--config-file').join(' '));

  it('creates a missing cluster with one `eksctl create cluster` on the rendered config, then reaches the configure phase', async () => {
    const at = freshTarget();
    const fake = recordingFakeEksctl();
    const { error, stderr } = await deploy(at, fake);
    expect(commands(fake)).toEqual(['create cluster --write-kubeconfig=false']);
    const config = fake.calls()[0]!.config!;
    expect(config.metadata).toEqual({
      version: '1.36',
      tags: { project: 'cellenics' },
      annotations: { 'biomage.net/upgrade-support-type': 'STANDARD' },
      name: 'biomage-staging',
      region: at.region,
    });
    expect((config.managedNodeGroups as Record<string, unknown>[]).map((g) => [g.name, g.instanceType, g.minSize, g.desiredCapacity, g.maxSize])).toEqual([
      ['general-1', 'm6i.large', 1, 2, 3],
      ['worker-1', 'r6i.xlarge', 1, 1, 4],
    ]);
    // The cluster exists in EKS now (the fake registered it, as eksctl would create it).
    const eks = awsClient(EKSClient, at);
    const created = await describeCluster(eks, 'biomage-staging');
    expect(created.status).toBe('ACTIVE');
    // eksctl cannot set the upgrade policy; the step after it did, through EKS.
    expect(created.supportType).toBe('STANDARD');
    eks.destroy();
    expect(stderr).toContain('[1/2] create cluster biomage-staging');
    expect(stderr).toContain('[2/2] set the upgrade policy of biomage-staging to STANDARD support (eksctl cannot set it)');
    expect(stderr).toMatch(/Summary: deploy-infra deploy-and-configure of biomage-staging/);
    expect(stderr).toContain('cluster biomage-staging was created');
    // Then the configure phase, which needs the cluster's kubeconfig context (there is none here).
    expect(error).toBeInstanceOf(OperationError);
    expect(error!.message).toBe(`the cluster steps completed (2 of 2 ran), then the configure phase failed: the kubeconfig ${NO_KUBECONFIG} has no context biomage-staging`);
    expect(error!.hint).toBe('write it with: biomage kubeconfig --env staging');
  });

  it('updates an existing cluster: scaling in place through EKS, then missing node groups created and removed ones deleted by eksctl, in order', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [{ ...general!, scaling: { minSize: 1, desiredSize: 1, maxSize: 2 } }], logging: false });
    await addNodeGroup(at, 'biomage-staging', { ...worker!, name: 'worker-0', instanceTypes: ['r5.xlarge'] });
    const fake = recordingFakeEksctl();
    const { error, stderr } = await deploy(at, fake);
    expect(commands(fake)).toEqual([
      'utils update-cluster-logging --approve',
      'update iamserviceaccount --approve',
      'create addon',
      'update addon',
      'create nodegroup',
      'delete nodegroup --only-missing --approve',
    ]);
    // Every call got the same rendered config.
    expect(new Set(fake.calls().map((c) => JSON.stringify(c.config))).size).toBe(1);
    // The node counts were set in place, checked through EKS.
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).scalingConfig).toEqual({ minSize: 1, desiredSize: 2, maxSize: 3 });
    for (let i = 1; i <= 7; i++) expect(stderr).toContain(`[${i}/7]`);
    expect(stderr).toContain('set the node counts of general-1: minSize 1, desiredSize 1 → 2, maxSize 2 → 3');
    expect(error?.message).toMatch(/^the cluster steps completed \(7 of 7 ran\), then the configure phase failed: the kubeconfig .* has no context biomage-staging$/);
  });

  it('the guard stops a changed node group before any eksctl call: exit 2, the differences and the fix, nothing changed', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [{ ...general!, scaling: { minSize: 1, desiredSize: 1, maxSize: 2 } }, { ...worker!, instanceTypes: ['r6i.large'] }] });
    const fake = recordingFakeEksctl();
    const { error, stderr } = await deploy(at, fake, { yes: true });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe(
      'the node-group guard stopped the run: node group worker-1 (instanceTypes: live r6i.large, config r6i.xlarge) keeps its name but changes what EKS cannot change in place, so eksctl would silently leave it as it is',
    );
    const line = readFileSync(join(repoRoot, 'infra', 'cluster.yaml'), 'utf8').split('\n').indexOf('  - name: worker-1') + 1;
    expect(error?.where).toBe(`infra/cluster.yaml:${line}`);
    expect(error?.hint).toBe(
      'give the node group a new name; the old one is drained and deleted (worker-1 → worker-2, in infra/cluster.yaml and infra/cluster-environments.yaml). Nothing was changed',
    );
    expect(stderr).toContain('The node-group guard stops this deploy');
    expect(fake.calls()).toEqual([]);
    // Not even the allowed scaling change was applied.
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).scalingConfig).toEqual({ minSize: 1, desiredSize: 1, maxSize: 2 });
  });

  it('production without --yes and without a terminal is refused after the plan (exit 2), nothing changed', async () => {
    const at = freshTarget();
    const fake = recordingFakeEksctl();
    const { error, stderr } = await deploy(at, fake, { env: 'production' });
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect(error?.message).toBe('deploy-infra of biomage-production changes production and was not confirmed');
    expect(stderr).toContain('2 step(s) above will change biomage-production.');
    expect(fake.calls()).toEqual([]);
    const eks = awsClient(EKSClient, at);
    expect((await describeCluster(eks, 'biomage-production')).exists).toBe(false);
    eks.destroy();
  });

  it('--dry-run shows the plan and changes nothing', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [{ ...general!, scaling: { minSize: 1, desiredSize: 1, maxSize: 2 } }, worker!] });
    const fake = recordingFakeEksctl();
    const { error, stderr } = await deploy(at, fake, { dryRun: true });
    expect(stderr).toContain('--dry-run: nothing was changed.');
    expect(stderr).toContain('set the node counts of general-1');
    expect(fake.calls()).toEqual([]);
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).scalingConfig).toEqual({ minSize: 1, desiredSize: 1, maxSize: 2 });
    expect(error?.message).toMatch(/^the plan above was only shown, then the configure phase failed/);
  });

  it('a failing step stops the run: exit 1, which step, the steps after it not run, eksctl\'s output kept', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [general!] });
    await addNodeGroup(at, 'biomage-staging', { ...worker!, name: 'worker-0' });
    const fake = recordingFakeEksctl({ fail: 'create nodegroup' });
    const { error, stderr } = await deploy(at, fake);
    expect(error).toBeInstanceOf(OperationError);
    expect(error?.message).toMatch(/^step 4 of 5 failed \(create node groups worker-1\): eksctl exited with code 1:/);
    expect(error?.message).toContain('Error: simulated failure of create nodegroup');
    expect(error?.where).toBe('eksctl create nodegroup --config-file <rendered ClusterConfig>');
    expect(commands(fake)).toEqual(['update iamserviceaccount --approve', 'create addon', 'update addon', 'create nodegroup']);
    expect(stderr).toMatch(/5\s+drain and delete node groups worker-0, which the config no longer names\s+not run/);
    const log = /eksctl's full output is in (\S+);/.exec(error!.hint!)?.[1];
    expect(log && existsSync(log)).toBe(true);
    expect(readFileSync(log!, 'utf8')).toContain('Error: simulated failure of create nodegroup');
  });

  it('--verbose streams eksctl\'s output', async () => {
    const at = freshTarget();
    await seedCluster(at);
    const fake = recordingFakeEksctl();
    const quiet = await deploy(at, fake);
    expect(quiet.stderr).not.toContain('fake eksctl: create addon');
    const loud = await deploy(at, recordingFakeEksctl(), { verbose: true });
    expect(loud.stderr).toContain('[ℹ]  fake eksctl: create addon for cluster biomage-staging');
  });

  it('--action configure (the default) runs only the configure phase: no eksctl call, and a missing cluster is bad usage (exit 2)', async () => {
    const at = freshTarget();
    const fake = recordingFakeEksctl();
    const { error } = await deploy(at, fake, { action: 'configure' });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe(`cluster biomage-staging does not exist in ${at.region}, so there is nothing to configure`);
    expect(error?.hint).toBe('create it first: biomage deploy-infra --env staging --action deploy-and-configure');
    expect(fake.calls()).toEqual([]);
  });
});

/**
 * Bad input: each case is a folder under test/fixtures/bad/cluster-*, with its repository files
 * where it needs its own, and the exact error in expected.txt. Every one exits 2 and changes
 * nothing: no eksctl call, no cluster. Regenerate the golden files with:
 * UPDATE_GOLDEN=1 npx vitest run test/integration/deploy-infra.test.ts
 */
describe('deploy-infra refuses bad input: exit 2, the next step named, nothing changed', () => {
  const { target } = useEmulator();
  const BAD = join(repoRoot, 'test', 'fixtures', 'bad');

  function golden(name: string, actual: string) {
    const file = join(BAD, name, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
    expect(actual).toBe(readFileSync(file, 'utf8'));
  }
  /** The error as the CLI prints it, without `error:` (the where line only when there is one). */
  const describeError = (error: BiomageError) =>
    [error.message, ...(error.where ? [`  where: ${error.where}`] : []), `  next:  ${error.hint ?? ''}`, ''].join('\n');

  async function refused(name: string, options: { root?: string; fake?: FakeEksctl; at?: AwsTarget; stub?: string } = {}) {
    const fake = options.fake ?? recordingFakeEksctl();
    const at = options.at ?? target();
    const c = testContext('deploy-infra', { env: 'staging', region: at.region, yes: true }, fake.env());
    const error = await deployInfraCommand(c.ctx, { action: 'deploy-and-configure', target: at, root: options.root ?? join(BAD, name) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomageError);
    expect((error as BiomageError).exitCode).toBe(2);
    let text = describeError(error as BiomageError).split(join(BAD, name)).join('<fixture>');
    if (options.stub) text = text.split(options.stub).join('<stub STS>');
    golden(name, text);
    expect(fake.calls(), 'no eksctl command ran').toEqual([]);
    // A stub answers nothing but its refusal: there is no EKS to ask.
    if (options.stub) return;
    const eks = awsClient(EKSClient, at);
    expect((await describeCluster(eks, 'biomage-staging')).exists, 'no cluster was created').toBe(false);
    eks.destroy();
  }

  it.each([
    ['cluster-unknown-environment', ['deploy-infra', '--env', 'qa', '--action', 'deploy-and-configure']],
    ['cluster-development', ['deploy-infra', '--env', 'development', '--action', 'deploy-and-configure']],
  ])('%s (through the CLI)', async (name, argv) => {
    const run = await runCli(argv, { BIOMAGE_ENV: undefined, AWS_ENDPOINT_URL: undefined, NO_COLOR: '1' });
    expect(run.code).toBe(2);
    golden(name, run.stderr);
  });

  it('cluster-schema: the rendered config breaks eksctl\'s schema', async () => {
    await refused('cluster-schema');
  });

  it('cluster-environment-values: cluster-environments.yaml names a node group cluster.yaml lacks', async () => {
    await refused('cluster-environment-values');
  });

  it('cluster-eksctl-rejects: the real eksctl refuses the config (an unsupported Kubernetes version)', async () => {
    await refused('cluster-eksctl-rejects');
  });

  it('cluster-no-eksctl: eksctl is not installed', async () => {
    await refused('cluster-no-eksctl', { root: repoRoot, fake: recordingFakeEksctl({ withEksctl: false }) });
  });

  it('cluster-no-credentials: no AWS credentials at all (through the CLI, towards real AWS, refused before any request)', async () => {
    const fake = recordingFakeEksctl();
    const env = fake.env({
      BIOMAGE_ENV: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_PROFILE: undefined,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_SHARED_CREDENTIALS_FILE: join(BAD, 'cluster-no-credentials', 'no-such-file'),
      AWS_CONFIG_FILE: join(BAD, 'cluster-no-credentials', 'no-such-file'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      NO_COLOR: '1',
    });
    const run = await runCli(['deploy-infra', '--env', 'staging', '--action', 'deploy-and-configure', '--yes'], env);
    expect(run.code).toBe(2);
    golden('cluster-no-credentials', run.stderr.split(join(BAD, 'cluster-no-credentials')).join('<fixture>'));
    expect(fake.calls()).toEqual([]);
  });

  it('cluster-expired-credentials: AWS refuses the session (a stub STS that answers ExpiredToken)', async () => {
    const sts = await stubStsExpired();
    try {
      await refused('cluster-expired-credentials', { root: repoRoot, at: { region: 'eu-west-1', endpoint: sts.url, local: true }, stub: sts.url });
    } finally {
      sts.close();
    }
  });
});

/** A stub STS on 127.0.0.1 that answers every request as AWS does for an expired session token. */
async function stubStsExpired(): Promise<{ url: string; close(): void }> {
  const server = createServer((_req, res) => {
    res.writeHead(403, { 'content-type': 'text/xml' });
    res.end(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code>' +
        '<Message>The security token included in the request is expired</Message></Error><RequestId>stub</RequestId></ErrorResponse>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
