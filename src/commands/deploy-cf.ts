import { InvalidArgumentError, Option, type Command } from 'commander';
import type { DeployCfRequest } from '../cf/deploy-command.js';
import type { Context } from '../context.js';
import type { Runner } from './runner.js';

interface DeployCfOptions {
  changedSince?: string;
  force?: boolean;
  concurrency: number;
}

export function registerDeployCf(program: Command, runner: Runner): void {
  program
    .command('deploy-cf')
    .description('deploy cf/ templates as stacks biomage-<template>-<env>, through change sets, in parallel where independent')
    .argument('[templates...]', 'templates under cf/ to deploy (default: all of cf/)')
    .option('--changed-since <git-ref>', 'only the templates changed since this git ref (what CI passes)')
    .option('--force', 'create a change set even when the template and parameters are unchanged since the last deploy')
    .addOption(
      new Option('--concurrency <n>', 'stacks deployed at once').default(4).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('must be a whole number from 1 to 16');
        return n;
      }),
    )
    .addHelpText(
      'after',
      `
Every template gets Environment=<env>; IRSA templates (cf/irsa-*.yaml) get OIDCProvider from the
EKS cluster biomage-<env>. Any other parameter takes its value for <env> from cf/parameters.yaml
(\`<template>:\` → \`<Parameter>: <value>\`, or \`<Parameter>:\` → \`<env>: <value>\`), else its Default.
A parameter with neither, or a value its declaration rejects, stops the run before anything is
deployed (exit 2, every problem listed with file:line). The summary names the values taken from
the file; NoEcho values are shown as ****. A changed value updates its stack; unchanged, nothing is called.
--dry-run creates each change set, prints it, and deletes it: nothing is deployed.
production asks for confirmation, or needs --yes. Exit 1 when any stack failed.`,
    )
    .action(
      runner.action<DeployCfOptions, [string[]]>(async (ctx, options, templates) => {
        return deployCfCommand(ctx, {
          paths: templates,
          changedSince: options.changedSince,
          force: Boolean(options.force),
          concurrency: options.concurrency,
        });
      }),
    );
}

/** Deploy, then show the summary: exit 1 when any stack failed. */
export async function deployCfCommand(ctx: Context, request: DeployCfRequest): Promise<number> {
  const { deployTemplates, renderDeployReport } = await import('../cf/deploy-command.js');
  const { report } = await deployTemplates(ctx, request);
  const exitCode = report.stacks.some((s) => s.result === 'failed') ? 1 : 0;
  ctx.out.result(ctx.command, report, renderDeployReport, exitCode);
  return exitCode;
}
