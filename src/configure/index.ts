import type { Context } from '../context.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { OperationError } from '../ui/errors.js';

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
