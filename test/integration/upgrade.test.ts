import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAddonCommand, DescribeClusterCommand, EKSClient, ListAddonsCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';
import type { PlanReport } from '../../src/cluster/deploy.js';
import { deployInfraCommand } from '../../src/commands/deploy-infra.js';
import { planCommand } from '../../src/commands/plan.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { BiomageError, OperationError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { describeNodeGroup, seedCluster, stagingNodeGroups, type SeedOptions } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';
import { recordingFakeEksctl, type FakeEksctl } from '../helpers/fake-eksctl.js';

/**
 * Kubernetes upgrades through `plan` and `deploy-infra`, against the emulator with its recorded
 * EKS catalogue (tools/emulator/eks-catalogue.json, or a fixture under test/fixtures/eks-catalogue/).
 * The upgrades themselves (`eksctl upgrade cluster`, `eksctl upgrade nodegroup`) need real AWS, so
 * they run through the recording fake eksctl, which makes the same change in the emulator through
 * the EKS API; the add-on updates are EKS API calls the emulator answers itself. Every outcome is
 * checked through the EKS API. infra/cluster.yaml pins 1.36; the clusters here run 1.35.
 */

const FIXTURES = join(repoRoot, 'test', 'fixtures');
const NO_KUBECONFIG = '/nonexistent/biomage-test/kubeconfig';

/** The add-ons of a 1.35 cluster, at versions the catalogue lists for 1.35. */
const ADDONS_135 = [
  { name: 'vpc-cni', version: 'v1.21.1-eksbuild.3' },
  { name: 'coredns', version: 'v1.13.2-eksbuild.1' },
  { name: 'kube-proxy', version: 'v1.35.2-eksbuild.4' },
  { name: 'aws-ebs-csi-driver', version: 'v1.58.0-eksbuild.1' },
];

/** A staging cluster eksctl made at 1.35: general-1 with the config's updateConfig, worker-1 with EKS's default. */
function cluster135(): SeedOptions {
  const [general, worker] = stagingNodeGroups();
  return { version: '1.35', nodeGroups: [{ ...general!, updateConfig: { maxUnavailable: 1 } }, worker!], addons: ADDONS_135 };
}

/** A copy of the repository's infra/ (and charts/), with `edit` applied to infra/cluster.yaml. */
function repositoryCopy(edit: (text: string) => string = (t) => t, extra?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'biomage-upgrade-'));
  cpSync(join(repoRoot, 'infra'), join(root, 'infra'), { recursive: true });
  cpSync(join(repoRoot, 'charts'), join(root, 'charts'), { recursive: true });
  cpSync(join(repoRoot, 'releases'), join(root, 'releases'), { recursive: true });
  if (extra) cpSync(extra, root, { recursive: true });
  const file = join(root, 'infra', 'cluster.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return root;
}

/**
 * Refused upgrades have their repository under test/fixtures/bad/cluster-upgrade-*, and the exact
 * error in expected.txt (regenerate: UPDATE_GOLDEN=1 npx vitest run test/integration/upgrade.test.ts).
 */
