import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import { awsClient } from '../aws/clients.js';
import { eksSdk, iamSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { clusterName } from '../config/environments.js';
import type { Context } from '../context.js';
import type { ClusterTarget } from '../configure/cluster-target.js';
import type { StepReport } from '../configure/steps.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { policyName } from './access-entries.js';
import { reconcileAccessEntries, type AccessEntriesResult } from './access-entries-reconcile.js';
import { clusterAccessConfig, type AuthenticationMode } from './eks-access-entries.js';
import { iamNameResolver } from './iam-names.js';
import type { ResolvePrincipal } from './mapping.js';
import { kubernetesStore, reconcileAccess, type ReconcileResult } from './reconcile.js';

export interface AccessReport {
  cluster: string;
  /**
   * Where the lists are mapped: `local` (development's local cluster: aws-auth), or the EKS
   * cluster's authentication mode: CONFIG_MAP maps them in aws-auth; API_AND_CONFIG_MAP in access
   * entries, then removes biomage's aws-auth rows; API in access entries only.
   */
  mode: AuthenticationMode | 'local';
  /** aws-auth: the full reconcile (local, CONFIG_MAP), the removal of biomage's rows (API_AND_CONFIG_MAP), or nothing read (API). */
  result: ReconcileResult;
  /** The access entries, in the API modes. */
  entries?: AccessEntriesResult;
}

/**
 * Reconcile the cluster's access with the access lists of `root` (plan only unless `apply`), the
 * way its authentication mode requires (DescribeCluster accessConfig.authenticationMode). IAM is
 * asked only when a list holds a bare name, so lists of ARNs need no IAM permissions.
 */
export async function reconcileClusterAccess(ctx: Context, target: ClusterTarget, root: string, apply: boolean, aws?: AwsTarget): Promise<AccessReport> {
  let iam: IAMClient | undefined;
  let eks: EKSClient | undefined;
  const resolve: ResolvePrincipal = async (name) => {
    iam ??= awsClient(iamSdk().IAMClient, aws ?? (await ctx.aws()));
    return iamNameResolver(iam)(name);
  };
  const dryRun = !apply || ctx.dryRun;
  const kube = { kubeconfigFile: target.kubeconfig, ...(target.context ? { context: target.context } : {}) };
  try {
    // The local cluster has no EKS in front of it: aws-auth is all there is.
    if (target.local) return { cluster: target.label, mode: 'local', result: await reconcileAccess({ ...kube, root, resolve, dryRun }) };
    const where = aws ?? (await ctx.aws());
    eks = awsClient(eksSdk().EKSClient, where);
    const cluster = clusterName(target.env);
    const config = await clusterAccessConfig(eks, cluster, where.region);
    if (config.mode === 'CONFIG_MAP') return { cluster: target.label, mode: config.mode, result: await reconcileAccess({ ...kube, root, resolve, dryRun }) };
    const { entries, awsAuth } = await reconcileAccessEntries({ eks, cluster, config, root, resolve, dryRun, awsAuth: () => kubernetesStore(kube.kubeconfigFile, kube.context) });
    return { cluster: target.label, mode: config.mode, result: awsAuth, entries };
  } finally {
    iam?.destroy();
    eks?.destroy();
  }
}

export function renderAccessReport(report: AccessReport, paint: Paint): string {
  const lines = [`Access of ${report.cluster}${report.mode === 'local' ? '' : ` (authentication mode ${report.mode})`}:`];
  if (report.entries) lines.push(renderEntries(report.entries, paint));
  if (report.mode !== 'API') lines.push(renderAwsAuth(report, paint));
  return lines.join('\n');
}

function renderEntries(entries: AccessEntriesResult, paint: Paint): string {
  const { plan, action } = entries;
  const grant = (e: { kubernetesGroups: string[]; policies: { policyArn: string; scope: { type: string } }[] }) =>
    [...e.kubernetesGroups.map((g) => `group ${g}`), ...e.policies.map((p) => `${policyName(p.policyArn)} (${p.scope.type})`)].join(', ') || '(nothing)';
  const rows = [
    ...plan.create.map((e) => [paint('green', 'create'), e.principalArn, e.username, grant(e), `${e.source.file}:${e.source.line}`]),
    ...plan.update.map((u) => [paint('yellow', 'update'), u.to.principalArn, u.to.username, `${grant(u.to)} (${u.changes.join(', ')})`, `${u.to.source.file}:${u.to.source.line}`]),
    ...plan.delete.map((e) => [paint('red', 'delete'), e.principalArn, e.username ?? '', grant(e), 'no longer listed']),
    ...plan.unchanged.map((e) => ['unchanged', e.principalArn, e.username, grant(e), `${e.source.file}:${e.source.line}`]),
    ...plan.keep.map((e) => ['kept', e.principalArn, e.username ?? '', grant(e), e.type === 'STANDARD' ? 'not made by biomage' : `node entry (${e.type})`]),
  ];
  const verdict: Record<typeof action, string> = {
    applied: 'The access entries were changed as above, and read back as the lists ask.',
    unchanged: 'The access entries already match the access lists.',
    'would-apply': 'Plan only: the access entries would change as above (apply with `biomage access apply`).',
  };
  return ['EKS access entries:', rows.length ? renderTable(['change', 'IAM principal', 'username', 'access', 'from'], rows) : '  (no entries)', verdict[action]].join('\n');
}

function renderAwsAuth(report: AccessReport, paint: Paint): string {
  const { plan, action } = report.result;
  const migrating = report.mode === 'API_AND_CONFIG_MAP';
  const rows = [
    ...plan.add.map((e) => [paint('green', 'add'), e.arn, e.username, e.groups.join(','), `${e.source.file}:${e.source.line}`]),
    ...plan.update.map((u) => [paint('yellow', 'update'), u.to.arn, u.to.username, u.to.groups.join(','), `${u.to.source.file}:${u.to.source.line}`]),
    ...plan.remove.map((e) => [paint('red', 'remove'), e.arn, e.username ?? '', e.groups.join(','), migrating ? 'now an access entry' : 'no longer listed']),
    ...plan.unchanged.map((e) => ['unchanged', e.arn, e.username, e.groups.join(','), `${e.source.file}:${e.source.line}`]),
    ...plan.keep.map((e) => ['kept', e.arn, e.username ?? '', e.groups.join(','), 'not managed by biomage']),
  ];
  const verdict: Record<typeof action, string> = migrating
    ? {
        created: 'aws-auth was created.',
        updated: "biomage's rows were removed from aws-auth, after the access entries were verified.",
        unchanged: 'aws-auth holds no rows of biomage: nothing to remove.',
        'would-create': 'Plan only: aws-auth would be created (apply with `biomage access apply`).',
        'would-update': "Plan only: once the access entries are verified, biomage's rows above would be removed from aws-auth (apply with `biomage access apply`).",
      }
    : {
        created: 'aws-auth was created.',
        updated: 'aws-auth was updated.',
        unchanged: 'aws-auth already matches the access lists: nothing to do.',
        'would-create': 'Plan only: aws-auth would be created (apply with `biomage access apply`).',
        'would-update': 'Plan only: aws-auth would change as above (apply with `biomage access apply`).',
      };
  return [migrating ? 'aws-auth (kept for node roles and hand-made rows):' : 'aws-auth:', rows.length ? renderTable(['change', 'IAM principal', 'username', 'groups', 'from'], rows) : '  (no entries)', verdict[action]].join('\n');
}

/** The access step of configure: apply the lists the way the cluster's mode requires, and count what changed. */
export async function accessStep(ctx: Context, target: ClusterTarget, root: string, aws?: AwsTarget): Promise<Omit<StepReport, 'step'>> {
  const report = await reconcileClusterAccess(ctx, target, root, true, aws);
  const { add, update, remove } = report.result.plan;
  const awsAuthChanges = add.length + update.length + remove.length;
  const awsAuthDetail = `aws-auth: ${add.length} to add, ${update.length} to update, ${remove.length} to remove`;
  if (!report.entries) return { result: report.result.action, changed: awsAuthChanges > 0, detail: awsAuthDetail };
  const { plan, action } = report.entries;
  const entryChanges = plan.create.length + plan.update.length + plan.delete.length;
  const entriesDetail = `access entries (${report.mode}): ${plan.create.length} to create, ${plan.update.length} to update, ${plan.delete.length} to delete`;
  const changed = entryChanges + awsAuthChanges > 0;
  return {
    result: ctx.dryRun ? (changed ? 'would-update' : 'unchanged') : changed ? 'updated' : action,
    changed,
    detail: report.mode === 'API' ? entriesDetail : `${entriesDetail}; ${awsAuthDetail}`,
  };
}
