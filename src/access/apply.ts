import type { IAMClient } from '@aws-sdk/client-iam';
import { awsClient } from '../aws/clients.js';
import { iamSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import type { Context } from '../context.js';
import type { ClusterTarget } from '../configure/cluster-target.js';
import type { StepReport } from '../configure/steps.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { iamNameResolver } from './iam-names.js';
import type { ResolvePrincipal } from './mapping.js';
import { reconcileAccess, type ReconcileResult } from './reconcile.js';

export interface AccessReport {
  cluster: string;
  result: ReconcileResult;
}

/**
 * Reconcile the cluster's aws-auth with the access lists of `root` (plan only unless `apply`).
 * IAM is asked only when a list holds a bare name, so lists of ARNs need no AWS credentials.
 */
export async function reconcileClusterAccess(ctx: Context, target: ClusterTarget, root: string, apply: boolean, aws?: AwsTarget): Promise<AccessReport> {
  let iam: IAMClient | undefined;
  const resolve: ResolvePrincipal = async (name) => {
    iam ??= awsClient(iamSdk().IAMClient, aws ?? (await ctx.aws()));
    return iamNameResolver(iam)(name);
  };
  try {
    const result = await reconcileAccess({
      kubeconfigFile: target.kubeconfig,
      ...(target.context ? { context: target.context } : {}),
      root,
      resolve,
      dryRun: !apply || ctx.dryRun,
    });
    return { cluster: target.label, result };
  } finally {
    iam?.destroy();
  }
}

export function renderAccessReport(report: AccessReport, paint: Paint): string {
  const { plan, action } = report.result;
  const rows = [
    ...plan.add.map((e) => [paint('green', 'add'), e.arn, e.username, e.groups.join(','), `${e.source.file}:${e.source.line}`]),
    ...plan.update.map((u) => [paint('yellow', 'update'), u.to.arn, u.to.username, u.to.groups.join(','), `${u.to.source.file}:${u.to.source.line}`]),
    ...plan.remove.map((e) => [paint('red', 'remove'), e.arn, e.username ?? '', e.groups.join(','), 'no longer listed']),
    ...plan.unchanged.map((e) => ['unchanged', e.arn, e.username, e.groups.join(','), `${e.source.file}:${e.source.line}`]),
    ...plan.keep.map((e) => ['kept', e.arn, e.username ?? '', e.groups.join(','), 'not managed by biomage']),
  ];
  const verdict: Record<typeof action, string> = {
    created: 'aws-auth was created.',
    updated: 'aws-auth was updated.',
    unchanged: 'aws-auth already matches the access lists: nothing to do.',
    'would-create': 'Plan only: aws-auth would be created (apply with `biomage access apply`).',
    'would-update': 'Plan only: aws-auth would change as above (apply with `biomage access apply`).',
  };
  return [`Access of ${report.cluster}:`, rows.length ? renderTable(['change', 'IAM principal', 'username', 'groups', 'from'], rows) : '  (no entries)', verdict[action]].join('\n');
}

/** The access step of configure: apply the lists, and count what changed. */
export async function accessStep(ctx: Context, target: ClusterTarget, root: string, aws?: AwsTarget): Promise<Omit<StepReport, 'step'>> {
  const { result } = await reconcileClusterAccess(ctx, target, root, true, aws);
  const { add, update, remove } = result.plan;
  return { result: result.action, changed: add.length + update.length + remove.length > 0, detail: `aws-auth: ${add.length} to add, ${update.length} to update, ${remove.length} to remove` };
}
