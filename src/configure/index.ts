import type { Context } from '../context.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { OperationError } from '../ui/errors.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import type { ClusterTarget } from './cluster-target.js';
import type { ConfigureReport } from './local.js';

/** `biomage configure`: the local cluster for development; the EKS clusters through runConfigure. */
export async function configureCluster(ctx: Context, target: ClusterTarget, root: string, timeoutMs: number): Promise<ConfigureReport> {
  if (target.local) {
    const { configureLocal } = await import('./local.js');
    return configureLocal(ctx, target, root, timeoutMs);
  }
  await runConfigure(ctx, target.env as ClusterEnvironment);
  return { cluster: target.label, steps: [], changes: 0 };
}

export function renderConfigure(report: ConfigureReport, paint: Paint, dryRun = false): string {
  const mark = (r: string, changed: boolean) => (changed ? paint('yellow', r) : paint('green', r));
  const rows = report.steps.map((s) => [s.step, mark(s.result, s.changed), s.detail]);
  const summary = dryRun
    ? `Dry run: ${report.changes} of ${report.steps.length} steps would change ${report.cluster}; nothing was changed.`
    : report.changes
      ? `Configured ${report.cluster}: ${report.changes} of ${report.steps.length} steps changed something.`
      : `${report.cluster} was already configured: nothing changed.`;
  return [renderTable(['step', 'result', 'detail'], rows), '', summary].join('\n');
}

/**
 * The `configure` phase of deploy-infra: what runs on a cluster once it exists (access from
 * infra/cluster_admins and infra/cluster_users, the load balancer controller, Flux). It is
 * delivered by issue 9; until then it fails rather than report a configuration that never ran.
 */
export async function runConfigure(_ctx: Context, env: ClusterEnvironment): Promise<void> {
  throw new OperationError(`configure is not implemented yet: it is delivered by issue 9, so cluster biomage-${env} was not configured`, {
    where: 'biomage deploy-infra, configure phase',
    hint: 'nothing of configure ran; with --action deploy-and-configure, the cluster steps before it completed and stand (see the summary above)',
  });
}
