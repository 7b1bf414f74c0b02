import { resolve } from 'node:path';
import { DEFAULT_REGION } from '../config/environments.js';
import type { Context } from '../context.js';
import { biomageVersion, repoRoot } from '../paths.js';
import { UsageError } from '../ui/errors.js';
import { renderSarif } from './report/sarif.js';
import { formatFinding, renderText } from './report/text.js';
import { RULES, ruleOf, runCheck, type CheckRequest } from './run-check.js';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export interface CheckOptions {
  paths: string[];
  format: Format;
  base?: string;
  root?: string;
}

/** `biomage check`: exit 0 clean, 3 findings; 2 (thrown) for a missing tool or unreadable input. */
export async function check(ctx: Context, options: CheckOptions): Promise<number> {
  const root = resolve(options.root ?? repoRoot);
  const report = await runCheck({
    root,
    paths: options.paths,
    cwd: process.cwd(),
    base: gitBase(root, options.base, (m) => ctx.out.warn(m)),
    region: ctx.region ?? DEFAULT_REGION,
    env: ctx.processEnv,
  });
  const exitCode = report.findings.length ? 3 : 0;
  if (options.format === 'sarif') {
    ctx.out.document(renderSarif(report, ruleOf, biomageVersion()));
    ctx.out.info(`${report.findings.length} findings, ${report.suppressed.length} suppressed (SARIF on stdout)`);
  } else if (options.format === 'json' || ctx.out.json) {
    // --format json is the global --json envelope: findings with their fix, suppressions, counts.
    const json = { ...report, findings: report.findings.map((f) => ({ ...f, fix: f.fix ?? ruleOf(f.rule)?.fix, text: formatFinding(f, ruleOf) })) };
    ctx.out.result(ctx.command, json, () => renderText(report, ruleOf, ctx.out.paint), exitCode, true);
  } else {
    ctx.out.result(ctx.command, report, (r, paint) => renderText(r, ruleOf, paint), exitCode);
  }
  return exitCode;
}

/** The rule catalogue, for `--list-rules` and the docs. */
export function listRules(ctx: Context): number {
  const rules = [...RULES.values()].sort((a, b) => a.id.localeCompare(b.id));
  ctx.out.result(ctx.command, rules, () => rules.map((r) => `${r.id}\n  why: ${r.rationale}\n  fix: ${r.fix}`).join('\n'));
  return 0;
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
