import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloudFormationSdk } from '../aws/sdk.js';
import { EventStream } from '../cf/stack-deployer.js';
import { runAfter } from '../run-after.js';

const { DeleteStackCommand, DescribeStacksCommand } = cloudFormationSdk();

export type DeleteResult = 'deleted' | 'failed' | 'skipped';

export interface DeleteOutcome {
  stack: string;
  result: DeleteResult;
  durationMs: number;
  /** For failures: the resource CloudFormation could not delete and why, or why the stack was not tried. */
  error?: { message: string; resource?: string; reason?: string; status?: string };
}

/** A stack to delete, by name and id (the id still finds it once it is gone). */
export interface DeleteTarget {
  name: string;
  id: string;
  /** Stacks of the run importing its exports: they are deleted first. */
  waitsFor: readonly string[];
}

export interface DeleteHooks {
  status(stack: string, message: string): void;
  event(stack: string, event: StackEvent): void;
}

export interface DeleteOptions {
  concurrency: number;
  /** How often to poll CloudFormation: short for the emulator, seconds for real AWS. */
  pollMs: number;
  hooks: DeleteHooks;
}

/**
 * Delete the stacks, at most `concurrency` at once; a stack starts once every stack of the run
 * importing its exports is gone. A failure skips the stacks it was waiting to free (their exports
 * are still imported) and leaves the others going.
 */
export function runDeletion(cfn: CloudFormationClient, targets: readonly DeleteTarget[], options: DeleteOptions): Promise<DeleteOutcome[]> {
  return runAfter<DeleteTarget, DeleteOutcome>(targets, {
    concurrency: options.concurrency,
    key: (target) => target.name,
    waitsFor: (target) => target.waitsFor,
    passOver: (target, outcomes) => {
      const blocked = target.waitsFor.filter((s) => outcomes.get(s)?.result !== 'deleted');
      if (!blocked.length) return undefined;
      options.hooks.status(target.name, 'skipped');
      return {
        stack: target.name,
        result: 'skipped',
        durationMs: 0,
        error: { message: `not deleted: ${blocked.join(', ')}, which import${blocked.length === 1 ? 's' : ''} its exports, did not delete` },
      };
    },
    run: (target) => {
      options.hooks.status(target.name, 'deleting');
      return deleteStack(cfn, target, options);
    },
  });
}

/**
 * DeleteStack, then wait for DELETE_COMPLETE or DELETE_FAILED, streaming the stack's events.
 * A DELETE_FAILED stack takes DeleteStack again, which is how a rerun resumes. Never throws for a
 * CloudFormation failure: the outcome says what happened, so one stack does not stop the others.
 */
export async function deleteStack(cfn: CloudFormationClient, target: DeleteTarget, options: DeleteOptions): Promise<DeleteOutcome> {
  const started = Date.now();
  const done = (outcome: Omit<DeleteOutcome, 'stack' | 'durationMs'>): DeleteOutcome => ({ stack: target.name, ...outcome, durationMs: Date.now() - started });
  try {
    const events = await EventStream.after(cfn, target.id, (e) => options.hooks.event(target.name, e), target.name);
    await cfn.send(new DeleteStackCommand({ StackName: target.id }));
    let status: string | undefined;
    let reason: string | undefined;
    for (;;) {
      ({ status, reason } = await stackStatus(cfn, target.id));
      await events.poll();
      if (status === undefined || status === 'DELETE_COMPLETE' || status === 'DELETE_FAILED') break;
      await sleep(options.pollMs);
    }
    if (status !== 'DELETE_FAILED') return done({ result: 'deleted' });
    const resource = events.firstFailure();
    const stackReason = events.lastStackEvent('DELETE_FAILED')?.ResourceStatusReason ?? reason;
    return done({
      result: 'failed',
      error: {
        message: `${target.name} ended DELETE_FAILED`,
        status,
        ...(resource?.LogicalResourceId ? { resource: `${resource.LogicalResourceId} (${resource.ResourceType ?? '?'}${resource.PhysicalResourceId ? ` ${resource.PhysicalResourceId}` : ''})` } : {}),
        ...((resource?.ResourceStatusReason ?? stackReason) ? { reason: resource?.ResourceStatusReason ?? stackReason } : {}),
      },
    });
  } catch (error) {
    return done({ result: 'failed', error: { message: `${target.name}: ${(error as Error).message}` } });
  }
}

async function stackStatus(cfn: CloudFormationClient, stackId: string): Promise<{ status?: string; reason?: string }> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackId }));
    const stack = Stacks?.[0];
    return { ...(stack?.StackStatus ? { status: stack.StackStatus } : {}), ...(stack?.StackStatusReason ? { reason: stack.StackStatusReason } : {}) };
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return {};
    throw error;
  }
}
