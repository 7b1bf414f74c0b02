import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reconcileAccess, reconcileAwsAuth, type AwsAuthStore, type StoredAwsAuth } from '../../../src/access/reconcile.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { InputError, OperationError } from '../../../src/ui/errors.js';
import { desired, knownNames } from './known-names.js';

const NODES = { mapRoles: '- rolearn: arn:aws:iam::123456789012:role/nodes\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n  - system:nodes\n' };
const ALICE = desired('user', 'arn:aws:iam::123456789012:user/alice', 'admins');
const BOB = desired('user', 'arn:aws:iam::123456789012:user/bob', 'users');

/**
 * The ConfigMap held in memory with the API server's rules for it: a write with a stale
 * resourceVersion, or a create of an existing one, loses (409). `interfere` plays another writer
 * changing it between biomage's read and write, as many times as asked.
 */
function memoryStore(initial?: Record<string, string>, interfere = 0, change = (data: Record<string, string>) => data) {
  let object = initial && { data: initial, resourceVersion: '1' };
  let version = 1;
  const log: string[] = [];
  const otherWriter = () => {
    if (interfere-- <= 0) return;
    object = { data: change({ ...(object?.data ?? {}) }), resourceVersion: String(++version) };
    log.push('other writer');
  };
  const store: AwsAuthStore = {
    async read() {
      log.push('read');
      return object && { ...object, data: { ...object.data } };
    },
    async create(data) {
      otherWriter();
      if (object) {
        log.push('create: 409');
        return false;
      }
      object = { data, resourceVersion: String(++version) };
      log.push('create');
      return true;
    },
    async replace(current: StoredAwsAuth, data) {
      otherWriter();
      if (object?.resourceVersion !== current.resourceVersion) {
        log.push('replace: 409');
        return false;
      }
      object = { data, resourceVersion: String(++version) };
      log.push('replace');
      return true;
    },
  };
  return { store, log, data: () => object?.data };
}

describe('reconcileAwsAuth', () => {
  it('replaces the ConfigMap with the version it read, and a second run writes nothing', async () => {
    const cluster = memoryStore(NODES);
    const first = await reconcileAwsAuth(cluster.store, [ALICE, BOB], false);
    expect(first).toMatchObject({ action: 'updated', attempts: 1 });
    expect(first.plan.add).toHaveLength(2);
    expect(cluster.data()).toEqual(first.data);
    const second = await reconcileAwsAuth(cluster.store, [ALICE, BOB], false);
    expect(second).toMatchObject({ action: 'unchanged', attempts: 1, data: first.data });
    expect(cluster.log).toEqual(['read', 'replace', 'read']);
  });

  it('creates the ConfigMap when the cluster has none, and creates nothing for empty lists', async () => {
    const empty = memoryStore();
    expect(await reconcileAwsAuth(empty.store, [], false)).toMatchObject({ action: 'unchanged' });
    expect(empty.data()).toBeUndefined();
    const created = await reconcileAwsAuth(empty.store, [ALICE], false);
    expect(created.action).toBe('created');
    expect(parse(empty.data()!.mapUsers!)).toEqual([{ userarn: ALICE.arn, username: 'biomage-admin:alice', groups: ['system:masters'] }]);
  });

  it('--dry-run reads and plans, and writes nothing', async () => {
    const cluster = memoryStore(NODES);
    const result = await reconcileAwsAuth(cluster.store, [ALICE], true);
    expect(result.action).toBe('would-update');
    expect(result.plan.add.map((e) => e.arn)).toEqual([ALICE.arn]);
    expect(cluster.data()).toEqual(NODES);
    expect(cluster.log).toEqual(['read']);
    expect((await reconcileAwsAuth(memoryStore().store, [ALICE], true)).action).toBe('would-create');
  });

  it('after a lost race, re-reads and plans over the other writer’s change instead of overwriting it', async () => {
    // eksctl adds a node group's role between biomage's read and its write.
    const addNodeRole = (data: Record<string, string>) => ({ ...data, mapRoles: `${data.mapRoles}- rolearn: arn:aws:iam::123456789012:role/nodes-2\n  groups:\n  - system:nodes\n` });
    const cluster = memoryStore(NODES, 1, addNodeRole);
    const result = await reconcileAwsAuth(cluster.store, [ALICE], false);
    expect(result).toMatchObject({ action: 'updated', attempts: 2 });
    expect(cluster.log).toEqual(['read', 'other writer', 'replace: 409', 'read', 'replace']);
    expect(parse(cluster.data()!.mapRoles!).map((e: { rolearn: string }) => e.rolearn)).toEqual([
      'arn:aws:iam::123456789012:role/nodes',
      'arn:aws:iam::123456789012:role/nodes-2',
    ]);
  });

  it('a create that loses to another creator re-reads and replaces', async () => {
    const cluster = memoryStore(undefined, 1, () => NODES);
    const result = await reconcileAwsAuth(cluster.store, [ALICE], false);
    expect(result).toMatchObject({ action: 'updated', attempts: 2 });
    expect(cluster.log).toEqual(['read', 'other writer', 'create: 409', 'read', 'replace']);
    expect(result.plan.keep.map((e) => e.arn)).toEqual(['arn:aws:iam::123456789012:role/nodes']);
  });

  it('gives up after three retries with an OperationError, having written nothing', async () => {
    const cluster = memoryStore(NODES, 10, (data) => ({ ...data, touched: String(Math.random()) }));
    const error = await reconcileAwsAuth(cluster.store, [ALICE], false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect(error).toMatchObject({
      message: 'configmap kube-system/aws-auth changed while biomage was writing it, 4 times in a row: nothing was written',
      where: 'configmap kube-system/aws-auth',
      exitCode: 1,
    });
    expect(cluster.log.filter((l) => l === 'read')).toHaveLength(4);
    expect(cluster.log.filter((l) => l === 'replace')).toEqual([]);
  });
});

describe('reconcileAccess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-access-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a kubeconfig that does not exist is an InputError, after the lists were read', async () => {
    const error = await reconcileAccess({ kubeconfigFile: join(dir, 'missing'), root: repoRoot, resolve: knownNames(), dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ message: `the kubeconfig ${join(dir, 'missing')} does not exist`, hint: 'write it with biomage kubeconfig --env <env>' });
  });

  it('a context the kubeconfig does not have is an InputError', async () => {
    const file = join(dir, 'config');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: biomage-staging, context: {cluster: c, user: u}}]\ncurrent-context: biomage-staging\n',
    );
    const error = await reconcileAccess({ kubeconfigFile: file, context: 'biomage-production', root: repoRoot, resolve: knownNames(), dryRun: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ message: 'the kubeconfig has no context biomage-production', where: file });
  });

  it('bad lists fail before the cluster is contacted', async () => {
    const root = join(repoRoot, 'test', 'fixtures', 'access', 'unknown-name');
    const error = await reconcileAccess({ kubeconfigFile: join(dir, 'missing'), root, resolve: knownNames(), dryRun: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'no IAM user or role is named bob', where: 'infra/cluster_users:4' });
  });
});