const BAD = join(FIXTURES, 'bad');
function golden(name: string, error: BiomageError | undefined) {
  expect(error, `${name} is refused`).toBeInstanceOf(BiomageError);
  const text = [error!.message, ...(error!.where ? [`  where: ${error!.where}`] : []), `  next:  ${error!.hint ?? ''}`, ''].join('\n');
  const file = join(BAD, name, 'expected.txt');
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const lineOf = (file: string, text: string) => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

describe('Kubernetes upgrades through plan and deploy-infra (fake eksctl for the upgrade calls, which need real AWS)', () => {
  const { target } = useEmulator();
  const REGIONS = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1'];
  let used = 0;
  const freshTarget = (): AwsTarget => {
    const region = REGIONS[used++];
    if (!region) throw new Error('add regions to REGIONS: one per test');
    return { ...target(), region };
  };

  async function plan(at: AwsTarget, options: { root?: string; json?: boolean } = {}) {
    const fake = recordingFakeEksctl();
    const c = testContext('plan', { env: 'staging', region: at.region, json: options.json ?? true }, fake.env());
    const result = await planCommand(c.ctx, { target: at, ...(options.root ? { root: options.root } : {}) }).then(
      (code) => ({ code, error: undefined }),
      (error: unknown) => ({ code: (error as BiomageError).exitCode, error: error as BiomageError }),
    );
    expect(fake.calls(), 'plan runs no eksctl command but the dry run').toEqual([]);
    const report = options.json !== false && !result.error ? (JSON.parse(c.stdout()) as { result: PlanReport }).result : undefined;
    return { ...result, report, stderr: c.stderr() };
  }

  async function deploy(at: AwsTarget, fake: FakeEksctl, options: { root?: string } = {}) {
    const c = testContext('deploy-infra', { env: 'staging', region: at.region, yes: true }, { ...fake.env(), KUBECONFIG: NO_KUBECONFIG });
    const error = await deployInfraCommand(c.ctx, { action: 'deploy-and-configure', target: at, ...(options.root ? { root: options.root } : {}) }).then(
      () => undefined,
      (e: unknown) => e as BiomageError,
    );
    return { error, stderr: c.stderr() };
  }

  /** The recorded eksctl commands, without the config file's path. */
  const commands = (fake: FakeEksctl) => fake.calls().map((c) => c.argv.filter((a, i, all) => a !== '--config-file' && all[i - 1] !== '--config-file').join(' '));

  async function versions(at: AwsTarget) {
    const eks = awsClient(EKSClient, at);
    try {
      const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'biomage-staging' }));
      const addons = await Promise.all(
        ADDONS_135.map(async (a) => (await eks.send(new DescribeAddonCommand({ clusterName: 'biomage-staging', addonName: a.name }))).addon?.addonVersion),
      );
      const groups = await Promise.all(['general-1', 'worker-1'].map(async (g) => (await describeNodeGroup(at, 'biomage-staging', g)).version));
      return { controlPlane: cluster?.version, addons, nodeGroups: groups };
    } finally {
      eks.destroy();
    }
  }

  it('plan shows the path: control plane, each add-on installed and pinned, each node group to roll, the pre-flight; --json has it all', async () => {
    const at = freshTarget();
    await seedCluster(at, cluster135());
    const { code, report } = await plan(at);
    expect(code).toBe(0);
    expect(report!.upgrade).toEqual({
      controlPlane: { from: '1.35', to: '1.36', state: 'upgrade' },
      addons: [
        { name: 'vpc-cni', current: 'v1.21.1-eksbuild.3', pinned: 'v1.22.3-eksbuild.1', state: 'update' },
        { name: 'coredns', current: 'v1.13.2-eksbuild.1', pinned: 'v1.14.3-eksbuild.3', state: 'update' },
        { name: 'kube-proxy', current: 'v1.35.2-eksbuild.4', pinned: 'v1.36.0-eksbuild.14', state: 'update' },
        { name: 'aws-ebs-csi-driver', current: 'v1.58.0-eksbuild.1', pinned: 'v1.66.0-eksbuild.1', state: 'update' },
      ],
      nodeGroups: [
        { name: 'general-1', current: '1.35', target: '1.36', state: 'upgrade', maxUnavailable: { config: { maxUnavailable: 1 }, live: { maxUnavailable: 1 } } },
        { name: 'worker-1', current: '1.35', target: '1.36', state: 'upgrade', maxUnavailable: { config: { maxUnavailable: 1 } } },
      ],
    });
    expect(report!.actions.map((a) => (a.kind === 'eksctl' ? a.operation : a.kind === 'addon' ? `addon ${a.addon}` : a.kind === 'upgrade-nodegroup' ? `roll ${a.nodeGroup}` : a.kind))).toEqual([
      'upgrade-cluster',
      'addon vpc-cni',
      'addon coredns',
      'addon kube-proxy',
      'addon aws-ebs-csi-driver',
      'update-iamserviceaccounts',
      'create-addons',
      'update-addons',
      'roll general-1',
      'roll worker-1',
    ]);
    // worker-1's updateConfig is EKS's default, not the config's: set before its roll.
    expect(report!.actions.filter((a) => a.kind === 'upgrade-nodegroup').map((a) => a.updateConfig)).toEqual([undefined, { to: { maxUnavailable: 1 } }]);
    expect(report!.preflight).toMatchObject({ target: '1.36', schemas: 'v1.36.3', charts: ['charts/nodejs', 'infra/charts/read-only-group'], releases: [] });
    expect(report!.preflight!.objects).toBeGreaterThan(0);

    const text = await plan(at, { json: false });
    expect(text.stderr).toContain('Upgrade: Kubernetes 1.35 → 1.36 (control plane 1.35 → 1.36, then the add-ons, then each node group)');
    expect(text.stderr).toMatch(/kube-proxy\s+v1\.35\.2-eksbuild\.4\s+v1\.36\.0-eksbuild\.14\s+update/);
    expect(text.stderr).toMatch(/worker-1\s+1\.35 → 1\.36\s+maxUnavailable 1\s+roll/);
    expect(text.stderr).toContain('1. upgrade the control plane of biomage-staging: Kubernetes 1.35 → 1.36');
    expect(text.stderr).toContain('eksctl upgrade cluster --config-file <rendered ClusterConfig> --approve');
    expect(text.stderr).toContain(`eksctl upgrade nodegroup --cluster biomage-staging --region ${at.region} --name worker-1 --kubernetes-version 1.36 --wait`);
    expect(text.stderr).toMatch(/Pre-flight for Kubernetes 1\.36: 2 chart\(s\) and 0 release\(s\) of releases\/staging\/ rendered; \d+ object\(s\) valid against the v1\.36\.3 schemas\./);
    // plan changed nothing.
    expect(await versions(at)).toEqual({ controlPlane: '1.35', addons: ADDONS_135.map((a) => a.version), nodeGroups: ['1.35', '1.35'] });
  });

  it('two minor versions at once are refused (exit 2), naming the version skipped; nothing changed', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { version: '1.34', nodeGroups: [general!, worker!] });
    const fake = recordingFakeEksctl();
    const root = join(BAD, 'cluster-upgrade-skips-minor');
    const { error } = await deploy(at, fake, { root });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe('1.34 -> 1.36 skips 1.35: EKS upgrades the control plane one minor version at a time; upgrade to 1.35 first');
    expect(error?.where).toBe(`infra/cluster.yaml:${lineOf(join(root, 'infra', 'cluster.yaml'), 'version: "1.36"')}`);
    golden('cluster-upgrade-skips-minor', error);
    expect(fake.calls()).toEqual([]);
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).version).toBe('1.34');
  });

  it('a lower version than the cluster runs is refused (exit 2): EKS cannot downgrade', async () => {
    const at = freshTarget();
    await seedCluster(at);
    const { code, error } = await plan(at, { root: join(BAD, 'cluster-upgrade-downgrade') });
    expect(code).toBe(2);
    expect(error?.message).toBe('infra/cluster.yaml pins Kubernetes 1.35, lower than the 1.36 cluster biomage-staging runs: EKS cannot downgrade a cluster');
    golden('cluster-upgrade-downgrade', error);
  });

  it('an add-on pin EKS does not list as compatible with the target is refused (exit 2) at its line, with the compatible versions', async () => {
    const at = freshTarget();
    await seedCluster(at, cluster135());
    const root = join(BAD, 'cluster-upgrade-addon-incompatible');
    const fake = recordingFakeEksctl();
    const { error } = await deploy(at, fake, { root });
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe('add-on kube-proxy is pinned to v1.35.2-eksbuild.4, which EKS does not list as compatible with Kubernetes 1.36');
    expect(error?.where).toBe(`infra/cluster.yaml:${lineOf(join(root, 'infra', 'cluster.yaml'), 'version: v1.35.2-eksbuild.4')}`);
    expect(error?.hint).toBe(
      'pin one of the versions compatible with 1.36: v1.36.0-eksbuild.14 (`eksctl utils describe-addon-versions --kubernetes-version 1.36 --name kube-proxy`). Nothing was changed',
    );
    golden('cluster-upgrade-addon-incompatible', error);
    expect(fake.calls()).toEqual([]);
    expect((await versions(at)).controlPlane).toBe('1.35');
  });

  it('pre-flight: a chart with an API 1.36 no longer serves (policy/v1beta1 PodDisruptionBudget) stops the run (exit 2) at the template line of its apiVersion', async () => {
    const at = freshTarget();
    await seedCluster(at, cluster135());
    const root = repositoryCopy(undefined, join(FIXTURES, 'upgrade-removed-api', 'chart'));
    const fake = recordingFakeEksctl();
    const { error } = await deploy(at, fake, { root });
    expect(error?.exitCode).toBe(2);
    expect(error?.where).toBe('charts/batch-jobs/templates/pdb.yaml:3');
    expect(error?.message).toBe(
      'the pre-flight for Kubernetes 1.36 found a problem: charts/batch-jobs/templates/pdb.yaml:3: PodDisruptionBudget batch-jobs: Kubernetes 1.36 does not serve policy/v1beta1; it serves PodDisruptionBudget as policy/v1',
    );
    expect(fake.calls()).toEqual([]);
    expect((await versions(at)).controlPlane).toBe('1.35');
  });

  it('pre-flight: a release whose values render a removed API stops the run (exit 2) at the release file', async () => {
    const at = freshTarget();
    await seedCluster(at, cluster135());
    const root = repositoryCopy(undefined, join(FIXTURES, 'upgrade-removed-api', 'release'));
    const { code, error } = await plan(at, { root });
    expect(code).toBe(2);
    const values = lineOf(join(root, 'releases', 'staging', 'batch-jobs.yaml'), 'values:');
    expect(error?.where).toBe(`releases/staging/batch-jobs.yaml:${values}`);
    expect(error?.message).toContain(
      `releases/staging/batch-jobs.yaml:${values}: PodDisruptionBudget batch-staging-batch-jobs: Kubernetes 1.36 does not serve policy/v1beta1; it serves PodDisruptionBudget as policy/v1 (rendered from charts/batch-jobs/templates/pdb.yaml:3 with this release's values)`,
    );
  });

  it('pre-flight: schemas built for another Kubernetes version cannot judge the upgrade (exit 2, run make tools)', async () => {
    const at = freshTarget();
    await seedCluster(at, cluster135());
    const fake = recordingFakeEksctl();
    // The fake toolchain's schemas, stamped as built from 1.35 (what a skipped `make tools` leaves).
    const schemas = join(fake.env().BIOMAGE_TOOLS_DIR!, 'schemas');
    const real = readlinkSync(schemas);
    unlinkSync(schemas);
    mkdirSync(schemas);
    for (const entry of readdirSync(real)) if (entry !== '.installed-from') symlinkSync(join(real, entry), join(schemas, entry));
    writeFileSync(join(schemas, '.installed-from'), readFileSync(join(real, '.installed-from'), 'utf8').replace(/kubernetes=v[\d.]+/, 'kubernetes=v1.35.2'));
    const { error } = await deploy(at, fake);
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe('the installed Kubernetes schemas are for v1.35.2 (.tools/schemas), not 1.36: the pre-flight cannot judge the charts for 1.36; run make tools');
    expect(fake.calls()).toEqual([]);
  });

  it('pre-flight: a config version ahead of tools/versions.env\'s KUBERNETES_VERSION is refused (exit 2): bump them together', async () => {
    const at = freshTarget();
    await seedCluster(at);
    const root = repositoryCopy((t) => t.replace('version: "1.36"', 'version: "1.37"'));
    const { code, error } = await plan(at, { root });
    expect(code).toBe(2);
    expect(error?.message).toBe(
      'the toolchain targets Kubernetes 1.36 (tools/versions.env KUBERNETES_VERSION) but infra/cluster.yaml upgrades to 1.37: the pre-flight would judge the charts for the wrong version',
    );
    expect(error?.hint).toBe(
      "set KUBERNETES_VERSION=1.37 and KUBERNETES_RELEASE=v1.37.<patch> in tools/versions.env (beside infra/cluster.yaml's version), then run make tools. Nothing was changed",
    );
  });

  it('production asks first: without --yes and without a terminal the upgrade is refused after the plan (exit 2), nothing changed', async () => {
    const at = freshTarget();
    await seedCluster(at, { ...cluster135(), name: 'biomage-production', nodeGroups: [] });
    const fake = recordingFakeEksctl();
    const c = testContext('deploy-infra', { env: 'production', region: at.region }, { ...fake.env(), KUBECONFIG: NO_KUBECONFIG });
    const error = await deployInfraCommand(c.ctx, { action: 'deploy-and-configure', target: at }).then(
      () => undefined,
      (e: unknown) => e as BiomageError,
    );
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toBe('deploy-infra of biomage-production changes production and was not confirmed');
    expect(c.stderr()).toContain('upgrade the control plane of biomage-production: Kubernetes 1.35 → 1.36');
    expect(fake.calls()).toEqual([]);
    const eks = awsClient(EKSClient, at);
    expect((await eks.send(new DescribeClusterCommand({ name: 'biomage-production' }))).cluster?.version).toBe('1.35');
    eks.destroy();
  });

  it('the upgrade policy of infra/cluster.yaml (STANDARD) is set through EKS on a cluster that has EXTENDED, which eksctl cannot change', async () => {
    const at = freshTarget();
    await seedCluster(at, { supportType: 'EXTENDED' });
    const fake = recordingFakeEksctl();
    const { error, stderr } = await deploy(at, fake);
    expect(stderr).toContain('[1/4] set the upgrade policy of biomage-staging to STANDARD support (now EXTENDED)');
    expect(error?.message).toMatch(/^the cluster steps completed \(4 of 4 ran\), then the configure phase failed/);
    const eks = awsClient(EKSClient, at);
    expect((await eks.send(new DescribeClusterCommand({ name: 'biomage-staging' }))).cluster?.upgradePolicy?.supportType).toBe('STANDARD');
    // The fake `eksctl create addon` installed the pinned add-ons the cluster lacked, as eksctl would.
    expect((await eks.send(new ListAddonsCommand({ clusterName: 'biomage-staging' }))).addons).toEqual(['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni']);
    eks.destroy();
  });

  it('deploy-infra upgrades in order; a failure at a node group exits 1 naming the step, and the rerun resumes with the finished steps unchanged', async () => {
    const at = freshTarget();
    await seedCluster(at, cluster135());

    const failing = recordingFakeEksctl({ fail: 'upgrade nodegroup worker-1' });
    const first = await deploy(at, failing);
    expect(first.error).toBeInstanceOf(OperationError);
    expect(first.error?.exitCode).toBe(1);
    expect(first.error?.message).toMatch(/^step 10 of 10 failed \(roll node group worker-1: Kubernetes 1\.35 → 1\.36, maxUnavailable 1 at a time \(set first: EKS has EKS default \(1 node\)\)\): eksctl exited with code 1:/);
    expect(first.error?.where).toBe(
      `EKS UpdateNodegroupConfig worker-1 (updateConfig maxUnavailable 1), then eksctl upgrade nodegroup --cluster biomage-staging --region ${at.region} --name worker-1 --kubernetes-version 1.36 --wait`,
    );
    expect(first.error?.hint).toContain('the upgrade resumes where it stopped');
    expect(commands(failing)).toEqual([
      'upgrade cluster --approve',
      'update iamserviceaccount --approve',
      'create addon',
      'update addon',
      `upgrade nodegroup --cluster biomage-staging --region ${at.region} --name general-1 --kubernetes-version 1.36 --wait`,
      `upgrade nodegroup --cluster biomage-staging --region ${at.region} --name worker-1 --kubernetes-version 1.36 --wait`,
    ]);
    // Through EKS: everything before the failed step stands.
    expect(await versions(at)).toEqual({
      controlPlane: '1.36',
      addons: ['v1.22.3-eksbuild.1', 'v1.14.3-eksbuild.3', 'v1.36.0-eksbuild.14', 'v1.66.0-eksbuild.1'],
      nodeGroups: ['1.36', '1.35'],
    });
    expect((await describeNodeGroup(at, 'biomage-staging', 'worker-1')).updateConfig).toEqual({ maxUnavailable: 1 });

    const rerun = recordingFakeEksctl();
    const c = testContext('deploy-infra', { env: 'staging', region: at.region, yes: true, json: true }, { ...rerun.env(), KUBECONFIG: NO_KUBECONFIG });
    const second = await deployInfraCommand(c.ctx, { action: 'deploy-and-configure', target: at }).catch((e: unknown) => e as BiomageError);
    // The cluster phase finished; configure stops at the missing kubeconfig context, as everywhere in these tests.
    expect((second as BiomageError).message).toMatch(/^the cluster steps completed \(4 of 4 ran, 6 unchanged\), then the configure phase failed/);
    expect(commands(rerun)).toEqual([
      'update iamserviceaccount --approve',
      'create addon',
      'update addon',
      `upgrade nodegroup --cluster biomage-staging --region ${at.region} --name worker-1 --kubernetes-version 1.36 --wait`,
    ]);
    expect(c.stderr()).toMatch(/control plane of biomage-staging at Kubernetes 1\.36\s+unchanged/);
    expect(c.stderr()).toMatch(/node group general-1 at Kubernetes 1\.36\s+unchanged/);
    expect(c.stderr()).toMatch(/roll node group worker-1: Kubernetes 1\.35 → 1\.36, maxUnavailable 1 at a time\s+done/);
    expect((await versions(at)).nodeGroups).toEqual(['1.36', '1.36']);

    // And once more: no upgrade left.
    const settled = await plan(at);
    expect(settled.report!.upgrade).toBeUndefined();
  });
});

