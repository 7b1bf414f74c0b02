import { InvalidArgumentError, Option, type Command } from 'commander';
import type { DeployCfRequest } from '../cf/deploy-command.js';
import type { Context } from '../context.js';
import type { Runner } from './runner.js';

interface DeployCfOptions {
  changedSince?: string;
  force?: boolean;
  concurrency: number;
  allowReplace: string[];
}

export function registerDeployCf(program: Command, runner: Runner): void {
  program
    .command('deploy-cf')
    .description('deploy cf/ templates as stacks biomage-<template>-<env>, through change sets, in parallel where independent')
    .argument('[templates...]', 'templates under cf/ to deploy (default: all of cf/)')
    .option('--changed-since <git-ref>', 'only the templates changed since this git ref (what CI passes)')
    .option('--force', 'create a change set even when the template and parameters are unchanged since the last deploy')
    .option(
      '--allow-replace <stack:LogicalId>',
      'let this one stateful resource be replaced or removed (repeatable; copy its data first: docs/runbooks/replacement.md)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
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

Data is never lost silently. Before executing anything, every update's change set is read: a
Remove, or a Modify that CloudFormation says replaces (Replacement True or Conditional), of a
stateful resource (DynamoDB tables, S3 buckets, RDS clusters and instances, Cognito user pools,
ElastiCache, Secrets Manager secrets, KMS keys, EFS file systems, SQS queues, ...) stops the run in
staging and production: exit 2, every change set deleted, no stack changed. The message names the
stack, the resource, its type and the property that forces the replacement. After copying the
data (docs/runbooks/replacement.md), --allow-replace <stack>:<LogicalId> lets exactly that
resource through. development prints a warning and deploys. --dry-run lists these changes first.

production stacks get termination protection and a stack policy denying Update:Replace and
Update:Delete of their stateful resources; --allow-replace lifts it for that update only, and the
policy is restored afterwards, whatever the outcome.
production asks for confirmation, or needs --yes. Exit 1 when any stack failed; 2 when the input
is unusable or a change was refused (nothing was deployed).`,
    )
    .action(
      runner.action<DeployCfOptions, [string[]]>(async (ctx, options, templates) => {
        return deployCfCommand(ctx, {
          paths: templates,
          changedSince: options.changedSince,
          force: Boolean(options.force),
          concurrency: options.concurrency,
          allowReplace: options.allowReplace,
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
