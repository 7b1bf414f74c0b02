import type { CfnTemplate } from './template.js';
import { isStateful } from './stateful.js';

/*
 * Production's stack policy: every update is allowed except replacing or deleting a stateful
 * resource (stateful.ts), by logical id. It is the second line behind deploy-cf's guard: it also
 * stops a change made outside biomage (the console, `aws cloudformation deploy`).
 *
 * ExecuteChangeSet takes no StackPolicyDuringUpdateBody (only UpdateStack does), so an update
 * that --allow-replace permits runs under a policy that leaves out the named resources, set just
 * before the execution; the protective policy, computed from the template just deployed, is set
 * again after it, whatever its outcome.
 */

/** The template's stateful resources, by logical id, sorted. */
export function statefulLogicalIds(template: CfnTemplate): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => isStateful(resource.Type))
    .map(([id]) => id)
    .sort();
}

/** The policy that allows every update but Update:Replace and Update:Delete of `protectedIds`. */
export function stackPolicy(protectedIds: Iterable<string>): string {
  const ids = [...new Set(protectedIds)].sort();
  const statements: object[] = [{ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' }];
  if (ids.length) {
    statements.push({ Effect: 'Deny', Action: ['Update:Replace', 'Update:Delete'], Principal: '*', Resource: ids.map((id) => `LogicalResourceId/${id}`) });
  }
  return JSON.stringify({ Statement: statements });
}

/** Whether two policy documents say the same (CloudFormation may return them reformatted). */
export function samePolicy(a: string | undefined, b: string): boolean {
  if (!a) return false;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
