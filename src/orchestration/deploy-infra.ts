import { deployCluster, type DeployReport } from '../cluster/deploy.js';
import type { DeployAction, ClusterRequest } from '../cluster/request.js';
import { eksEnvironment } from '../cluster/source.js';
import { runConfigure } from '../configure/index.js';
import type { ConfigureReport } from '../configure/local.js';
import type { Context } from '../context.js';
import { BiomageError, OperationError } from '../ui/errors.js';

// deploy-infra spans two domains: the cluster (eksctl) and then its configuration. The sequence
// lives here, above both, so that neither cluster/ nor configure/ imports the other's command.

export interface DeployInfraRequest extends ClusterRequest {
  action: DeployAction;
}

export type DeployInfraResult =
  | { action: 'configure'; env: string; report: ConfigureReport }
  | { action: 'deploy-and-configure'; env: string; report: DeployReport };

/**
 * `biomage deploy-infra`. For deploy-and-configure: the cluster phase (render, check, plan, guard,
 * confirm, eksctl's steps), then the configure phase. For configure: only the configure phase.
 */
export async function deployInfra(ctx: Context, request: DeployInfraRequest): Promise<DeployInfraResult> {
  const env = eksEnvironment(ctx.env, 'deploy-infra');
  if (request.action === 'configure') {
    return { action: 'configure', env, report: await runConfigure(ctx, env, request.target) };
  }
  const { report, target } = await deployCluster(ctx, request);
  try {
    await runConfigure(ctx, env, target);
  } catch (error) {
    const failure = error instanceof BiomageError ? error : new OperationError(String((error as { message?: unknown } | null | undefined)?.message ?? error), { cause: error });
    const done = report.steps.filter((s) => s.status === 'done').length;
    // An upgrade's parts a previous run finished are reported, but are not steps of this run.
    const unchanged = report.steps.filter((s) => s.status === 'unchanged').length;
    const before = ctx.dryRun
      ? 'the plan above was only shown'
      : `the cluster steps completed (${done} of ${report.steps.length - unchanged} ran${unchanged ? `, ${unchanged} unchanged` : ''})`;
    throw new OperationError(`${before}, then the configure phase failed: ${failure.message}`, { where: failure.where, hint: failure.hint, cause: error });
  }
  return { action: 'deploy-and-configure', env, report };
}
