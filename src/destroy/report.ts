import type { Paint } from '../ui/style.js';
import type { RetainedResource } from './retention.js';
import type { DeleteOutcome } from './run.js';

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
