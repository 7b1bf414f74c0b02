import { Option, type Command } from 'commander';
import type { CheckOptions, Format } from '../checks/check-command.js';
import type { Context } from '../context.js';
import type { Runner } from './runner.js';

interface CheckCommandOptions {
  format: 'text' | 'json' | 'sarif';
  base?: string;
  listRules?: boolean;
}

export function registerCheck(program: Command, runner: Runner): void {
  program
    .command('check')
    .description('validate the repository offline: linters (cfn-lint, helm, kubeconform, actionlint, eksctl schema) and its own rules')
    .argument('[paths...]', 'report only findings in these files or folders (the whole repository is still read)')
    .addOption(new Option('--format <format>', 'text, json (the --json document) or sarif (for GitHub code scanning, on stdout)').choices(['text', 'json', 'sarif']).default('text'))
    .option('--base <git-ref>', 'compare node groups in infra/cluster.yaml with this revision (default: the merge base with main)')
    .option('--list-rules', 'print every rule with its rationale and fix, and exit')
    .addHelpText(
      'after',
      `
Findings read \`file:line rule-id message (fix: …)\`. Silence one with a reason, on its line or
the line above: \`# biomage-check: ignore <rule-id> <reason>\`; suppressions are listed in the summary.
Exit 0 clean, 3 findings, 2 a tool or its schemas are missing (run \`make tools\`) or a path is unreadable.`,
    )
    .action(
      runner.action<CheckCommandOptions, [string[]]>(async (ctx, options, paths) => {
        if (options.listRules) return listRulesCommand(ctx);
        return checkCommand(ctx, { paths, format: options.format, base: options.base });
      }),
    );
}

/** Check, and show the findings as text, the --json document or SARIF: exit 0 clean, 3 findings. */
export async function checkCommand(ctx: Context, request: CheckOptions & { format: Format }): Promise<number> {
  const { checkRepository, jsonDocument, renderCheckReport, sarifDocument } = await import('../checks/check-command.js');
  const report = await checkRepository(ctx, request);
  const exitCode = report.findings.length ? 3 : 0;
  if (request.format === 'sarif') {
    ctx.out.document(sarifDocument(report));
    ctx.out.info(`${report.findings.length} findings, ${report.suppressed.length} suppressed (SARIF on stdout)`);
  } else if (request.format === 'json' || ctx.out.json) {
    // --format json is the global --json envelope.
    ctx.out.result(ctx.command, jsonDocument(report), () => renderCheckReport(report, ctx.out.paint), exitCode, true);
  } else {
    ctx.out.result(ctx.command, report, renderCheckReport, exitCode);
  }
  return exitCode;
}

/** `--list-rules`: every rule with its rationale and fix. */
export async function listRulesCommand(ctx: Context): Promise<number> {
  const { ruleCatalogue, renderRules } = await import('../checks/check-command.js');
  ctx.out.result(ctx.command, ruleCatalogue(), renderRules);
  return 0;
}