describe('the standard-support warning (a recorded catalogue where 1.35\'s standard support ends on 2027-01-20)', () => {
  const { target } = useEmulator({ env: { BIOMAGE_EKS_CATALOGUE: join(FIXTURES, 'eks-catalogue', 'standard-support-ending.json') } });

  it('plan warns when the running version leaves standard support within 90 days', async () => {
    const at = { ...target(), region: 'eu-west-1' };
    await seedCluster(at, cluster135());
    const fake = recordingFakeEksctl();
    const c = testContext('plan', { env: 'staging', region: at.region, json: true }, fake.env());
    expect(await planCommand(c.ctx, { target: at, now: new Date('2026-12-07T12:00:00Z') })).toBe(0);
    const report = (JSON.parse(c.stdout()) as { result: PlanReport }).result;
    expect(report.warnings).toEqual([
      'Kubernetes 1.35, which biomage-staging runs, leaves EKS standard support on 2027-01-20 (in 44 days): EKS then bills the cluster for extended support (extended support lasts until 2028-01-20), or, under the STANDARD upgrade policy, upgrades the control plane itself; plan the upgrade (docs/runbooks/cluster.md, "Upgrading Kubernetes")',
    ]);
    const later = testContext('plan', { env: 'staging', region: at.region, json: true }, fake.env());
    await planCommand(later.ctx, { target: at, now: new Date('2026-09-01T12:00:00Z') });
    expect((JSON.parse(later.stdout()) as { result: PlanReport }).result.warnings).toEqual([]);
  });
});

