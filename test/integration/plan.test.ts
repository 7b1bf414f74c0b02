import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeClusterVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { pinned } from '../../src/tools/versions.js';
import type { PlanReport } from '../../src/cluster/deploy.js';
import { planCommand } from '../../src/commands/plan.js';
import { checkClusterSchema, loadClusterSource } from '../../src/cluster/source.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { testContext } from '../helpers/context.js';
import { addNodeGroup, describeNodeGroup, seedCluster, stagingNodeGroups } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';
import { recordingFakeEksctl } from '../helpers/fake-eksctl.js';

/**
 * `biomage plan` against the emulator: the create-or-update decision from EKS, the node-group
 * guard against live node groups (EKS DescribeNodegroup, launch templates, eksctl's stacks), and
 * the real eksctl validating the rendered config (`create cluster --dry-run`, offline against the
 * emulator). The environment fixes the cluster's name, so each test works in a region of its own.
 */
describe('biomage plan against the emulator', () => {
  const { target } = useEmulator();
  const REGIONS = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1', 'sa-east-1'];
  let used = 0;
  /** A region of its own per test: the environment fixes the cluster's name. */
  const freshTarget = () => {
    const region = REGIONS[used++];
    if (!region) throw new Error('add regions to REGIONS: one per test');
    return { ...target(), region };
  };

  async function plan(at: ReturnType<typeof freshTarget>, options: { env?: string; root?: string } = {}) {
    // The recording fake stands in for eksctl; plan only hands it `--dry-run`, which it passes to the real one.
    const fake = recordingFakeEksctl();
    const c = testContext('plan', { env: options.env ?? 'staging', region: at.region, json: true }, fake.env());
    const code = await planCommand(c.ctx, { target: at, root: options.root });
    const report = (JSON.parse(c.stdout()) as { result: PlanReport }).result;
    expect(fake.calls(), 'plan runs no eksctl command but the dry run').toEqual([]);
    return { code, report, stderr: c.stderr() };
  }

  it('decides to create when EKS has no cluster, and the real eksctl accepts the rendered config', async () => {
    const at = freshTarget();
    const { code, report } = await plan(at);
    expect(report.live).toEqual({ exists: false });
    // eksctl cannot set the upgrade policy (its ClusterConfig has no field for it): EKS is asked after it.
    expect(report.actions.map((a) => (a.kind === 'eksctl' ? a.operation : a.kind))).toEqual(['create-cluster', 'upgrade-policy']);
    expect(report.eksctl).toEqual({ valid: true });
    expect(report.nodeGroups.map((g) => [g.name, g.state])).toEqual([
      ['general-1', 'new'],
      ['worker-1', 'new'],
    ]);
    expect(report.config).toMatchObject({ metadata: { name: 'biomage-staging', region: at.region, version: '1.36' } });
    expect(code).toBe(0);
  });

  it('decides to update an existing cluster that matches the config: only the reconcile steps, no node group change', async () => {
    const at = freshTarget();
    await seedCluster(at);
    const { code, report } = await plan(at);
    expect(report.live).toMatchObject({ exists: true, status: 'ACTIVE', version: '1.36', supportType: 'STANDARD' });
    expect(report.nodeGroups.map((g) => [g.name, g.state, g.notCompared])).toEqual([
      ['general-1', 'unchanged', []],
      ['worker-1', 'unchanged', []],
    ]);
    expect(report.violations).toEqual([]);
    expect(report.actions.map((a) => (a.kind === 'eksctl' ? a.operation : a.kind))).toEqual(['update-iamserviceaccounts', 'create-addons', 'update-addons']);
    expect(report.warnings).toEqual([]);
    expect(code).toBe(0);
  });

  it('production gets its own sizes from cluster-environments.yaml', async () => {
    const at = freshTarget();
    const { report } = await plan(at, { env: 'production' });
    const groups = (report.config.managedNodeGroups as Record<string, unknown>[]).map((g) => [g.name, g.instanceType, g.minSize, g.desiredCapacity, g.maxSize]);
    expect(groups).toEqual([
      ['general-1', 'm6i.xlarge', 2, 3, 6],
      ['worker-1', 'r6i.2xlarge', 2, 2, 10],
    ]);
    expect(report.config.metadata).toMatchObject({ name: 'biomage-production' });
    expect(report.eksctl).toEqual({ valid: true });
  });

  it.each(['staging', 'production'] as const)('the ClusterConfig rendered for %s matches eksctl\'s schema (`eksctl utils schema`, checked by kubeconform)', async (env) => {
    const source = loadClusterSource(repoRoot, env, 'eu-west-1');
    await expect(checkClusterSchema(source, process.env)).resolves.toBeUndefined();
  });

  it('the emulator answers DescribeClusterVersions (what eksctl asks first) from its recorded catalogue, with the pinned version as the default', async () => {
    const eks = awsClient(EKSClient, target());
    const { clusterVersions = [] } = await eks.send(new DescribeClusterVersionsCommand({}));
    eks.destroy();
    expect(clusterVersions.filter((v) => v.defaultVersion).map((v) => v.clusterVersion)).toEqual([pinned('KUBERNETES_VERSION')]);
    expect(clusterVersions.map((v) => v.clusterVersion)).toEqual(['1.33', '1.34', '1.35', '1.36']);
  });

  it('the guard stops on a changed instance type under an unchanged name (exit 2), naming both values', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [general!, { ...worker!, instanceTypes: ['r6i.large'] }] });
    const { code, report } = await plan(at);
    expect(report.violations).toEqual([
      { name: 'worker-1', state: 'changed', changes: [{ property: 'instanceTypes', live: 'r6i.large', desired: 'r6i.xlarge' }], notCompared: [] },
    ]);
    expect(code).toBe(2);
  });

  it('the guard stops on a changed label', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [{ ...general!, labels: { ...general!.labels, 'biomage.net/pool': 'default' } }, worker!] });
    const { code, report } = await plan(at);
    expect(report.violations.map((v) => [v.name, v.changes])).toEqual([
      [
        'general-1',
        [
          {
            property: 'labels',
            live: 'alpha.eksctl.io/cluster-name=biomage-staging, alpha.eksctl.io/nodegroup-name=general-1, biomage.net/pool=default',
            desired: 'alpha.eksctl.io/cluster-name=biomage-staging, alpha.eksctl.io/nodegroup-name=general-1, biomage.net/pool=general',
          },
        ],
      ],
    ]);
    expect(code).toBe(2);
  });

  it('the guard reads the disk from the launch template, and compares taints and subnets', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, {
      nodeGroups: [
        { ...general!, diskSize: 20, subnets: ['subnet-0b0000000000000b1'] },
        { ...worker!, taints: [{ key: 'biomage.net/pool', value: 'worker', effect: 'NO_EXECUTE' }] },
      ],
    });
    const { report } = await plan(at);
    expect(report.violations.map((v) => [v.name, v.changes.map((c) => `${c.property}: ${c.live} → ${c.desired}`)])).toEqual([
      ['general-1', ['diskSize: 20 GiB → 50 GiB', 'subnets: subnet-0b0000000000000b1 → subnet-0a0000000000000a1, subnet-0a0000000000000a2, subnet-0a0000000000000a3']],
      ['worker-1', ['taints: biomage.net/pool=worker:NoExecute → biomage.net/pool=worker:NoSchedule']],
    ]);
  });

  it('a pure scaling change is allowed: planned in place, nothing else', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [{ ...general!, scaling: { minSize: 1, desiredSize: 1, maxSize: 2 } }, worker!] });
    const { code, report } = await plan(at);
    expect(report.violations).toEqual([]);
    const general1 = report.nodeGroups.find((g) => g.name === 'general-1')!;
    expect(general1.state).toBe('scaling');
    expect(general1.scaling).toEqual({ from: { minSize: 1, desiredSize: 1, maxSize: 2 }, to: { minSize: 1, desiredSize: 2, maxSize: 3 } });
    expect(report.actions.filter((a) => a.kind === 'scale')).toEqual([
      {
        kind: 'scale',
        nodeGroup: 'general-1',
        from: { minSize: 1, desiredSize: 1, maxSize: 2 },
        to: { minSize: 1, desiredSize: 2, maxSize: 3 },
        description: 'set the node counts of general-1: minSize 1, desiredSize 1 → 2, maxSize 2 → 3',
      },
    ]);
    expect(code).toBe(0);
    // plan changes nothing.
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).scalingConfig).toEqual({ minSize: 1, desiredSize: 1, maxSize: 2 });
  });

  it('a renamed node group is a new one plus a removed one; missing OIDC, logging and IRSA are planned too', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [general!], oidcProvider: false, logging: false, iamServiceAccounts: ['default-old-tool'] });
    await addNodeGroup(at, 'biomage-staging', { ...worker!, name: 'worker-0', instanceTypes: ['r5.xlarge'] });
    const { code, report } = await plan(at);
    expect(report.nodeGroups.map((g) => [g.name, g.state])).toEqual([
      ['general-1', 'unchanged'],
      ['worker-1', 'new'],
      ['worker-0', 'removed'],
    ]);
    expect(report.actions.map((a) => (a.kind === 'eksctl' ? a.operation : a.kind))).toEqual([
      'associate-oidc-provider',
      'update-cluster-logging',
      'create-iamserviceaccounts',
      'delete-iamserviceaccounts',
      'create-addons',
      'update-addons',
      'create-nodegroups',
      'delete-nodegroups',
    ]);
    expect(report.actions.find((a) => a.kind === 'eksctl' && a.operation === 'delete-iamserviceaccounts')?.description).toContain('default-old-tool');
    expect(code).toBe(0);
  });

  it('reports what eksctl rejects (exit 2), from the real eksctl', async () => {
    const at = freshTarget();
    const root = mkdtempSync(join(tmpdir(), 'biomage-plan-'));
    cpSync(join(repoRoot, 'infra'), join(root, 'infra'), { recursive: true });
    const file = join(root, 'infra', 'cluster.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: "1.36"', 'version: "1.20"'));
    const { code, report } = await plan(at, { root });
    expect(report.eksctl.valid).toBe(false);
    expect(report.eksctl.reason).toMatch(/^resolving cluster version: invalid version, 1\.20 is no longer supported, supported values: 1\.33, 1\.34, 1\.35, 1\.36/);
    expect(code).toBe(2);
  });

  it('renders the plan for people', async () => {
    const at = freshTarget();
    const [general, worker] = stagingNodeGroups();
    await seedCluster(at, { nodeGroups: [general!, { ...worker!, instanceTypes: ['r6i.large'] }] });
    const fake = recordingFakeEksctl();
    const c = testContext('plan', { env: 'staging', region: at.region }, fake.env());
    expect(await planCommand(c.ctx, { target: at })).toBe(2);
    const out = c.stderr();
    expect(out).toContain('Cluster biomage-staging in ' + at.region + ': exists (ACTIVE, Kubernetes 1.36); the config pins Kubernetes 1.36');
    expect(out).toContain('The node-group guard stops this deploy');
    expect(out).toContain('instanceTypes live r6i.large   config r6i.xlarge');
    expect(out).toContain('fix: give the node group a new name (worker-1 → worker-2); the old one is drained and deleted');
    expect(out).toContain('deploy-infra would refuse to run (exit 2); nothing was changed.');
  });
});
