import type { Context } from '../context.js';
import { accessStep } from '../access/apply.js';
import { loadGithubConfig } from '../config/github.js';
import { clusterStatus } from '../dev/cluster/lifecycle.js';
import { loadKubeConfig } from '../k8s/client.js';
import { localSource } from '../releases/flux-sync.js';
import { currentBranch } from '../tools/git.js';
import { OperationError } from '../ui/errors.js';
import type { ClusterTarget } from './cluster-target.js';
import { fluxSyncStep } from './flux-sync.js';
import { readOnlyGroupStep } from './read-only-group.js';
import { runSteps, type Step, type StepReport } from './steps.js';

export interface ConfigureReport {
  cluster: string;
  steps: StepReport[];
  /** How many steps changed something (or would, under --dry-run): 0 on a second run. */
  changes: number;
}

/**
 * configure for development, on the local cluster: Flux is already there (the controllers `dev
 * cluster up` runs, detected rather than installed), then the read-only group's RBAC, the access
 * lists, and the GitRepository + Kustomization pointing at the local git server. The same steps as
 * on EKS, less what only AWS and GitHub have (the load balancer controller, DNS, the deploy key).
 */
export async function configureLocal(ctx: Context, target: ClusterTarget, root: string, timeoutMs: number): Promise<ConfigureReport> {
  const record = target.local;
  if (!record) throw new Error('internal: configureLocal is only called for the local cluster target');
  const kc = await loadKubeConfig(record.kubeconfig);
  const steps: Step[] = [
    {
      name: 'flux',
      async run() {
        const status = await clusterStatus(ctx.stateDir);
        const unhealthy = status.components.filter((c) => !c.healthy).map((c) => c.name);
        if (unhealthy.length) {
          throw new OperationError(`the local cluster's Flux is not healthy (${unhealthy.join(', ')} not ready)`, {
            where: record.kubeconfig.replace(/kubeconfig$/, 'logs/'),
            hint: 'restart it: biomage dev cluster down && biomage dev cluster up',
          });
        }
        return { result: 'present', changed: false, detail: 'the local controllers of `biomage dev cluster up` (detected, not installed)' };
      },
    },
    { name: 'read-only-group', run: () => readOnlyGroupStep(target, root, timeoutMs, ctx.dryRun, ctx.processEnv) },
    { name: 'access', run: () => accessStep(ctx, target, root) },
    {
      name: 'flux-sync',
      async run() {
        const branch = (await currentBranch(record.repo)) ?? loadGithubConfig(root).defaultBranch;
        return fluxSyncStep(kc, ctx.env, localSource(record.gitUrl, branch), timeoutMs, ctx.dryRun);
      },
    },
  ];
  const reports = await runSteps(ctx, steps);
  return { cluster: target.label, steps: reports, changes: reports.filter((r) => r.changed).length };
}
