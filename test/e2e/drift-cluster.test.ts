import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/drift/report.js';
import { waitUntil } from '../../src/k8s/client.js';
import { fluxObjectState, HELM_RELEASES, KUSTOMIZATIONS } from '../../src/k8s/flux-status.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

const RELEASE = 'releases/development/ui.yaml';

/**
 * The cluster part of `biomage drift` on the local cluster: Flux connected by configure, a
 * release committed and installed; then the HelmRelease edited by hand (kubectl), which drift
 * must name with git's value and the cluster's.
 */
describe('biomage drift --only cluster on the local cluster', () => {
  let cluster: LocalCluster;
  let commit: string;
  beforeAll(async () => {
    cluster = await startLocalCluster();
    const configure = await cluster.cli(['configure', '--env', 'development']);
    expect(configure.code, configure.stderr).toBe(0);
    cluster.write(RELEASE, readFileSync(join(repoRoot, 'test/fixtures/e2e/ui.yaml'), 'utf8'));
    commit = cluster.commit('release(development): ui 1.4.2');
    await waitUntil(
      'HelmRelease flux-system/ui Ready, applied from the commit',
      async () => {
        const kustomization = await fluxObjectState(cluster.kc, { ...KUSTOMIZATIONS, namespace: 'flux-system', name: 'releases' });
        const release = await fluxObjectState(cluster.kc, { ...HELM_RELEASES, namespace: 'flux-system', name: 'ui' });
        return kustomization.revision === `main@sha1:${commit}` && release.ready ? true : undefined;
      },
      150_000,
    );
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (cluster as LocalCluster | undefined)?.down();
  });

  const drift = async () => {
    const run = await cluster.cli(['drift', '--env', 'development', '--only', 'cluster', '--json']);
    return { code: run.code, stderr: run.stderr, report: (JSON.parse(run.stdout) as { result: DriftReport }).result };
  };

  it('a cluster as git says: nothing drifted, exit 0; node groups skipped (simulated nodes)', async () => {
    const { code, report, stderr } = await drift();
    expect(report.differences, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(report.cluster?.parts).toEqual([
      { part: 'node-groups', status: 'skipped', reason: 'the local cluster has simulated nodes, no EKS node groups' },
      { part: 'access', status: 'checked' },
      { part: 'flux', status: 'checked' },
    ]);
  });

  it('a HelmRelease edited with kubectl: its path, git\'s value and the cluster\'s, exit 3', async () => {
    execFileSync('kubectl', ['--kubeconfig', cluster.record.kubeconfig, '-n', 'flux-system', 'patch', 'helmrelease', 'ui', '--type', 'merge', '-p', '{"spec":{"values":{"image":{"tag":"hotfix-1"}}}}']);
    const { code, report } = await drift();
    expect(report.differences).toContainEqual(
      expect.objectContaining({ kind: 'helm-release', stack: 'cluster biomage-development', logicalId: 'flux-system/ui', path: 'spec.values.image.tag', expected: '1.4.2', actual: 'hotfix-1' }),
    );
    expect(code).toBe(3);
  });
});
