import type { Change, CloudFormationClient, DescribeChangeSetCommandOutput, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Environment } from '../config/environments.js';
import { HASH_TAG, type StackPlan } from './plan.js';
import { cloudFormationSdk } from '../aws/sdk.js';
import type { AllowReplace, PlannedChange, RecreationCause } from './replacement-guard.js';
import { isStateful } from './stateful.js';
import { samePolicy, stackPolicy, statefulLogicalIds } from './stack-policy.js';

const {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetStackPolicyCommand,
  SetStackPolicyCommand,
  UpdateTerminationProtectionCommand,
} = cloudFormationSdk();

export type StackAction = 'create' | 'update' | 'recreate' | 'unchanged' | 'no-changes' | 'skipped';
export type StackResult = 'ok' | 'failed' | 'planned' | 'skipped';

export type { PlannedChange } from './replacement-guard.js';

export interface StackOutcome {
  stack: string;
  template: string;
  action: StackAction;
  result: StackResult;
  durationMs: number;
  changes?: PlannedChange[];
  /** For failures: what failed, the resource and its reason, and where the stack was left. */
  error?: { message: string; resource?: string; reason?: string; status?: string };
}

export interface DeployHooks {
  status(stack: string, message: string): void;
  event(stack: string, event: StackEvent): void;
}

export interface StackDeployOptions {
  env: Environment;
  dryRun: boolean;
  force: boolean;
  /** How often to poll CloudFormation: short for the emulator, seconds for real AWS. */
  pollMs: number;
  hooks: DeployHooks;
  /** A change set already created for this stack (deploy-cf's guard reads them all before executing any). */
  prepared?: PreparedChangeSet;
  /**
   * deploy-cf's production protection: termination protection and the stack policy that denies
   * replacing or deleting stateful resources (stack-policy.ts), applied when env is production.
   */
  protectProduction?: boolean;
  /** --allow-replace: in production, these resources' replacement or deletion is let through the stack policy. */
  allowReplace?: AllowReplace;
  /**
   * Read before executing: a message refuses the change set (deleted, the stack untouched). For a
   * stack whose change set could not be prepared before the run (it imports from a stack the run creates).
   */
  guard?: (stack: string, changes: readonly PlannedChange[]) => string | undefined;
}

