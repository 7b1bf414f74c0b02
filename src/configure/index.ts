import type { AwsTarget } from '../aws/target.js';
import type { Context } from '../context.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import type { ClusterTarget } from './cluster-target.js';
import type { ConfigureReport } from './local.js';

export interface ConfigureOptions {
  timeoutMs: number;
  takeOverDns: boolean;
  rotateDeployKey: boolean;
  /** Where AWS is, when the caller already resolved it (deploy-infra); default ctx.aws(). */
  aws?: AwsTarget;
}

/** `biomage configure`: the local cluster for development, an EKS cluster for staging and production. */
export async function configureCluster(ctx: Context, target: ClusterTarget, root: string, options: ConfigureOptions): Promise<ConfigureReport> {
  if (target.local) {
    const { configureLocal } = await import('./local.js');
    return configureLocal(ctx, target, root, options.timeoutMs);
  }
  const { configureEks } = await import('./eks.js');
  return configureEks(ctx, target, root, options);
}

export function renderConfigure(report: ConfigureReport, paint: Paint, dryRun = false): string {
  const mark = (r: string, changed: boolean) => (changed ? paint('yellow', r) : paint('green', r));
  const rows = report.steps.map((s) => [s.step, mark(s.result, s.changed), s.detail]);
  const summary = dryRun
    ? `Dry run: ${report.changes} of ${report.steps.length} steps would change ${report.cluster}; nothing was changed.`
    : report.changes
      ? `Configured ${report.cluster}: ${report.changes} of ${report.steps.length} steps changed something.`
      : `${report.cluster.charAt(0).toUpperCase()}${report.cluster.slice(1)} was already configured: nothing changed.`;
  return [renderTable(['step', 'result', 'detail'], rows), '', summary].join('\n');
}

/**
 * The `configure` phase of deploy-infra, after eksctl: configure with its defaults (no DNS
 * take-over, the deploy key kept), its table shown like the cluster steps' summary.
 */
export async function runConfigure(ctx: Context, env: ClusterEnvironment, aws?: AwsTarget): Promise<ConfigureReport> {
  const { clusterTarget } = await import('./cluster-target.js');
  const options = { timeoutMs: 300_000, takeOverDns: false, rotateDeployKey: false, ...(aws ? { aws } : {}) };
  const report = await configureCluster(ctx, clusterTarget(env, ctx.processEnv, () => ctx.stateDir), ctx.root, options);
  ctx.out.info(renderConfigure(report, ctx.out.paint, ctx.dryRun));
  return report;
}
