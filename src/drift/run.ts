import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk } from '../aws/sdk.js';
import type { Context } from '../context.js';
import { UsageError } from '../ui/errors.js';
import { clusterDrift, findCluster, type ClusterDriftResult } from './cluster.js';
import type { Difference } from './difference.js';
import { driftReport, type DriftReport, type DriftScope } from './report.js';
import { stackDrift, type StackCheck } from './stacks.js';

export interface DriftRequest {
  /** Templates named on the command line; empty: all of cf/. */
  paths: string[];
  scope: DriftScope[];
  concurrency: number;
  /** Tests pass a client with a call counter; otherwise one is built for the target. */
  cfn?: CloudFormationClient;
  root?: string;
}

/**
 * What differs between the code and what runs in `ctx.env`: the stacks (CloudFormation drift
 * detection, then the code against the recorded hashes and the stacks against cf/), then the
 * cluster when it can be reached. Reads only.
 */
export async function runDrift(ctx: Context, request: DriftRequest): Promise<DriftReport> {
  const root = request.root ?? ctx.root;
  const wantStacks = request.scope.includes('stacks');
  const wantCluster = request.scope.includes('cluster');
  if (request.paths.length && !wantStacks) throw new UsageError('templates were named but --only cluster compares no stacks', { hint: 'drop the templates, or --only' });

  // Decided first: --only cluster without a cluster is bad usage, before anything is read.
  const found = wantCluster ? findCluster(ctx.env, ctx.processEnv, () => ctx.stateDir) : undefined;
  if (found && 'skipped' in found && !wantStacks) {
    throw new UsageError(`--only cluster, but there is no cluster to compare: ${found.skipped}`, { hint: `run \`${found.next}\` first` });
  }

  const differences: Difference[] = [];
  const notes: string[] = [];
  let stacks: StackCheck[] | undefined;
  let region: string | undefined;
  if (wantStacks) {
    const target = await ctx.aws();
    region = target.region;
    const cfn = request.cfn ?? awsClient(cloudFormationSdk().CloudFormationClient, target);
    const progress = ctx.out.liveStatus();
    try {
      ctx.out.step(`Detecting drift on the stacks of ${ctx.env} (${target.region}${target.local ? `, the twin at ${target.endpoint ?? '?'}` : ''})`);
      const result = await stackDrift({
        root,
        env: ctx.env,
        target,
        cfn,
        paths: request.paths,
        concurrency: request.concurrency,
        secret: (value) => ctx.out.secret(value),
        progress: (stack, message) => progress.set(stack, message),
      });
      stacks = result.checks;
      differences.push(...result.differences);
      notes.push(...result.notes);
    } finally {
      progress.finish();
      if (!request.cfn) cfn.destroy();
    }
  }

  let cluster: ClusterDriftResult | undefined;
  if (found) {
    if ('skipped' in found) cluster = { skipped: `${found.skipped}; \`${found.next}\` makes it reachable`, parts: [], differences: [] };
    else cluster = await clusterDrift(ctx, found.target, root);
    differences.push(...cluster.differences);
  }
  return driftReport({ env: ctx.env, ...(region ? { region } : {}), scope: request.scope, ...(stacks ? { stacks } : {}), ...(cluster ? { cluster } : {}), differences, notes });
}
