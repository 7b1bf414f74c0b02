import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAccess } from '../../src/cluster/access.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

/**
 * The access check of `biomage kubeconfig` (issue 7) against a real API server: the nodes when
 * allowed, 401 for credentials the server does not know, 403 for an identity without rights.
 */
describe('the kubeconfig access check on a real API server', () => {
  let cluster: LocalCluster;
  let scratch: string;
  /** The local cluster's kubeconfig with its user's credentials replaced by a bearer token. */
  const withToken = (token: string) => {
    const doc = parse(readFileSync(cluster.record.kubeconfig, 'utf8')) as { users: { user: Record<string, unknown> }[] };
    for (const entry of doc.users) entry.user = { token };
    const file = join(scratch, `kubeconfig-${token.length}`);
    writeFileSync(file, stringify(doc));
    return file;
  };
  const context = () => (parse(readFileSync(cluster.record.kubeconfig, 'utf8')) as { 'current-context': string })['current-context'];

  beforeAll(async () => {
    cluster = await startLocalCluster();
    scratch = mkdtempSync(join(tmpdir(), 'biomage-e2e-access-'));
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (cluster as LocalCluster | undefined)?.down();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lists the nodes, Ready, for an identity that may', async () => {
    const result = await verifyAccess(cluster.record.kubeconfig, context());
    expect(result).toEqual({ ok: true, nodes: [expect.objectContaining({ name: 'kwok-node-0', ready: true, nodeGroup: 'local', instanceType: 'kwok' }), expect.objectContaining({ name: 'kwok-node-1', ready: true })] });
  });

  it('reports 401 Unauthorized for credentials the API server does not know', async () => {
    expect(await verifyAccess(withToken('not-a-token-the-server-issued'), context())).toEqual({ ok: false, status: 401, message: 'Unauthorized' });
  });

  it('reports 403 Forbidden for an authenticated identity without rights (a service account with no binding)', async () => {
    const core = cluster.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'nobody' } } });
    const request = await core.createNamespacedServiceAccountToken({ namespace: 'default', name: 'nobody', body: { spec: { audiences: [], expirationSeconds: 600 } } });
    expect(await verifyAccess(withToken(request.status!.token), context())).toEqual({ ok: false, status: 403, message: 'Forbidden' });
  });
});
