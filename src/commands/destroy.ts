import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../context.js';
import type { DestroyRequest } from '../destroy/destroy.js';
import type { Runner } from './runner.js';

interface DestroyOptions {
  concurrency: number;
  confirmEnv?: string;
}

export function registerDestroy(program: Command, runner: Runner): void {
  program
    .command('destroy')
    .description("delete the environment's stacks biomage-<template>-<env> (all of cf/, or the named templates), importers first")
    .argument('[templates...]', 'templates under cf/ whose stacks to delete (default: all of cf/)')
    .option('--confirm-env <env>', 'repeat the environment: production runs without a prompt need it beside --yes')
    .addOption(
      new Option('--concurrency <n>', 'stacks deleted at once').default(4).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('must be a whole number from 1 to 16');
        return n;
      }),
    )
    .addHelpText(
      'after',
      `
First it reads what is deployed (CloudFormation DescribeStacks, GetTemplate, ListStackResources,
ListExports, ListImports) and prints the stacks to delete and the resources their deletion keeps:
DeletionPolicy Retain (or RetainExceptOnCreate) by physical id, and Snapshot as a final snapshot
(an RDS cluster or lone instance without a policy gets CloudFormation's default, Snapshot).
A DeletionPolicy such as !If [IsDevelopment, Delete, Retain] is evaluated with the stack's
parameters as deployed. --dry-run stops there. Only stacks deploy-cf made are deleted (tag
biomage:environment=<env>); eksctl's stacks and any other are never touched.

Refused up front (exit 2, nothing deleted): a stack whose export a stack outside the run imports
(named, with the export), a stack with termination protection (the command that lifts it is
printed), a resource it would delete whose deletion protection is on (read live: RDS
DescribeDBClusters/DescribeDBInstances, DynamoDB DescribeTable, Cognito DescribeUserPool; the
command that lifts it is printed), a stack busy in another operation, a stack not made by
deploy-cf for <env>.

Then DeleteStack, importers before exporters, in parallel where independent, each awaited with
its events streamed (DescribeStackEvents); RDS DescribeDBSnapshots/DescribeDBClusterSnapshots
name the final snapshots. A stack already gone is "absent". A DELETE_FAILED names the resource
and the reason (exit 1); fix it and rerun the same command: it resumes. The end lists what was
kept again. staging asks for its name, or needs --yes; production asks for its name, or needs
both --yes and --confirm-env production (no terminal, or CI set: it never prompts).`,
    )
    .action(
      runner.action<DestroyOptions, [string[]]>(async (ctx, options, templates) => {
        return destroyCommand(ctx, {
          paths: templates,
          concurrency: options.concurrency,
          ...(options.confirmEnv !== undefined ? { confirmEnv: options.confirmEnv } : {}),
        });
      }),
    );
}

/** Destroy, then show the summary: exit 1 when any stack was not deleted. */
export async function destroyCommand(ctx: Context, request: DestroyRequest): Promise<number> {
  const [{ destroyStacks }, { renderDestroyReport }] = await Promise.all([import('../destroy/destroy.js'), import('../destroy/report.js')]);
  const report = await destroyStacks(ctx, request);
  const exitCode = report.stacks.some((s) => s.result === 'failed' || s.result === 'skipped') ? 1 : 0;
  ctx.out.result(ctx.command, report, renderDestroyReport, exitCode);
  return exitCode;
}
