import { resolve } from 'node:path';
import { DEFAULT_REGION } from '../config/environments.js';
import type { Context } from '../context.js';
import { biomageVersion } from '../paths.js';
import { UsageError } from '../ui/errors.js';
import type { Paint } from '../ui/style.js';
import { renderSarif } from './report/sarif.js';
import { formatFinding, renderText } from './report/text.js';
import type { RuleDefinition } from './finding.js';
import { RULES, ruleOf, runCheck, type CheckReport, type CheckRequest } from './run-check.js';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export interface CheckOptions {
  paths: string[];
  base?: string;
  /** The repository to check; the command's (ctx.root) when unset. */
  root?: string;
}

/** `biomage check`'s findings; a missing tool or unreadable input is thrown (exit 2). */
export async function checkRepository(ctx: Context, options: CheckOptions): Promise<CheckReport> {
  const root = options.root === undefined ? ctx.root : resolve(options.root);
  return runCheck({
    root,
    paths: options.paths,
    cwd: process.cwd(),
    base: gitBase(root, options.base, (m) => ctx.out.warn(m)),
    region: ctx.region ?? DEFAULT_REGION,
    env: ctx.processEnv,
  });
}

/** The report as SARIF, for GitHub code scanning. */
export function sarifDocument(report: CheckReport): string {
  return renderSarif(report, ruleOf, biomageVersion());
}

/** The --json document (also --format json): findings with their fix and text line, suppressions, counts. */
export function jsonDocument(report: CheckReport) {
  return { ...report, findings: report.findings.map((f) => ({ ...f, fix: f.fix ?? ruleOf(f.rule)?.fix, text: formatFinding(f, ruleOf) })) };
}

export function renderCheckReport(report: CheckReport, paint: Paint): string {
  return renderText(report, ruleOf, paint);
}

/** The rule catalogue, for `--list-rules` and the docs. */
export function ruleCatalogue(): RuleDefinition[] {
  return [...RULES.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export function renderRules(rules: readonly RuleDefinition[]): string {
  return rules.map((r) => `${r.id}\n  why: ${r.rationale}\n  fix: ${r.fix}`).join('\n');
}

/**
 * The revision node groups are compared with: --base, or where HEAD left the main branch.
 * Resolved on first use: only a repository with infra/cluster.yaml needs git at all.
 */
function gitBase(root: string, ref: string | undefined, warn: (message: string) => void): CheckRequest['base'] {
  let resolved: Promise<{ name: string; commit?: string }> | undefined;
  const base = {
    name: ref ?? 'the main branch',
    async read(file: string): Promise<string | undefined> {
      const git = await import('../tools/git.js');
      resolved ??= (async () => {
        if (ref) {
          if (!(await git.revisionExists(ref, root))) {
            throw new UsageError(`--base ${ref} is not a revision of this clone`, { hint: 'name a branch, tag or commit; in a shallow CI clone fetch it first' });
          }
          return { name: ref, commit: ref };
        }
        const found = await git.mergeBase(['origin/main', 'main'], root);
        if (!found) warn('no main branch to compare infra/cluster.yaml with: node groups are not checked for edits; pass --base');
        return found ? { name: `${found.ref} (${found.commit.slice(0, 12)})`, commit: found.commit } : { name: 'none' };
      })();
      const { name, commit } = await resolved;
      base.name = name;
      return commit ? git.showFile(commit, `./${file}`, root) : undefined;
    },
  };
  return base;
}
