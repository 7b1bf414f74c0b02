import { createPrivateKey, createPublicKey } from 'node:crypto';
import { AdmissionregistrationV1Api, CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployKeyTitlePrefix, ensureDeployKey } from '../../src/configure/deploy-key.js';
import { GithubClient } from '../../src/github/client.js';
import { keyBody } from '../../src/github/ssh-key.js';
import { applyObjects, waitUntil } from '../../src/k8s/client.js';
import { faults, startFakeGithub, type FakeGithub } from '../helpers/github-server.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

const ORG = 'hms-dbmi-cellenics';
const REPO = 'iac';

/**
 * Flux's deploy key: the Secret on a real API server (the local cluster), the keys on a local
 * server that implements GitHub's deploy-key endpoints (no internet).
 */
describe('the deploy key of an environment', () => {
  let cluster: LocalCluster;
  let github: FakeGithub;
  let client: GithubClient;
  let otherEnvKey: number;
  let personKey: number;
  const ensure = (options: { rotate?: boolean; dryRun?: boolean } = {}) =>
    ensureDeployKey({ kc: cluster.kc, github: client, owner: ORG, repo: REPO, env: 'staging', rotate: options.rotate ?? false, dryRun: options.dryRun ?? false });
  const secret = async () => {
    const s = await cluster.kc.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: 'flux-system', name: 'flux-system' });
    const text = (key: string) => Buffer.from(s.data![key]!, 'base64').toString('utf8');
    return { identity: text('identity'), pub: text('identity.pub'), knownHosts: text('known_hosts'), resourceVersion: s.metadata!.resourceVersion! };
  };
  const ours = () => github.deployKeys(REPO).filter((k) => k.title.startsWith(deployKeyTitlePrefix('staging')));
  const writes = () => github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

  beforeAll(async () => {
    cluster = await startLocalCluster();
    github = await startFakeGithub({ org: ORG, repos: [{ name: REPO }] });
    client = new GithubClient({ token: github.token, baseUrl: new URL(github.url) });
    otherEnvKey = github.addDeployKey(REPO, { title: `${deployKeyTitlePrefix('production')}2026-01-01T00:00:00.000Z`, key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPRODUCTIONPRODUCTIONPRODUCTIONPRODUCTIONPR', readOnly: false });
    personKey = github.addDeployKey(REPO, { title: 'laptop of a maintainer', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILAPTOPLAPTOPLAPTOPLAPTOPLAPTOPLAPTOPLAPTOP' });
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (github as FakeGithub | undefined)?.close();
    await (cluster as LocalCluster | undefined)?.down();
  });

  it('--dry-run says a key would be created and changes nothing', async () => {
    expect(await ensure({ dryRun: true })).toEqual({ action: 'would-create', removed: [] });
    expect(writes()).toEqual([]);
  });

  it('creates an ed25519 key: registered with write access, stored as identity, identity.pub and known_hosts', async () => {
    const result = await ensure();
    expect(result.action).toBe('created');
    const [key] = ours();
    expect(key).toMatchObject({ id: result.keyId, read_only: false });
    const stored = await secret();
    // The private key in the Secret is the pair of the public key GitHub holds.
    const derived = createPublicKey(createPrivateKey(stored.identity)).export({ format: 'jwk' }).x!;
    const registered = Buffer.from(key!.key.split(' ')[1]!, 'base64').subarray(-32).toString('base64url');
    expect(derived).toBe(registered);
    expect(keyBody(stored.pub)).toBe(key!.key);
    expect(stored.knownHosts.trim().split('\n')).toEqual(github.sshHostKeys.map((k) => `github.com ${k}`));
    expect(github.deployKeys(REPO).map((k) => k.id)).toEqual([otherEnvKey, personKey, result.keyId]);
  });

  it('a second run changes nothing: no key added, none deleted, the Secret not rewritten', async () => {
    const before = await secret();
    const writesBefore = writes().length;
    expect((await ensure()).action).toBe('unchanged');
    expect(writes().length).toBe(writesBefore);
    expect((await secret()).resourceVersion).toBe(before.resourceVersion);
  });

  it('rotation adds the new key before deleting the old one, and leaves other environments\' and people\'s keys alone', async () => {
    const old = ours()[0]!.id;
    const writesBefore = writes().length;
    const result = await ensure({ rotate: true });
    expect(result).toMatchObject({ action: 'rotated', removed: [old] });
    expect(writes().slice(writesBefore)).toEqual([`POST /repos/${ORG}/${REPO}/keys`, `DELETE /repos/${ORG}/${REPO}/keys/${old}`]);
    expect(ours().map((k) => k.id)).toEqual([result.keyId]);
    expect(github.deployKeys(REPO).map((k) => k.id)).toEqual([otherEnvKey, personKey, result.keyId]);
    expect(keyBody((await secret()).pub)).toBe(ours()[0]!.key);
  });

  it('converges after an interrupted rotation: an older key of this environment left behind is deleted', async () => {
    const current = ours()[0]!.id;
    const leftover = github.addDeployKey(REPO, { title: `${deployKeyTitlePrefix('staging')}2026-01-02T00:00:00.000Z`, key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILEFTOVERLEFTOVERLEFTOVERLEFTOVERLEFTOVERLEFT', readOnly: false });
    expect(await ensure()).toEqual({ action: 'unchanged', keyId: current, removed: [leftover] });
    expect(ours().map((k) => k.id)).toEqual([current]);
  });

  it('GitHub failing mid-rotation (a 502 after it stored the new key, a 502 on the listing, a rate limit on the delete) still ends with one key, the one in the Secret', async () => {
    const old = ours()[0]!.id;
    const writesBefore = writes().length;
    github.inject({ method: 'POST', path: `/repos/${ORG}/${REPO}/keys`, ...faults.badGateway(), afterApplying: true });
    github.inject({ method: 'GET', path: `/repos/${ORG}/${REPO}/keys`, ...faults.badGateway() });
    github.inject({ method: 'DELETE', path: `/repos/${ORG}/${REPO}/keys/${old}`, ...faults.secondaryRateLimit(1) });
    try {
      const result = await ensure({ rotate: true });
      expect(result).toMatchObject({ action: 'rotated', removed: [old] });
      // The lost POST answer was settled by listing the keys, not by posting the key again.
      expect(writes().slice(writesBefore)).toEqual([`POST /repos/${ORG}/${REPO}/keys`, `DELETE /repos/${ORG}/${REPO}/keys/${old}`, `DELETE /repos/${ORG}/${REPO}/keys/${old}`]);
      expect(ours().map((k) => k.id)).toEqual([result.keyId]);
      expect(keyBody((await secret()).pub)).toBe(ours()[0]!.key);
      expect(github.deployKeys(REPO).map((k) => k.id)).toEqual([otherEnvKey, personKey, result.keyId]);
    } finally {
      github.clearFaults();
    }
  });

  it('when the Secret cannot be written, the new key is unregistered again and the cluster keeps the old one', async () => {
    const before = await secret();
    const current = ours()[0]!.id;
    // A real admission policy on the real API server refuses writes to the Secret.
    const policy = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'deny-flux-secret' }, spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['secrets'] }] }, validations: [{ expression: "object.metadata.name != 'flux-system'", message: 'denied by the test' }] } };
    const binding = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'deny-flux-secret' }, spec: { policyName: 'deny-flux-secret', validationActions: ['Deny'] } };
    await applyObjects(cluster.kc, [policy, binding] as KubernetesObject[]);
    const core = cluster.kc.makeApiClient(CoreV1Api);
    await waitUntil('the policy to take effect', async () => {
      const denied = await core
        .patchNamespacedSecret({ namespace: 'flux-system', name: 'flux-system', dryRun: 'All', body: [{ op: 'add', path: '/metadata/labels/probe', value: String(Date.now()) }] })
        .then(() => false, () => true);
      return denied ? true : undefined;
    }, 30_000, 250);

    await expect(ensure({ rotate: true })).rejects.toThrow(/denied by the test/);
    expect(ours().map((k) => k.id)).toEqual([current]);
    expect((await secret()).resourceVersion).toBe(before.resourceVersion);

    const admission = cluster.kc.makeApiClient(AdmissionregistrationV1Api);
    await admission.deleteValidatingAdmissionPolicyBinding({ name: 'deny-flux-secret' });
    await admission.deleteValidatingAdmissionPolicy({ name: 'deny-flux-secret' });
  });
});
