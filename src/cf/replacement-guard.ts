import type { Environment } from '../config/environments.js';
import { InputError } from '../ui/errors.js';
import { statefulType } from './stateful.js';

/*
 * The guard against silent data loss: a change set that removes a stateful resource (stateful.ts),
 * or modifies one in a way CloudFormation says replaces it (Replacement True) or may replace it
 * (Conditional), loses that resource's data. Outside development such a change runs only when the
 * operator names it with --allow-replace <stack>:<LogicalId>; in development it is a warning.
 */

/** Why a property change recreates the resource, from one of the change set's Details. */
export interface RecreationCause {
  /** The property (Target.Name), or the attribute when the change has no property name. */
  property: string;
  requiresRecreation: 'Always' | 'Conditionally';
  /** DirectModification, ParameterReference, ResourceReference, ... */
  source?: string;
  /** The parameter or resource behind a ParameterReference or ResourceReference. */
  causingEntity?: string;
}

/** One resource change of a change set, as deploy-cf reports it. */
export interface PlannedChange {
  action: string;
  logicalId: string;
  type: string;
  replacement?: string;
  /** What CloudFormation does with the physical resource: Delete, Retain, ReplaceAndRetain, ... */
  policyAction?: string;
  /** The property changes that recreate the resource (Always or Conditionally). */
  causes?: RecreationCause[];
}

/** A change that loses a stateful resource's data, and what deploy-cf does about it. */
export interface DataRisk {
  stack: string;
  logicalId: string;
  type: string;
  kind: 'remove' | 'replace';
  /** For a replacement: True (it will) or Conditional (it may, decided at execution). */
  replacement?: string;
  policyAction?: string;
  causes: RecreationCause[];
  /** refused: stops the run; allowed: named by --allow-replace; warned: development. */
  decision: 'refused' | 'allowed' | 'warned';
}

/** `<stack>:<LogicalId>` values of --allow-replace. */
export type AllowReplace = ReadonlySet<string>;

const ALLOW_REPLACE = /^([A-Za-z][-A-Za-z0-9]{0,127}):([A-Za-z0-9]{1,255})$/;

export const allowReplaceFlag = (stack: string, logicalId: string) => `--allow-replace ${stack}:${logicalId}`;

/**
 * The --allow-replace values, each `<stack>:<LogicalId>` with a stack of this run: anything else is
 * an InputError (exit 2) before any change set is created. `stacks` undefined checks the form only.
 */
export function parseAllowReplace(values: readonly string[], stacks?: readonly string[]): AllowReplace {
  const allowed = new Set<string>();
  const problems: string[] = [];
  for (const value of values) {
    const match = ALLOW_REPLACE.exec(value);
    if (!match) {
      problems.push(`--allow-replace ${value}: expected <stack>:<LogicalId>, e.g. biomage-data-staging:SamplesTable`);
      continue;
    }
    const [, stack = ''] = match;
    if (stacks && !stacks.includes(stack)) {
      problems.push(`--allow-replace ${value}: ${stack} is not a stack of this run (${stacks.join(', ') || 'none'})`);
      continue;
    }
    allowed.add(value);
  }
  if (problems.length) {
    throw new InputError(problems.length === 1 ? (problems[0] ?? '') : [`${problems.length} --allow-replace values are unusable:`, ...problems.map((p) => `  ${p}`)].join('\n'), {
      where: '--allow-replace',
      hint: 'name the stack as deploy-cf prints it (biomage-<template>-<env>) and the resource by its logical id in the template',
    });
  }
  return allowed;
}

/** The changes of one stack's change set that lose data, each with what deploy-cf does about it. */
export function dataRisks(stack: string, changes: readonly PlannedChange[], env: Environment, allowed: AllowReplace): DataRisk[] {
  const risks: DataRisk[] = [];
  for (const change of changes) {
    if (!statefulType(change.type)) continue;
    const replaces = change.action === 'Modify' && (change.replacement === 'True' || change.replacement === 'Conditional');
    if (change.action !== 'Remove' && !replaces) continue;
    const decision = allowed.has(`${stack}:${change.logicalId}`) ? 'allowed' : env === 'development' ? 'warned' : 'refused';
    risks.push({
      stack,
      logicalId: change.logicalId,
      type: change.type,
      kind: change.action === 'Remove' ? 'remove' : 'replace',
      ...(replaces && change.replacement ? { replacement: change.replacement } : {}),
      ...(change.policyAction ? { policyAction: change.policyAction } : {}),
      causes: change.causes ?? [],
      decision,
    });
  }
  return risks.sort(byResource);
}

/** Stack, then logical id: the order risks are listed in, whatever order the change sets came in. */
export function byResource(a: DataRisk, b: DataRisk): number {
  return a.stack.localeCompare(b.stack) || a.logicalId.localeCompare(b.logicalId);
}

/** One line for a risk: stack, logical id, type, what happens and the property that forces it. */
export function describeRisk(risk: DataRisk): string {
  const holds = statefulType(risk.type)?.holds ?? 'data';
  const retained = risk.policyAction?.includes('Retain') ?? false;
  const deleted = risk.policyAction?.includes('Delete') ?? false;
  if (risk.kind === 'remove') {
    const what = retained ? 'would be dropped from the stack (removed from the template)' : 'would be deleted (removed from the template)';
    const fate = retained ? `it stays in the account with its ${holds}, no longer managed by the stack` : deleted ? `its ${holds} would be deleted with it` : `its ${holds} would not survive`;
    return `${risk.stack}: ${risk.logicalId} (${risk.type}) ${what}; ${fate}`;
  }
  const what = `would be ${risk.replacement === 'Conditional' ? 'possibly replaced' : 'replaced'} by a new, empty one`;
  const causes = risk.causes.map((c) => `${c.property} (RequiresRecreation ${c.requiresRecreation}${c.causingEntity ? `, from ${c.causingEntity}` : ''})`);
  const because = causes.length ? `changed ${causes.join(', ')}` : 'CloudFormation names no property';
  const fate = retained
    ? `the old one, with its ${holds}, would be kept detached from the stack`
    : deleted
      ? `its ${holds} would be deleted with the old one`
      : `its ${holds} would not follow`;
  return `${risk.stack}: ${risk.logicalId} (${risk.type}) ${what}: ${because}; ${fate}`;
}

/**
 * The error that stops a run whose change sets would lose data (exit 2: the change sets are
 * deleted by then, nothing changed), naming every refused change and the flag that allows each.
 */
export function refusalError(risks: readonly DataRisk[]): InputError {
  const refused = risks.filter((r) => r.decision === 'refused');
  const [first] = refused;
  if (!first) throw new Error('internal: refusalError needs a refused change');
  const flags = refused.map((r) => allowReplaceFlag(r.stack, r.logicalId)).join(' ');
  const lines = refused.map((r) => `  ${describeRisk(r)}\n    allow it with: ${allowReplaceFlag(r.stack, r.logicalId)}`);
  return new InputError(
    [`deploy-cf refused ${refused.length} change${refused.length === 1 ? '' : 's'} that would lose data; nothing was deployed and the change sets were deleted:`, ...lines].join('\n'),
    {
      where: `stack ${first.stack}, resource ${first.logicalId} (${first.type})`,
      hint: `keep the name (or logical id) as it is; for a deliberate replacement copy the data first (docs/runbooks/replacement.md), then rerun with ${flags}`,
    },
  );
}
