import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RDSClient } from '@aws-sdk/client-rds';
import { basename, relative } from 'node:path';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, cognitoSdk, dynamoDbSdk, rdsSdk } from '../aws/sdk.js';
import { TEMPLATE_FILE } from '../cf/layout.js';
import { selectTemplates, templateNames } from '../cf/selection.js';
import { stackName } from '../cf/template.js';
import type { Context } from '../context.js';
import { mapLimit } from '../map-limit.js';
import { confirmDestruction } from '../ui/confirm.js';
import { inspectStacks } from './inspect.js';
import { deletionOrder } from './order.js';
import { protectedResources, type ProtectionClients } from './protection.js';
import { assertDeletable } from './refusals.js';
import type { RetainedResource } from './retention.js';
import { renderDestroyPlan, type DestroyedStack, type DestroyReport } from './report.js';
import { runDeletion } from './run.js';
import { snapshotIds, snapshotLookups } from './snapshots.js';

export interface DestroyRequest {
  /** Templates under cf/ named on the command line; none means all of cf/. */
  paths: string[];
  concurrency: number;
  /** --confirm-env: production's second confirmation for runs without a prompt. */
  confirmEnv?: string;
  /** Tests pass clients bound to the emulator; otherwise they are built for the target. */
  cfn?: CloudFormationClient;
  rds?: RDSClient;
  dynamodb?: DynamoDBClient;
  cognito?: CognitoIdentityProviderClient;
  root?: string;
  /** Tests answer the confirmation prompt; otherwise it is read from the terminal. */
  prompt?: (question: string) => Promise<string>;
}

/**
 * Take the environment's stacks (all of cf/, or the named templates) down: read what is deployed,
 * refuse up front what cannot or must not be deleted, show what will go and what will be kept,
 * confirm, then delete importers before exporters, in parallel where independent.
 */
export async function destroyStacks(ctx: Context, request: DestroyRequest): Promise<DestroyReport> {
  const root = request.root ?? ctx.root;
  const files = await selectTemplates(root, { paths: request.paths });
  const selected = files.map((file) => {
    const name = basename(file).replace(TEMPLATE_FILE, '');
    return { template: relative(root, file), stack: stackName({ name }, ctx.env) };
  });
  const target = await ctx.aws();
  const owned: { destroy(): void }[] = [];
  // Each client is built on first use, for the target, unless the caller handed one over.
  const client = <C extends { destroy(): void }>(given: C | undefined, make: () => C): (() => C) => {
    let made = given;
    return () => {
      if (!made) owned.push((made = make()));
      return made;
    };
  };
  const cfn = client(request.cfn, () => awsClient(cloudFormationSdk().CloudFormationClient, target))();
  const clients: ProtectionClients = {
    rds: client(request.rds, () => awsClient(rdsSdk().RDSClient, target)),
    dynamodb: client(request.dynamodb, () => awsClient(dynamoDbSdk().DynamoDBClient, target)),
    cognito: client(request.cognito, () => awsClient(cognitoSdk().CognitoIdentityProviderClient, target)),
  };
  try {
    const live = await inspectStacks(cfn, selected.map((s) => s.stack), { env: ctx.env, region: target.region, concurrency: request.concurrency });
    const ownStacks = new Set(templateNames(root).map((name) => stackName({ name }, ctx.env)));
    const { waitsFor, blocking } = deletionOrder([...live.stacks.keys()], live.imports, (s) => ownStacks.has(s));
    const deployed = [...live.stacks.values()];
    assertDeletable(ctx.env, deployed, blocking, await protectedResources(deployed, clients, request.concurrency));

    const stacks = selected.map(({ stack, template }): DestroyedStack => {
      const existing = live.stacks.get(stack);
      if (!existing) return { stack, template, result: 'absent', waitsFor: [], retained: [] };
      return { stack, template, result: 'planned', waitsFor: waitsFor.get(stack) ?? [], retained: existing.retained };
    });
    const report: DestroyReport = { env: ctx.env, region: target.region, dryRun: ctx.dryRun, stacks, retained: stacks.flatMap((s) => s.retained) };
    ctx.out.info(renderDestroyPlan(report));
    const doomed = stacks.filter((s) => s.result === 'planned');
    if (ctx.dryRun || !doomed.length) return report;

    await confirmDestruction(ctx, `destroy of ${doomed.length} stack${doomed.length === 1 ? '' : 's'}`, request.confirmEnv, request.prompt);

    const rds = snapshotLookups(report.retained).length ? clients.rds() : undefined;
    const before = rds ? await snapshotsNow(rds, report.retained) : new Map<RetainedResource, Set<string>>();

    const progress = ctx.out.liveStatus();
    for (const s of doomed) progress.set(s.stack, s.waitsFor.length ? `waiting for ${s.waitsFor.join(', ')}` : 'queued');
    const outcomes = await runDeletion(
      cfn,
      doomed.map((s) => ({ name: s.stack, id: live.stacks.get(s.stack)?.id ?? s.stack, waitsFor: s.waitsFor })),
      {
        concurrency: request.concurrency,
        pollMs: target.local ? 50 : 3_000,
        hooks: { status: (stack, message) => progress.set(stack, message), event: (stack, e) => progress.log(eventLine(stack, e)) },
      },
    );
    for (const o of outcomes) progress.set(o.stack, `${o.result} (${(o.durationMs / 1000).toFixed(1)}s)`);
    progress.finish();

    const byStack = new Map(outcomes.map((o) => [o.stack, o]));
    for (const s of stacks) {
      const outcome = byStack.get(s.stack);
      if (!outcome) continue;
      s.result = outcome.result;
      s.durationMs = outcome.durationMs;
      if (outcome.error) s.error = outcome.error;
    }
    if (rds) {
      const after = await snapshotsNow(rds, report.retained);
      for (const [resource, ids] of after) resource.snapshots = [...ids].filter((id) => !before.get(resource)?.has(id)).sort();
    }
    // Only the deleted stacks' resources were kept; a failed stack still holds its own.
    report.retained = stacks.filter((s) => s.result === 'deleted').flatMap((s) => s.retained);
    return report;
  } finally {
    for (const c of owned) c.destroy();
  }
}

async function snapshotsNow(rds: RDSClient, retained: readonly RetainedResource[]): Promise<Map<RetainedResource, Set<string>>> {
  const lookups = snapshotLookups(retained);
  const found = await mapLimit(lookups, 4, (r) => snapshotIds(rds, r));
  return new Map(lookups.map((r, i) => [r, found[i] ?? new Set<string>()]));
}

/** One stack event as deploy-cf prints it. */
function eventLine(stack: string, e: StackEvent): string {
  return `  ${stack}  ${e.ResourceStatus ?? ''}  ${e.ResourceType ?? ''}  ${e.LogicalResourceId ?? ''}${e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : ''}`;
}
