import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileAccess } from '../../src/access/reconcile.js';
import { canI } from '../../src/tools/kubectl.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

const ACCOUNT = '123456789012';
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/eksctl-biomage-staging-NodeInstanceRole-ABC`;
const arn = (type: 'user' | 'role', name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;

/** Names in the lists resolve without IAM here: every bare name is a user of the test account. */
const resolve = async (name: string) => ({ arn: arn('user', name), type: 'user' as const });

/**
 * Access on a real API server: the aws-auth reconcile of infra/cluster_admins and
 * infra/cluster_users, and the RBAC of infra/charts/read-only-group installed by configure,
 * checked as the API server authorizes (`kubectl auth can-i --as`).
 */
describe('cluster access on the local cluster', () => {
  let cluster: LocalCluster;
  let root: string;
  const core = () => cluster.kc.makeApiClient(CoreV1Api);
  const awsAuth = async () => {
    const cm = await core().readNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth' });
    return { roles: parse(cm.data?.mapRoles ?? '[]') as Record<string, unknown>[], users: parse(cm.data?.mapUsers ?? '[]') as Record<string, unknown>[] };
  };
  const lists = (admins: string[], users: string[]) => {
    writeFileSync(join(root, 'infra/cluster_admins'), `# admins\n${admins.join('\n')}\n`);
    writeFileSync(join(root, 'infra/cluster_users'), `# users\n${users.join('\n')}\n`);
  };
  const apply = () => reconcileAccess({ kubeconfigFile: cluster.record.kubeconfig, root, resolve, dryRun: false });

  beforeAll(async () => {
    cluster = await startLocalCluster();
    root = mkdtempSync(join(tmpdir(), 'biomage-access-'));
    mkdirSync(join(root, 'infra'));
    // The node group's mapping, as eksctl writes it when it creates a cluster.
    await core().createNamespacedConfigMap({
      namespace: 'kube-system',
      body: {
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data: { mapRoles: `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n` },
      },
    });
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (cluster as LocalCluster | undefined)?.down();
    rmSync(root, { recursive: true, force: true });
  });

  it('adds the listed admins and users, and leaves the node role mapping as eksctl wrote it', async () => {
    lists(['alice', arn('role', 'ops/Platform')], ['bob', arn('user', 'carol')]);
    const result = await apply();
    expect(result.action).toBe('updated');
    const { roles, users } = await awsAuth();
    expect(roles).toEqual([
      { groups: ['system:bootstrappers', 'system:nodes'], rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}' },
      // aws-auth matches roles without their path: the path is dropped.
      { groups: ['system:masters'], rolearn: arn('role', 'Platform'), username: 'biomage-admin:Platform' },
    ]);
    expect(users).toEqual([
      { groups: ['system:masters'], userarn: arn('user', 'alice'), username: 'biomage-admin:alice' },
      { groups: ['read-only'], userarn: arn('user', 'bob'), username: 'biomage-user:bob' },
      { groups: ['read-only'], userarn: arn('user', 'carol'), username: 'biomage-user:carol' },
    ]);
  });

  it('removes a user taken off the list, keeps the rest, and a second run changes nothing', async () => {
    lists(['alice', arn('role', 'ops/Platform')], ['bob']);
    expect((await apply()).action).toBe('updated');
    const { roles, users } = await awsAuth();
    expect(roles.map((r) => r.rolearn)).toEqual([NODE_ROLE, arn('role', 'Platform')]);
    expect(users.map((u) => u.userarn)).toEqual([arn('user', 'alice'), arn('user', 'bob')]);
    const before = (await core().readNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth' })).metadata?.resourceVersion;
    expect((await apply()).action).toBe('unchanged');
    expect((await core().readNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth' })).metadata?.resourceVersion).toBe(before);
  });

  it('biomage access plan through the CLI reads the live map and changes nothing', async () => {
    const before = (await core().readNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth' })).metadata?.resourceVersion;
    // The repository's own lists are empty: against this map, the plan removes biomage's three entries.
    const run = await cluster.cli(['access', 'plan', '--env', 'development', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const plan = (JSON.parse(run.stdout) as { result: { result: { action: string; plan: { remove: unknown[]; keep: unknown[] } } } }).result.result;
    expect(plan.action).toBe('would-update');
    expect(plan.plan.remove).toHaveLength(3);
    expect(plan.plan.keep).toHaveLength(1);
    expect((await core().readNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth' })).metadata?.resourceVersion).toBe(before);
  });

  it('the read-only group can list and read pods but cannot delete them or read secrets; system:masters can', async () => {
    const run = await cluster.cli(['configure', '--env', 'development']);
    expect(run.code, run.stderr).toBe(0);
    // Installed by helm as release read-only-group.
    const rbac = cluster.kc.makeApiClient(RbacAuthorizationV1Api);
    const role = await rbac.readClusterRole({ name: 'biomage-read-only' });
    expect(role.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
    // Admins are system:masters through aws-auth: the chart binds nothing to them.
    const bindings = await rbac.listClusterRoleBinding({ labelSelector: 'app.kubernetes.io/instance=read-only-group' });
    expect(bindings.items.map((b) => [b.metadata?.name, b.subjects?.map((s) => s.name)])).toEqual([['biomage-read-only', ['read-only']]]);

    const kubeconfig = cluster.record.kubeconfig;
    const reader = { as: 'biomage-user:bob', groups: ['read-only'] };
    const admin = { as: 'biomage-admin:alice', groups: ['system:masters'] };
    const ask = (who: typeof reader, verb: string, resource: string) => canI(kubeconfig, { verb, resource, namespace: 'ui', ...who }, cluster.env);
    expect(await ask(reader, 'list', 'pods')).toBe(true);
    expect(await ask(reader, 'get', 'pods/log')).toBe(true);
    expect(await ask(reader, 'list', 'helmreleases.helm.toolkit.fluxcd.io')).toBe(true);
    expect(await ask(reader, 'delete', 'pods')).toBe(false);
    expect(await ask(reader, 'create', 'pods/exec')).toBe(false);
    expect(await ask(reader, 'get', 'secrets')).toBe(false);
    expect(await ask(reader, 'patch', 'deployments.apps')).toBe(false);
    expect(await ask(admin, 'delete', 'pods')).toBe(true);
    expect(await ask(admin, 'get', 'secrets')).toBe(true);
    // Nobody else gets anything from these bindings.
    expect(await ask({ as: 'mallory', groups: [] }, 'list', 'pods')).toBe(false);
  });
});
