import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseDiffReport } from '../../src/releases/diff.js';
import { waitUntil } from '../../src/k8s/client.js';
import { fluxObjectState, HELM_RELEASES } from '../../src/k8s/flux-status.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

const RELEASE = 'releases/development/ui.yaml';
const fixture = readFileSync(join(repoRoot, 'test/fixtures/e2e/ui.yaml'), 'utf8');

/**
 * `release diff` without --base, against the local cluster that Flux keeps in step with the
 * served repository: helm-controller installs the committed release, then the diff applies the
 * working tree's objects as a server-side dry run and compares them with the live ones.
 */
describe('release diff against the local cluster', () => {
  let cluster: LocalCluster;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@biomage.invalid', ...args], { cwd: cluster.repo, encoding: 'utf8' }).trim();
  const diff = async (...extra: string[]) => {
    const run = await cluster.cli(['release', 'diff', '--env', 'development', '--root', cluster.repo, '--json', ...extra]);
    expect([0, 3], run.stderr).toContain(run.code);
    return { code: run.code, report: (JSON.parse(run.stdout) as { result: ReleaseDiffReport }).result };
  };
  const replicasReady = (count: number) =>
    waitUntil(
      `Deployment ui/ui-nodejs at ${count} ready replicas`,
      async () => {
        const d = await cluster.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'ui', name: 'ui-nodejs' }).catch(() => undefined);
        return d?.spec?.replicas === count && d.status?.readyReplicas === count ? d : undefined;
      },
      120_000,
      100,
    );
  const releaseReady = () =>
    waitUntil(
      'HelmRelease flux-system/ui to be Ready',
      async () => {
        const state = await fluxObjectState(cluster.kc, { ...HELM_RELEASES, namespace: 'flux-system', name: 'ui' });
        return state.ready ? state : undefined;
      },
      60_000,
    );

  beforeAll(async () => {
    cluster = await startLocalCluster();
    const configure = await cluster.cli(['configure', '--env', 'development', '--json']);
    expect(configure.code, configure.stderr).toBe(0);
    cluster.write(RELEASE, fixture);
    cluster.commit('release(development): ui 1.4.2');
    await replicasReady(2);
    await releaseReady();
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (cluster as LocalCluster | undefined)?.down();
  });

  it('an unchanged release shows nothing (exit 0 with --exit-code): helm-controller’s own fields, the server’s defaults and status are no difference', async () => {
    const { code, report } = await diff('--exit-code');
    expect(report.objects).toEqual([]);
    expect(report.releases).toEqual([expect.objectContaining({ release: 'flux-system/ui', status: 'unchanged' })]);
    expect(report.compared).toBeGreaterThanOrEqual(5);
    expect(code).toBe(0);
  });

  it('a replica count changed in a committed release (on a branch Flux does not follow) shows as spec.replicas: 2 → 3 on Deployment ui/ui-nodejs, and nothing else', async () => {
    git('checkout', '--quiet', '-b', 'more-replicas');
    cluster.write(RELEASE, fixture.replace('replicaCount: 2', 'replicaCount: 3'));
    git('commit', '--quiet', '-am', 'ui: three replicas');
    const { code, report } = await diff('--exit-code');
    expect(code).toBe(3);
    expect(report.objects.map((o) => [o.change, `${o.kind} ${o.namespace ?? ''}/${o.name}`, o.fields])).toEqual([
      ['changed', 'Deployment ui/ui-nodejs', [{ path: 'spec.replicas', before: 2, after: 3 }]],
    ]);
    const text = await cluster.cli(['release', 'diff', '--env', 'development', '--root', cluster.repo]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('spec.replicas: 2 → 3');
    expect(text.stdout).toMatch(/^- {2}replicas: 2\n\+ {2}replicas: 3$/m);
    // The dry run changed nothing.
    const live = await cluster.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'ui', name: 'ui-nodejs' });
    expect(live.spec?.replicas).toBe(2);
  });

  it('an object the working tree no longer renders is removed (read from the deployed release), and one it adds is added', async () => {
    git('checkout', '--quiet', '-b', 'no-pdb', 'main');
    const values = '  values:\n    replicaCount: 2\n';
    expect(fixture).toContain(values);
    cluster.write(RELEASE, fixture.replace(values, `${values}    podDisruptionBudget:\n      enabled: false\n    autoscaling:\n      enabled: true\n`));
    git('commit', '--quiet', '-am', 'ui: an HPA, no PDB');
    const { code, report } = await diff('--exit-code');
    git('checkout', '--quiet', 'main');
    expect(code).toBe(3);
    const byKind = Object.fromEntries(report.objects.map((o) => [o.kind, o.change]));
    expect(byKind).toMatchObject({ PodDisruptionBudget: 'removed', HorizontalPodAutoscaler: 'added' });
  });

  it('a release file removed from the working tree is a removed release: every object of its deployed release goes', async () => {
    git('checkout', '--quiet', '-b', 'no-ui', 'main');
    git('rm', '--quiet', RELEASE);
    git('commit', '--quiet', '-m', 'ui: retired');
    const { code, report } = await diff('--exit-code');
    git('checkout', '--quiet', 'main');
    expect(code).toBe(3);
    expect(report.releases).toEqual([expect.objectContaining({ release: 'flux-system/ui', status: 'removed' })]);
    expect(report.objects.map((o) => `${o.change} ${o.kind}`).sort()).toEqual(
      ['Deployment', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount'].map((kind) => `removed ${kind}`),
    );
  });

  it('once Flux has applied the change, the diff is empty again', async () => {
    git('checkout', '--quiet', 'main');
    git('merge', '--quiet', '--ff-only', 'more-replicas');
    await replicasReady(3);
    await releaseReady();
    const { code, report } = await diff('--exit-code');
    expect(report.objects).toEqual([]);
    expect(code).toBe(0);
  });
});
