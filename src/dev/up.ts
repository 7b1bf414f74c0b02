import type { Context } from '../context.js';
import { deployTemplates, renderDeployReport, type DeployCfReport } from '../cf/deploy-command.js';
import { DEFAULT_REGION } from '../config/environments.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import type { ClusterUpReport } from './cluster/lifecycle.js';
import { renderClusterUp } from './cluster/render.js';
import { twinUp, type TwinState } from './twin.js';
import { checkPresence, registerDevCluster, type DevCluster, type PresenceRow } from './twin-stacks.js';

export interface DevUpReport {
  twin: TwinState;
  cluster: DevCluster;
  deploy: DeployCfReport;
  resources: PresenceRow[];
  /** With --with-cluster: the local Kubernetes cluster. */
  localCluster?: ClusterUpReport;
}

/**
 * The local twin, complete: the emulator, the development cluster's record, OIDC provider and
 * eksctl's cluster stack (the network templates import), every cf/ template deployed with
 * Environment=development, and each resource checked in its service. Exit 1 when a stack failed
 * or a resource that should exist does not.
 */
export async function devUp(ctx: Context, port: number | undefined, withCluster = false): Promise<{ report: DevUpReport; exitCode: number }> {
  // The cluster shares nothing with the emulator: it starts alongside, and joins the report at the end.
  const localCluster = withCluster ? startLocalCluster(ctx) : undefined;
  try {
    const twin = await twinUp(ctx.stateDir, ctx.processEnv, ctx.region ?? DEFAULT_REGION, port);
    ctx.out.step(`${twin.reused ? 'reusing' : 'started'} the AWS emulator at ${twin.endpoint}`);
    const target = await ctx.aws();
    const { cluster, stack: clusterStack } = await registerDevCluster(target, ctx);
    ctx.out.step(`cluster ${cluster.name} registered with OIDC provider ${cluster.issuer.replace(/^https:\/\//, '')}`);
    const { network } = cluster;
    ctx.out.step(`eksctl's cluster stack ${network.stack}: ${network.action}; the cluster is in ${network.vpcId}${network.attached ? ' (its subnets attached now)' : ''}`);

    const { report: deploy, plans } = await deployTemplates(ctx, { paths: [], force: false, concurrency: 4 });
    const resources = await checkPresence(target, [clusterStack, ...plans]);
    const failed = deploy.stacks.some((s) => s.result === 'failed') || resources.some((r) => r.presence === 'missing');
    const report: DevUpReport = { twin, cluster, deploy, resources, ...(localCluster ? { localCluster: await localCluster } : {}) };
    return { report, exitCode: failed ? 1 : 0 };
  } catch (error) {
    // Let the cluster's start finish (it cleans up after itself on failure) before reporting.
    await localCluster?.catch(() => undefined);
    throw error;
  }
}

async function startLocalCluster(ctx: Context): Promise<ClusterUpReport> {
  const { clusterUp } = await import('./cluster/lifecycle.js');
  return clusterUp(ctx.stateDir, ctx.processEnv, { repo: ctx.root, progress: (line) => ctx.out.step(`cluster: ${line}`) });
}

export function renderDevUp(report: DevUpReport, paint: Paint): string {
  const mark = (p: string) => (p === 'present' ? paint('green', p) : p === 'missing' ? paint('red', p) : paint('yellow', p));
  const rows = report.resources.map((r) => [r.stack.replace(/^biomage-|-development$/g, ''), r.logicalId, r.type, mark(r.presence), r.detail ?? '']);
  return [
    renderDeployReport(report.deploy, paint),
    '',
    renderTable(['stack', 'resource', 'type', 'in the emulator', 'note'], rows),
    '',
    `The local twin runs at ${report.twin.endpoint} (pid ${report.twin.pid}).`,
    `  services: set -a; . ${report.twin.files.envFile}; set +a`,
    `  log:      ${report.twin.files.logFile}`,
    '  stop it:  biomage dev down',
    ...(report.localCluster ? ['', renderClusterUp(report.localCluster)] : []),
  ].join('\n');
}
