import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws/sdk.js';
import type { Environment } from '../config/environments.js';
import type { Context } from '../context.js';
import { OperationError } from '../ui/errors.js';
import { HASH_TAG, type StackPlan } from './plan.js';
import { deployStack, type StackOutcome } from './stack-deployer.js';

/*
 * One stack that configure deploys from a plan it builds by hand (infra/cf-route53.yaml,
 * infra/cf-github-oidc.yaml): read it, tell from its recorded hash what deploying would do, and
 * deploy it through deploy-cf's deployer (change sets, events, the hash tag).
 */

/** The stack, or undefined when there is none. Reads only. */
export async function readStack(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  const { DescribeStacksCommand } = cloudFormationSdk();
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** Statuses of a stack that holds no resources: the deployer deletes it and creates it again. */
const EMPTY = new Set(['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS', 'DELETE_COMPLETE']);

/** The stack holds its resources (in CloudFormation's view): it exists and its creation did not fail. */
export function holdsResources(stack: Stack | undefined): boolean {
  return !!stack && !EMPTY.has(stack.StackStatus ?? '');
}

/** A parameter the stack was last deployed with. */
export function stackParameter(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

/** One output of the stack. */
export function stackOutput(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

/** What deployStack would do with the plan, from the stack's recorded hash alone: reads only, for --dry-run. */
export function plannedStackAction(plan: StackPlan, existing: Stack | undefined): 'create' | 'recreate' | 'update' | 'unchanged' {
  if (!existing) return 'create';
  if (EMPTY.has(existing.StackStatus ?? '')) return 'recreate';
  const recorded = existing.Tags?.find((t) => t.Key === HASH_TAG)?.Value;
  return recorded === plan.hash && SUCCESS.has(existing.StackStatus ?? '') ? 'unchanged' : 'update';
}

export interface SingleStackInput {
  env: Environment;
  /** The emulator: poll CloudFormation every 50 ms instead of every 3 s. */
  local: boolean;
  /** The command that resumes after a failure is fixed, for the error's hint (default: configure). */
  rerun?: string;
}

/**
 * Deploy the stack, with a progress line and its events as they happen. A failure is an
 * OperationError naming the stack, the resource and CloudFormation's reason.
 */
export async function deploySingleStack(ctx: Pick<Context, 'out'>, cfn: CloudFormationClient, plan: StackPlan, existing: Stack | undefined, input: SingleStackInput): Promise<StackOutcome> {
  const progress = ctx.out.liveStatus();
  progress.set(plan.stackName, 'starting');
  let outcome: StackOutcome;
  try {
    outcome = await deployStack(cfn, plan, existing, {
      env: input.env,
      dryRun: false,
      force: false,
      pollMs: input.local ? 50 : 3_000,
      hooks: {
        status: (stack, message) => progress.set(stack, message),
        event: (stack, e) =>
          progress.log(`  ${stack}  ${e.ResourceStatus ?? ''}  ${e.ResourceType ?? ''}  ${e.LogicalResourceId ?? ''}${e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : ''}`),
      },
    });
    progress.set(plan.stackName, `${outcome.action}: ${outcome.result} (${(outcome.durationMs / 1000).toFixed(1)}s)`);
  } finally {
    progress.finish();
  }
  if (outcome.result !== 'failed') return outcome;
  const error = outcome.error;
  throw new OperationError(`${error?.message ?? `${plan.stackName} failed`}${error?.reason ? `: ${error.reason}` : ''}`, {
    where: `stack ${plan.stackName}${error?.resource ? `, ${error.resource}` : ''}`,
    hint: `read the stack's events (aws cloudformation describe-stack-events --stack-name ${plan.stackName}), fix the cause, then rerun ${input.rerun ?? 'configure'}`,
  });
}