/** A change set created and read, not executed yet. */
export interface PreparedChangeSet {
  /** The change set's ARN. */
  id: string;
  type: 'CREATE' | 'UPDATE';
  changeSet: DescribeChangeSetCommandOutput;
  changes: PlannedChange[];
}

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const FAILURE = new Set([
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_FAILED',
  'DELETE_FAILED',
]);
/** Statuses in which the stack is settled and can take a change set. */
const SETTLED = new Set([...SUCCESS, 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);
const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;

/** CloudFormation's ways of saying a change set is empty. */
const EMPTY_CHANGE_SET = /didn't contain changes|No updates are to be performed|no changes/i;

/**
 * Deploy one stack through a change set whose type (CREATE or UPDATE) is always explicit.
 * Never throws for a CloudFormation failure: the outcome says what happened, so one failing
 * stack does not stop the others.
 */
export async function deployStack(
  cfn: CloudFormationClient,
  plan: StackPlan,
  existing: Stack | undefined,
  options: StackDeployOptions,
): Promise<StackOutcome> {
  const started = Date.now();
  const base = { stack: plan.stackName, template: plan.template.file };
  const done = (outcome: Omit<StackOutcome, 'stack' | 'template' | 'durationMs'>): StackOutcome => ({
    ...base,
    ...outcome,
    durationMs: Date.now() - started,
  });
  const { hooks } = options;

  try {
    let current = existing;
    let recreate = false;
    if (current?.StackStatus === 'ROLLBACK_COMPLETE' || current?.StackStatus === 'REVIEW_IN_PROGRESS') {
      // A stack whose creation failed (or never ran) holds no resources and cannot be updated.
      if (options.env === 'production' && current.StackStatus === 'ROLLBACK_COMPLETE') {
        return done({
          action: 'recreate',
          result: 'failed',
          error: {
            message: `${plan.stackName} is ROLLBACK_COMPLETE (its creation failed); in production biomage does not delete stacks`,
            status: current.StackStatus,
            reason: 'read its events to see why the creation failed, delete the stack yourself once understood, then rerun',
          },
        });
      }
      recreate = true;
      if (options.dryRun) return done({ action: 'recreate', result: 'planned' });
      hooks.status(plan.stackName, `deleting the ${current.StackStatus} stack before creating it again`);
      await cfn.send(new DeleteStackCommand({ StackName: plan.stackName }));
      await waitForStack(cfn, plan.stackName, options.pollMs, (s) => s === undefined || s === 'DELETE_COMPLETE');
      current = undefined;
    }

    if (current && current.StackStatus?.endsWith('_IN_PROGRESS')) {
      return done({
        action: 'update',
        result: 'failed',
        error: { message: `${plan.stackName} is busy (${current.StackStatus})`, status: current.StackStatus, reason: 'wait for it to settle, then rerun' },
      });
    }

    const recorded = current?.Tags?.find((t) => t.Key === HASH_TAG)?.Value;
    if (current && !options.force && recorded === plan.hash && SUCCESS.has(current.StackStatus ?? '')) {
      if (protecting(options)) await protectStack(cfn, plan, current);
      return done({ action: 'unchanged', result: 'ok' });
    }
    if (current && !SETTLED.has(current.StackStatus ?? '')) {
      return done({
        action: 'update',
        result: 'failed',
        error: { message: `${plan.stackName} is ${current.StackStatus} and cannot take a change set`, status: current.StackStatus },
      });
    }

    const type = current ? 'UPDATE' : 'CREATE';
    const action: StackAction = recreate ? 'recreate' : current ? 'update' : 'create';
    const prepared = options.prepared ?? (await prepareChangeSet(cfn, plan, type, options));
    const { changeSet, changes } = prepared;
    // Later calls use the change set's ARN: unambiguous, whatever the name.
    const changeSetId = prepared.id;

    const discard = async () => {
      await cfn.send(new DeleteChangeSetCommand({ StackName: plan.stackName, ChangeSetName: changeSetId }));
      // A CREATE change set leaves an empty REVIEW_IN_PROGRESS stack behind: remove it too.
      if (type === 'CREATE') await cfn.send(new DeleteStackCommand({ StackName: plan.stackName }));
    };

    if (changeSet.Status === 'FAILED') {
      await discard();
      if (EMPTY_CHANGE_SET.test(changeSet.StatusReason ?? '')) return done({ action: 'no-changes', result: 'ok' });
      return done({
        action,
        result: 'failed',
        error: { message: `the change set for ${plan.stackName} failed`, reason: changeSet.StatusReason ?? 'no reason given' },
      });
    }
    if (type === 'UPDATE' && changes.length === 0) {
      await discard();
      if (protecting(options) && current) await protectStack(cfn, plan, current);
      return done({ action: 'no-changes', result: 'ok' });
    }
    if (options.dryRun) {
      await discard();
      return done({ action, result: 'planned', changes });
    }
    const refusal = options.guard?.(plan.stackName, changes);
    if (refusal) {
      await discard();
      return done({ action, result: 'failed', changes, error: { message: refusal, reason: 'refused before execution: the change set was deleted and the stack left as it was' } });
    }

    hooks.status(plan.stackName, `executing (${changes.length} change${changes.length === 1 ? '' : 's'})`);
    const events = await EventStream.after(cfn, plan.stackName, (e) => hooks.event(plan.stackName, e));
    const production = protecting(options);
    let final: string | undefined;
    try {
      // Production: the update runs under the protective policy, less the resources --allow-replace names.
      if (production && type === 'UPDATE') await setPolicy(cfn, plan.stackName, duringUpdate(plan, changes, options.allowReplace));
      await cfn.send(new ExecuteChangeSetCommand({ StackName: plan.stackName, ChangeSetName: changeSetId }));
      final = await waitForStack(cfn, plan.stackName, options.pollMs, (s) => s !== undefined && (SUCCESS.has(s) || FAILURE.has(s)), () => events.poll());
      await events.poll();
    } finally {
      // Whatever happened, production is left protected (a creation that failed holds nothing to protect).
      const settled = production ? await stackStatus(cfn, plan.stackName).catch(() => undefined) : undefined;
      if (production && settled !== 'ROLLBACK_COMPLETE') {
        // A rolled-back update left the old template's resources: those it would have removed are protected too.
        const rolledBack = !settled || !SUCCESS.has(settled);
        await protectStack(cfn, plan, undefined, rolledBack ? changes.filter((c) => isStateful(c.type)).map((c) => c.logicalId) : []);
      }
    }
    if (final && SUCCESS.has(final)) return done({ action, result: 'ok', changes });
    const failed = events.firstFailure();
    return done({
      action,
      result: 'failed',
      changes,
      error: {
        message: `${plan.stackName} ended ${final ?? 'deleted'}${final?.includes('ROLLBACK') ? ': rolled back' : ''}`,
        status: final,
        ...(failed?.LogicalResourceId ? { resource: `${failed.LogicalResourceId} (${failed.ResourceType})` } : {}),
        ...(failed?.ResourceStatusReason ? { reason: failed.ResourceStatusReason } : {}),
      },
    });
  } catch (error) {
    return done({
      action: existing ? 'update' : 'create',
      result: 'failed',
      error: { message: `${plan.stackName}: ${(error as Error).message}` },
    });
  }
}

function protecting(options: StackDeployOptions): boolean {
  return options.protectProduction === true && options.env === 'production' && !options.dryRun;
}

/** Create the stack's change set (its type always explicit) and read it whole. */
export async function prepareChangeSet(
  cfn: CloudFormationClient,
  plan: StackPlan,
  type: 'CREATE' | 'UPDATE',
  options: Pick<StackDeployOptions, 'env' | 'pollMs' | 'hooks'>,
): Promise<PreparedChangeSet> {
  const changeSetName = `biomage-${Date.now()}-${randomBytes(3).toString('hex')}`;
  options.hooks.status(plan.stackName, `creating a ${type} change set`);
  const created = await cfn.send(
    new CreateChangeSetCommand({
      StackName: plan.stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: type,
      TemplateBody: plan.template.body,
      Parameters: plan.parameters,
      Capabilities: [...CAPABILITIES],
      Tags: [
        { Key: HASH_TAG, Value: plan.hash },
        { Key: 'biomage:environment', Value: options.env },
        { Key: 'biomage:template', Value: plan.template.file },
      ],
    }),
  );
  const id = created.Id ?? changeSetName;
  const changeSet = await waitForChangeSet(cfn, plan.stackName, id, options.pollMs);
  return { id, type, changeSet, changes: (changeSet.Changes ?? []).map(plannedChange) };
}

/** Delete a prepared change set that will not be executed (and the empty stack a CREATE one made). */
export async function discardChangeSet(cfn: CloudFormationClient, stack: string, prepared: PreparedChangeSet): Promise<void> {
  await cfn.send(new DeleteChangeSetCommand({ StackName: stack, ChangeSetName: prepared.id }));
  if (prepared.type === 'CREATE') await cfn.send(new DeleteStackCommand({ StackName: stack }));
}

/**
 * Whether deployStack would create an UPDATE change set for the stack: it exists, holds resources,
 * is settled, and its template or parameters changed (or --force). Only those can lose data.
 */
export function wouldUpdate(plan: StackPlan, existing: Stack | undefined, force: boolean): boolean {
  const status = existing?.StackStatus ?? '';
  if (!existing || status === 'ROLLBACK_COMPLETE' || status === 'REVIEW_IN_PROGRESS' || !SETTLED.has(status)) return false;
  const recorded = existing.Tags?.find((t) => t.Key === HASH_TAG)?.Value;
  return force || recorded !== plan.hash || !SUCCESS.has(status);
}

function plannedChange(change: Change): PlannedChange {
  const resource = change.ResourceChange;
  const causes = (resource?.Details ?? []).flatMap((detail): RecreationCause[] => {
    const recreation = detail.Target?.RequiresRecreation;
    if (recreation !== 'Always' && recreation !== 'Conditionally') return [];
    return [
      {
        property: detail.Target?.Name ?? detail.Target?.Attribute ?? '?',
        requiresRecreation: recreation,
        ...(detail.ChangeSource ? { source: detail.ChangeSource } : {}),
        ...(detail.CausingEntity ? { causingEntity: detail.CausingEntity } : {}),
      },
    ];
  });
  return {
    action: resource?.Action ?? '?',
    logicalId: resource?.LogicalResourceId ?? '?',
    type: resource?.ResourceType ?? '?',
    ...(resource?.Replacement ? { replacement: resource.Replacement } : {}),
    ...(resource?.PolicyAction ? { policyAction: resource.PolicyAction } : {}),
    ...(causes.length ? { causes } : {}),
  };
}

/** The policy an update runs under: the protective one, less what --allow-replace names for this stack. */
function duringUpdate(plan: StackPlan, changes: readonly PlannedChange[], allowed: AllowReplace | undefined): string {
  const ids = new Set([...statefulLogicalIds(plan.template.doc), ...changes.filter((c) => isStateful(c.type)).map((c) => c.logicalId)]);
  for (const id of [...ids]) if (allowed?.has(`${plan.stackName}:${id}`)) ids.delete(id);
  return stackPolicy(ids);
}

async function setPolicy(cfn: CloudFormationClient, stack: string, policy: string): Promise<void> {
  await cfn.send(new SetStackPolicyCommand({ StackName: stack, StackPolicyBody: policy }));
}

/**
 * Production's protection, made current: termination protection on, and the stack policy that
 * denies replacing or deleting the template's stateful resources. Reads first, changes only what
 * differs. `known` is the stack as last described, when the caller has it.
 */
export async function protectStack(cfn: CloudFormationClient, plan: StackPlan, known: Stack | undefined, alsoProtect: readonly string[] = []): Promise<void> {
  const stack = known ?? (await cfn.send(new DescribeStacksCommand({ StackName: plan.stackName }))).Stacks?.[0];
  if (!stack) return;
  if (!stack.EnableTerminationProtection) {
    await cfn.send(new UpdateTerminationProtectionCommand({ StackName: plan.stackName, EnableTerminationProtection: true }));
  }
  const wanted = stackPolicy([...statefulLogicalIds(plan.template.doc), ...alsoProtect]);
  const { StackPolicyBody } = await cfn.send(new GetStackPolicyCommand({ StackName: plan.stackName }));
  if (!samePolicy(StackPolicyBody, wanted)) await setPolicy(cfn, plan.stackName, wanted);
}

async function waitForChangeSet(cfn: CloudFormationClient, stack: string, name: string, pollMs: number) {
  for (;;) {
    const changeSet = await cfn.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name }));
    if (changeSet.Status === 'CREATE_COMPLETE' || changeSet.Status === 'FAILED') {
      // Large change sets are paginated; the summary needs them all.
      let next = changeSet.NextToken;
      while (next) {
        const page = await cfn.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name, NextToken: next }));
        changeSet.Changes = [...(changeSet.Changes ?? []), ...(page.Changes ?? [])];
        next = page.NextToken;
      }
      return changeSet;
    }
    await sleep(pollMs);
  }
}

