import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { reconcileClusterAccess } from '../access/apply.js';
import { requireCallerIdentity } from '../aws/identity.js';
import { clusterClients, readLiveState } from '../cluster/live.js';
import { planCluster } from '../cluster/plan.js';
import { eksEnvironment, loadClusterSource } from '../cluster/source.js';
import { clusterName, isLocal, type Environment } from '../config/environments.js';
import { FLUX_GIT_REPOSITORY, FLUX_NAMESPACE, HELM_RELEASE_KIND } from '../config/flux.js';
import { clusterTarget, type ClusterTarget } from '../configure/cluster-target.js';
import type { Context } from '../context.js';
import { loadKubeConfig, statusOf } from '../k8s/client.js';
import { fluxObjectState, GIT_REPOSITORIES, HELM_RELEASES, KUSTOMIZATIONS } from '../k8s/flux-status.js';
import { RELEASES_KUSTOMIZATION } from '../releases/flux-sync.js';
import { filesAt, revisionCommit, showFile } from '../tools/git.js';
import { UsageError } from '../ui/errors.js';
import { accessDifferences, accessEntryDifferences, fluxDifferences, nodeGroupDifferences, type GitRelease, type LiveRelease } from './cluster-compare.js';
import type { Difference } from './difference.js';

export type ClusterPartName = 'node-groups' | 'access' | 'flux';

export interface ClusterPart {
  part: ClusterPartName;
  status: 'checked' | 'skipped' | 'failed';
  reason?: string;
}

export interface ClusterDriftResult {
  /** How the cluster was reached; absent when skipped. */
  target?: string;
  /** Why the cluster was not looked at (no context). */
  skipped?: string;
  parts: ClusterPart[];
  differences: Difference[];
}

/**
 * The cluster to compare, or why there is none: staging and production need the context
 * biomage-<env> in the kubeconfig (`biomage kubeconfig` writes it), development the local cluster.
 */
export function findCluster(env: Environment, processEnv: NodeJS.ProcessEnv, stateDir: () => string): { target: ClusterTarget } | { skipped: string; next: string } {
  if (isLocal(env)) {
    try {
      return { target: clusterTarget(env, processEnv, stateDir) };
    } catch (error) {
      if (error instanceof UsageError) return { skipped: 'the local cluster is not running', next: 'biomage dev cluster up' };
      throw error;
    }
  }
  const target = clusterTarget(env, processEnv, stateDir);
  const next = `biomage kubeconfig --env ${env}`;
  if (!existsSync(target.kubeconfig)) return { skipped: `no kubeconfig at ${target.kubeconfig}`, next };
  let contexts: unknown;
  try {
    contexts = (parse(readFileSync(target.kubeconfig, 'utf8')) as { contexts?: unknown } | null)?.contexts;
  } catch {
    return { skipped: `the kubeconfig ${target.kubeconfig} is not YAML`, next };
  }
  const names = Array.isArray(contexts) ? contexts.map((c) => (c as { name?: unknown }).name) : [];
  if (!names.includes(target.context)) return { skipped: `the kubeconfig ${target.kubeconfig} has no context ${target.context ?? ''}`, next };
  return { target };
}

