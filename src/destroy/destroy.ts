import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import type { RDSClient } from '@aws-sdk/client-rds';
import { basename, relative } from 'node:path';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, rdsSdk } from '../aws/sdk.js';
import { TEMPLATE_FILE } from '../cf/layout.js';
import { selectTemplates, templateNames } from '../cf/selection.js';
import { stackName } from '../cf/template.js';
import type { Context } from '../context.js';
import { mapLimit } from '../map-limit.js';
import { confirmDestruction } from '../ui/confirm.js';
import { InputError } from '../ui/errors.js';
import type { Paint } from '../ui/style.js';
import { ENVIRONMENT_TAG, inspectStacks, type DeployedStack } from './inspect.js';
import { deletionOrder, type BlockingImport } from './order.js';
import type { RetainedResource } from './retention.js';
import { runDeletion, type DeleteOutcome } from './run.js';
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
  root?: string;
  /** Tests answer the confirmation prompt; otherwise it is read from the terminal. */
  prompt?: (question: string) => Promise<string>;
}

export type StackResult = 'planned' | 'deleted' | 'absent' | 'failed' | 'skipped';

export interface DestroyedStack {
  stack: string;
  template: string;
  result: StackResult;
  /** Stacks of the run importing its exports: deleted before it. */
  waitsFor: string[];
  /** What its deletion keeps (DeletionPolicy Retain or Snapshot), by physical id. */
  retained: RetainedResource[];
  durationMs?: number;
  error?: DeleteOutcome['error'];
}

export interface DestroyReport {
  env: string;
  region: string;
  dryRun: boolean;
  stacks: DestroyedStack[];
  /** Every resource (or final snapshot) that outlives the deleted stacks: the same as the stacks' `retained`, in one list. */
  retained: RetainedResource[];
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
  const cfn = request.cfn ?? awsClient(cloudFormationSdk().CloudFormationClient, target);
  try {
    const live = await inspectStacks(cfn, selected.map((s) => s.stack), { env: ctx.env, region: target.region, concurrency: request.concurrency });
    const ownStacks = new Set(templateNames(root).map((name) => stackName({ name }, ctx.env)));
    const { waitsFor, blocking } = deletionOrder([...live.stacks.keys()], live.imports, (s) => ownStacks.has(s));
    assertDeletable(ctx.env, [...live.stacks.values()], blocking);

    const stacks = selected.map(({ stack, template }): DestroyedStack => {
      const deployed = live.stacks.get(stack);
      if (!deployed) return { stack, template, result: 'absent', waitsFor: [], retained: [] };
      return { stack, template, result: 'planned', waitsFor: waitsFor.get(stack) ?? [], retained: deployed.retained };
    });
    const report: DestroyReport = { env: ctx.env, region: target.region, dryRun: ctx.dryRun, stacks, retained: stacks.flatMap((s) => s.retained) };
    ctx.out.info(renderDestroyPlan(report));
    const doomed = stacks.filter((s) => s.result === 'planned');
    if (ctx.dryRun || !doomed.length) return report;

    await confirmDestruction(ctx, `destroy of ${doomed.length} stack${doomed.length === 1 ? '' : 's'}`, request.confirmEnv, request.prompt);

    const rds = snapshotLookups(report.retained).length ? (request.rds ?? awsClient(rdsSdk().RDSClient, target)) : undefined;
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
      if (!request.rds) rds.destroy();
    }
    // Only the deleted stacks' resources were kept; a failed stack still holds its own.
    report.retained = stacks.filter((s) => s.result === 'deleted').flatMap((s) => s.retained);
    return report;
  } finally {
    if (!request.cfn) cfn.destroy();
  }
}