/** Poll until the stack's status satisfies `settled`; undefined status means the stack is gone. */
async function waitForStack(
  cfn: CloudFormationClient,
  stack: string,
  pollMs: number,
  settled: (status: string | undefined) => boolean,
  eachPoll?: () => Promise<void>,
): Promise<string | undefined> {
  for (;;) {
    const status = await stackStatus(cfn, stack);
    if (settled(status)) return status;
    await eachPoll?.();
    await sleep(pollMs);
  }
}

async function stackStatus(cfn: CloudFormationClient, stack: string): Promise<string | undefined> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    return Stacks?.[0]?.StackStatus;
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * The stack's new events, delivered oldest first, each once. "New" is decided by event id, not
 * by time: the events that exist before the execution are marked seen, so a local clock that is
 * off from AWS's can never hide an event (such as the one saying why a resource failed).
 * Shared with destroy (src/destroy/run.ts).
 */
export class EventStream {
  private readonly seen = new Set<string>();
  private readonly all: StackEvent[] = [];

  private constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stack: string,
    private readonly emit: (event: StackEvent) => void,
    private readonly stackName: string,
  ) {}

  /**
   * A stream of the events that follow this moment. `stack` is the stack's name or id; a stack
   * being deleted needs its id (once gone, its name finds nothing), and then its name as `stackName`.
   */
  static async after(cfn: CloudFormationClient, stack: string, emit: (event: StackEvent) => void, stackName = stack): Promise<EventStream> {
    const stream = new EventStream(cfn, stack, emit, stackName);
    for (const event of await stream.latest()) if (event.EventId) stream.seen.add(event.EventId);
    return stream;
  }

  private async latest(): Promise<StackEvent[]> {
    return (await this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stack }))).StackEvents ?? [];
  }

  async poll(): Promise<void> {
    const fresh = (await this.latest()).filter((e): e is StackEvent & { EventId: string } => !!e.EventId && !this.seen.has(e.EventId)).reverse();
    for (const event of fresh) {
      this.seen.add(event.EventId);
      this.all.push(event);
      this.emit(event);
    }
  }

  /** The first resource that failed: the cause, where later failures are usually consequences. */
  firstFailure(): StackEvent | undefined {
    return this.all.find((e) => e.ResourceStatus?.endsWith('_FAILED') && e.LogicalResourceId !== this.stackName);
  }

  /** The stack's own last event with this status (its reason says why a whole-stack step failed). */
  lastStackEvent(status: string): StackEvent | undefined {
    return this.all.findLast((e) => e.ResourceStatus === status && e.LogicalResourceId === this.stackName);
  }
}
