import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { EcrEnsureRequest } from '../ecr/ensure.js';
import type { Runner } from './runner.js';

export function registerEcr(program: Command, runner: Runner): void {
  const ecr = program.command('ecr').description("the platform's container image repositories in Amazon ECR");

  ecr
    .command('ensure')
    .description('create the ECR repositories, or converge existing ones to the platform settings (immutable tags, scan on push, lifecycle policy)')
    .argument('<repository...>', 'repository names, e.g. biomage/api (ECR rules: 2-256 characters, lower-case, . _ - / separators)')
    .addHelpText(
      'after',
      `
New repositories: IMMUTABLE tags, scan on push, AES256 encryption, the platform lifecycle policy.
Existing ones: only the settings that differ are changed; encryption cannot be, and is reported.
--dry-run only reads. production asks for confirmation, or needs --yes.
Calls only ecr:DescribeRepositories, CreateRepository, GetLifecyclePolicy, PutLifecyclePolicy,
PutImageTagMutability, PutImageScanningConfiguration (docs/runbooks/ecr.md).
Exit 1 when any repository failed; exit 2 for a bad name (nothing is changed).`,
    )
    .action(
      runner.action<Record<string, never>, [string[]]>((ctx, _options, names) => ecrEnsureCommand(ctx, { names })),
    );
}

/** Ensure the repositories and show the result: exit 1 when any failed. */
export async function ecrEnsureCommand(ctx: Context, request: EcrEnsureRequest): Promise<number> {
  const { ecrEnsure, renderEcrEnsureReport } = await import('../ecr/ensure.js');
  const report = await ecrEnsure(ctx, request);
  const exitCode = report.repositories.some((r) => r.action === 'failed') ? 1 : 0;
  ctx.out.result(ctx.command, report, renderEcrEnsureReport, exitCode);
  return exitCode;
}