/** Everything that makes the run impossible or unsafe, all at once, before anything is deleted (exit 2). */
function assertDeletable(env: string, stacks: DeployedStack[], blocking: BlockingImport[]): void {
  const problems: { where: string; message: string; hint: string }[] = [];
  for (const s of stacks) {
    if (s.madeFor?.environment !== env) {
      problems.push({
        where: s.name,
        message: `${s.name} was not made by biomage deploy-cf for ${env} (its ${ENVIRONMENT_TAG} tag is ${s.madeFor?.environment ?? 'missing'})`,
        hint: 'destroy deletes only the stacks deploy-cf made; delete this one by hand if it really must go',
      });
    }
    if (s.terminationProtection) {
      problems.push({
        where: s.name,
        message: `${s.name} has termination protection`,
        hint: `if it really must go: aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${s.name}`,
      });
    }
    if (s.status.endsWith('_IN_PROGRESS') && s.status !== 'DELETE_IN_PROGRESS' && s.status !== 'REVIEW_IN_PROGRESS') {
      problems.push({ where: s.name, message: `${s.name} is busy (${s.status})`, hint: 'wait for it to settle, then rerun' });
    }
  }
  for (const b of blocking) {
    problems.push({
      where: b.exporter,
      message: `${b.exporter} exports ${b.exportName}, which ${b.importer} imports${b.importerHasTemplate ? '' : ' (a stack with no template in cf/)'}, and this run does not delete ${b.importer}`,
      hint: b.importerHasTemplate
        ? `destroy ${b.importer} in the same run (name its template too), or first deploy it without the import`
        : `delete ${b.importer} or remove its import first`,
    });
  }
  const [first] = problems;
  if (!first) return;
  if (problems.length === 1) throw new InputError(`destroy refused, nothing was deleted: ${first.message}`, { where: first.where, hint: first.hint });
  throw new InputError(
    [`destroy refused, nothing was deleted (${problems.length} problems):`, ...problems.map((p) => `  - ${p.message}\n    next: ${p.hint}`)].join('\n'),
    { where: first.where, hint: 'deal with each problem above, then rerun' },
  );
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

/** What the run will do: the stacks in deletion order and what their deletion keeps. */
export function renderDestroyPlan(report: DestroyReport): string {
  const doomed = report.stacks.filter((s) => s.result === 'planned');
  const absent = report.stacks.filter((s) => s.result === 'absent');
  const lines = [`destroy ${report.env} (${report.region}): ${doomed.length} stack${doomed.length === 1 ? '' : 's'} to delete`];
  for (const s of doomed) lines.push(`  delete  ${s.stack}${s.waitsFor.length ? `  (after ${s.waitsFor.join(', ')})` : ''}`);
  for (const s of absent) lines.push(`  absent  ${s.stack}`);
  lines.push(...retainedLines(report.retained, 'kept after the deletion (DeletionPolicy):', 'nothing is kept: every resource of these stacks is deleted.'));
  return lines.join('\n');
}

function retainedLines(retained: readonly RetainedResource[], heading: string, none: string): string[] {
  if (!retained.length) return [none];
  return [heading, ...retained.map((r) => `  ${describeLine(r)}`)];
}

function describeLine(r: RetainedResource): string {
  const what = `${r.type} ${r.physicalId}  (${r.stack} ${r.logicalId})`;
  const why = r.source === 'default' ? ', CloudFormation default' : r.source === 'unresolved' ? ', policy not decidable here: assumed kept' : '';
  if (r.policy === 'Snapshot') return `final snapshot of ${what}${r.snapshots?.length ? `: ${r.snapshots.join(', ')}` : ''}  [Snapshot${why}]`;
  return `${what}  [${r.policy}${why}]`;
}

export function renderDestroyReport(report: DestroyReport, paint: Paint): string {
  const lines: string[] = [];
  for (const s of report.stacks) {
    const result = s.result === 'deleted' || s.result === 'absent' ? paint('green', s.result) : s.result === 'planned' ? s.result : paint('red', s.result);
    lines.push(`${s.stack}  ${result}${s.durationMs !== undefined ? `  ${(s.durationMs / 1000).toFixed(1)}s` : ''}`);
    if (s.error) {
      lines.push(`  ${s.error.message}`);
      if (s.error.resource) lines.push(`  failed resource: ${s.error.resource}`);
      if (s.error.reason) lines.push(`  reason: ${s.error.reason}`);
    }
  }
  const failed = report.stacks.filter((s) => s.result === 'failed' || s.result === 'skipped');
  if (report.dryRun) {
    lines.push('', 'Dry run: nothing was deleted.');
    return lines.join('\n');
  }
  lines.push('', ...retainedLines(report.retained, 'Kept, not deleted (remove them deliberately when no longer wanted, see docs/runbooks/teardown.md):', 'Nothing was kept.'));
  if (failed.length) {
    lines.push('', paint('red', `${failed.length} stack(s) not deleted.`), 'Fix the cause named above, then rerun the same command: it resumes (stacks already gone show as absent).');
  } else {
    lines.push('', paint('green', 'Done.'));
  }
  return lines.join('\n');
}
