import { join } from 'node:path';
import type { Context } from '../context.js';
import { reconcileClusterAccess, type AccessReport } from '../access/apply.js';
import { loadGithubConfig } from '../config/github.js';
import { clusterStatus } from '../dev/cluster/lifecycle.js';
import { loadKubeConfig } from '../k8s/client.js';
import { fluxSyncObjects, localSource } from '../releases/flux-sync.js';
import { currentBranch } from '../tools/git.js';
import { upgradeInstall } from '../tools/helm.js';
import { OperationError } from '../ui/errors.js';
import type { ClusterTarget } from './cluster-target.js';
import { applyFluxSync, type FluxSyncResult } from './flux-sync.js';

/** The RBAC chart that gives the access lists' groups their rights. */
export const READ_ONLY_GROUP_CHART = 'infra/charts/read-only-group';
const READ_ONLY_GROUP_RELEASE = 'read-only-group';

export interface ConfigureStep {
  step: string;
  result: string;
  detail: string;
}

export interface ConfigureReport {
  cluster: string;
  steps: ConfigureStep[];
  access?: AccessReport;
  fluxSync?: FluxSyncResult;
}

/**
 * configure for development, on the local cluster: Flux is already there (the controllers `dev
 * cluster up` runs, detected rather than installed), then the RBAC chart, the access lists, and
 * the GitRepository + Kustomization pointing at the local git server. The same steps as on EKS,
 * less what only AWS has (the load balancer controller, DNS, the GitHub deploy key).
 */
export async function configureLocal(ctx: Context, target: ClusterTarget, root: string, timeoutMs: number): Promise<ConfigureReport> {
  const record = target.local!;
  const status = await clusterStatus(ctx.processEnv);
  const unhealthy = status.components.filter((c) => !c.healthy).map((c) => c.name);
  if (unhealthy.length) {
    throw new OperationError(`the local cluster is not healthy (${unhealthy.join(', ')} not ready), so configure would not complete`, {
      where: record.kubeconfig.replace(/kubeconfig$/, 'logs/'),
      hint: 'restart it: biomage dev cluster down && biomage dev cluster up',
    });
  }
  const steps: ConfigureStep[] = [{ step: 'flux', result: 'present', detail: 'the local controllers of `biomage dev cluster up` (not installed by configure)' }];
  const branch = (await currentBranch(record.repo)) ?? loadGithubConfig(root).defaultBranch;
  const source = localSource(record.gitUrl, branch);

  if (ctx.dryRun) {
    steps.push({ step: 'rbac', result: 'would install', detail: `${READ_ONLY_GROUP_CHART} (helm upgrade --install ${READ_ONLY_GROUP_RELEASE})` });
    const access = await reconcileClusterAccess(ctx, target, root, false);
    steps.push({ step: 'access', result: access.result.action, detail: 'aws-auth from infra/cluster_admins and infra/cluster_users' });
    const objects = fluxSyncObjects(ctx.env, source).map((o) => `${o.kind}`);
    steps.push({ step: 'flux-sync', result: 'would apply', detail: `${objects.join(' and ')} for ${source.url} (${branch})` });
    return { cluster: target.label, steps, access };
  }

  const rbac = await upgradeInstall({
    release: READ_ONLY_GROUP_RELEASE,
    chartDir: join(root, READ_ONLY_GROUP_CHART),
    namespace: 'kube-system',
    kubeconfig: record.kubeconfig,
    timeoutSeconds: Math.ceil(timeoutMs / 1000),
    env: ctx.processEnv,
  });
  steps.push({ step: 'rbac', result: rbac.revision === 1 ? 'installed' : 'upgraded', detail: `${READ_ONLY_GROUP_CHART}, helm revision ${rbac.revision}` });

  const access = await reconcileClusterAccess(ctx, target, root, true);
  steps.push({ step: 'access', result: access.result.action, detail: 'aws-auth from infra/cluster_admins and infra/cluster_users' });

  const kc = await loadKubeConfig(record.kubeconfig);
  const fluxSync = await applyFluxSync(kc, ctx.env, source, timeoutMs);
  steps.push({ step: 'flux-sync', result: 'ready', detail: `${source.url} (${branch}) at ${fluxSync.revision ?? 'unknown revision'}, ./releases/${ctx.env} applied` });
  return { cluster: target.label, steps, access, fluxSync };
}