/** Each part of the cluster compared; a part that fails is reported as failed, the others still run. */
export async function clusterDrift(ctx: Context, target: ClusterTarget, root: string): Promise<ClusterDriftResult> {
  const stack = `cluster ${clusterName(ctx.env)}`;
  const differences: Difference[] = [];
  const parts: ClusterPart[] = [];
  const run = async (part: ClusterPartName, work: () => Promise<Difference[] | string>) => {
    ctx.out.step(`Comparing the cluster's ${part}`);
    try {
      const found = await work();
      if (typeof found === 'string') parts.push({ part, status: 'skipped', reason: found });
      else {
        differences.push(...found);
        parts.push({ part, status: 'checked' });
      }
    } catch (error) {
      parts.push({ part, status: 'failed', reason: (error as Error).message });
    }
  };
  await run('node-groups', async () => {
    if (isLocal(ctx.env)) return 'the local cluster has simulated nodes, no EKS node groups';
    const env = eksEnvironment(ctx.env, 'drift');
    const aws = await ctx.aws();
    const source = loadClusterSource(root, env, aws.region);
    const identity = await requireCallerIdentity(aws);
    const clients = clusterClients(aws);
    try {
      return nodeGroupDifferences(planCluster(source, await readLiveState(clients, source.name), identity), stack);
    } finally {
      clients.destroy();
    }
  });
  await run('access', async () => {
    // The access lists live where the cluster's authentication mode puts them: aws-auth rows, access
    // entries, or both while API_AND_CONFIG_MAP migrates (biomage's aws-auth rows are then expected gone).
    const report = await reconcileClusterAccess(ctx, target, root, false);
    return [...(report.entries ? accessEntryDifferences(report.entries.plan, stack) : []), ...accessDifferences(report.result.plan, stack)];
  });
  await run('flux', async () => fluxDrift(ctx.env, target, root, stack));
  return { target: target.label, parts, differences };
}

/** Flux's objects against git's branch head. */
async function fluxDrift(env: Environment, target: ClusterTarget, root: string, stack: string): Promise<Difference[]> {
  const kc = await loadKubeConfig(target.kubeconfig, target.context);
  const { CustomObjectsApi } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CustomObjectsApi);
  const read = async (ref: { group: string; version: string; plural: string; namespace: string; name: string }) => {
    try {
      return (await api.getNamespacedCustomObject({ ...ref })) as { spec?: Record<string, unknown> };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
  const gitRepository = await read({ ...GIT_REPOSITORIES, namespace: FLUX_NAMESPACE, name: FLUX_GIT_REPOSITORY });
  const ref = (gitRepository?.spec?.ref ?? {}) as { branch?: unknown };
  const branch = typeof ref.branch === 'string' ? ref.branch : '';
  // The local cluster serves its own clone; staging and production follow GitHub, seen here
  // through the remote-tracking branch (as fresh as the last fetch), else the local branch.
  const repo = target.local?.repo ?? root;
  const head = branch ? ((await revisionCommit(`refs/remotes/origin/${branch}`, repo)) ?? (await revisionCommit(`refs/heads/${branch}`, repo))) : undefined;
  const releases = head ? await gitReleases(head, env, repo) : [];
  const live = new Map<string, LiveRelease>();
  for (const release of releases) {
    const ref = { ...HELM_RELEASES, namespace: release.namespace, name: release.name };
    const state = await fluxObjectState(kc, ref);
    const object = state.exists ? await read(ref) : undefined;
    live.set(`${release.namespace}/${release.name}`, { state, ...(object?.spec ? { spec: object.spec } : {}) });
  }
  const kustomization = await fluxObjectState(kc, { ...KUSTOMIZATIONS, namespace: FLUX_NAMESPACE, name: RELEASES_KUSTOMIZATION });
  return fluxDifferences({ env, branch: branch || '(no GitRepository)', ...(head ? { head } : {}), kustomization, releases, live }, stack);
}

/** The HelmReleases of releases/<env>/ at a commit. */
async function gitReleases(commit: string, env: Environment, repo: string): Promise<GitRelease[]> {
  const releases: GitRelease[] = [];
  for (const file of (await filesAt(commit, `releases/${env}`, repo)).filter((f) => /\.ya?ml$/.test(f))) {
    const text = await showFile(commit, file, repo);
    if (text === undefined) continue;
    const doc = parse(text) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; spec?: unknown } | null;
    if (doc?.kind !== HELM_RELEASE_KIND || typeof doc.metadata?.name !== 'string') continue;
    const namespace = typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : FLUX_NAMESPACE;
    releases.push({ file, namespace, name: doc.metadata.name, spec: doc.spec });
  }
  return releases;
}
