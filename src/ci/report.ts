import type { PlannedChange } from '../cf/stack-deployer.js';
import { renderTable, repositoriesOutcome } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import type { KeyRef } from './keys.js';
import type { PolicyDiff } from './users-stack.js';

/**
 * What `rotate-ci` reports, per repository. Keys are named by creation date only: no access key
 * id, secret or token is ever part of the report.
 */

/** ok; failed; skipped (no .ci.yaml); planned (--dry-run); kept or pruned (a user whose repository no longer declares one). */
export type RepositoryResult = 'ok' | 'failed' | 'skipped' | 'planned' | 'kept' | 'pruned';
export type PolicyChange = 'create' | 'update' | 'unchanged' | 'remove' | 'none';

export interface RepositoryReport {
  repository: string;
  user: string | null;
  /** `.ci.yaml` or `.ci.yml` when one was found. */
  file: string | null;
  result: RepositoryResult;
  /** What the stack does to the user: under --dry-run, what it would do. */
  policies: PolicyChange;
  policyChanges: PolicyDiff;
  /** The stack change that carries the policies was deployed. */
  policiesApplied: boolean;
  keyRotated: boolean;
  /** Creation date of the key CI uses after the run, when one was made. */
  newKey: string | null;
  /** Keys deleted (under --dry-run: that would be), and why. */
  deletedKeys: (KeyRef & { why: 'inactive-at-limit' | 'replaced' | 'pruned' })[];
  /** Actions secrets GitHub confirmed; under --dry-run, those that would be written. */
  secretsUpdated: string[];
  notes: string[];
  errors: { message: string; hint?: string }[];
}

export interface RotateCiReport {
  organisation: string;
  env: string;
  region: string;
  dryRun: boolean;
  prune: boolean;
  stack: {
    name: string;
    /** create, update, unchanged, no-changes, recreate; none when there was nothing to deploy. */
    action: string;
    result: 'ok' | 'failed' | 'planned' | 'skipped';
    changes?: PlannedChange[];
    error?: { message: string; resource?: string; reason?: string };
  };
  repositories: RepositoryReport[];
}

export function emptyRepositoryReport(repository: string): RepositoryReport {
  return {
    repository,
    user: null,
    file: null,
    result: 'ok',
    policies: 'none',
    policyChanges: { added: [], updated: [], removed: [] },
    policiesApplied: false,
    keyRotated: false,
    newKey: null,
    deletedKeys: [],
    secretsUpdated: [],
    notes: [],
    errors: [],
  };
}

export function exitCodeOf(report: RotateCiReport): number {
  return report.stack.result === 'failed' || report.repositories.some((r) => r.result === 'failed') ? 1 : 0;
}

export function renderRotateCiReport(report: RotateCiReport, paint: Paint): string {
  const would = (text: string) => (report.dryRun ? `would ${text}` : text);
  const colour = (result: RepositoryResult) =>
    result === 'ok' || result === 'pruned' ? paint('green', result) : result === 'failed' ? paint('red', result) : result === 'skipped' ? result : paint('yellow', result);

  const policies = (r: RepositoryReport) => {
    const { added, updated, removed } = r.policyChanges;
    const detail = [...added.map((n) => `+${n}`), ...updated.map((n) => `~${n}`), ...removed.map((n) => `-${n}`)].join(' ');
    switch (r.policies) {
      case 'create':
        return `${would('create user')}${detail ? ` ${detail}` : ''}`;
      case 'update':
        return `${would('update')} ${detail}`;
      case 'remove':
        return would('remove user');
      case 'unchanged':
        return 'unchanged';
      default:
        return '-';
    }
  };
  const key = (r: RepositoryReport) => {
    if (r.keyRotated) return 'rotated';
    if (report.dryRun && r.result === 'planned') return 'would rotate';
    if (r.result === 'pruned' || (report.dryRun && r.deletedKeys.some((k) => k.why === 'pruned'))) return would('delete keys');
    return r.user && r.result === 'failed' ? 'not rotated' : '-';
  };
  const secrets = (r: RepositoryReport) => {
    if (!r.secretsUpdated.length) return r.user && r.result === 'failed' && r.policies !== 'remove' ? 'not updated' : '-';
    return report.dryRun ? 'would update' : r.secretsUpdated.length === 2 ? 'updated' : `updated ${r.secretsUpdated.join(', ')}`;
  };

  const rows = report.repositories.map((r) => [r.repository, policies(r), key(r), secrets(r), colour(r.result)]);
  const lines = [
    `stack ${report.stack.name}: ${report.stack.action} (${report.stack.result})`,
    '',
    renderTable(['repository', 'policies', 'key', 'secrets', 'result'], rows),
  ];
  if (report.stack.error) {
    lines.push('', `${paint('red', 'error:')} ${report.stack.error.message}`);
    if (report.stack.error.resource) lines.push(`  failed resource: ${report.stack.error.resource}`);
    if (report.stack.error.reason) lines.push(`  reason: ${report.stack.error.reason}`);
  }
  for (const r of report.repositories) {
    const deleted = r.deletedKeys.map((k) => `${report.dryRun ? 'would delete' : 'deleted'} the ${k.status.toLowerCase()} key created ${k.created} (${k.why})`);
    const details = [...r.notes, ...deleted];
    if (!details.length && !r.errors.length) continue;
    lines.push('', `${r.repository}:`);
    for (const note of details) lines.push(`  ${note}`);
    for (const error of r.errors) {
      lines.push(`  ${paint('red', 'error:')} ${error.message}`);
      if (error.hint) lines.push(`  next:  ${error.hint}`);
    }
  }
  const failed = report.repositories.filter((r) => r.result === 'failed').length;
  lines.push('', repositoriesOutcome(failed, { dryRun: report.dryRun, otherFailure: report.stack.result === 'failed' }, paint));
  return lines.join('\n');
}
