import { staticConditions, type KnownValues } from '../cf/references.js';
import { supportsSnapshot } from '../cf/stateful.js';
import type { CfnTemplate } from '../cf/template.js';

/** What CloudFormation does with a resource when its stack is deleted. */
export type KeepPolicy = 'Retain' | 'RetainExceptOnCreate' | 'Snapshot';

/** A resource that outlives its stack, or (Snapshot) whose final snapshot does. */
export interface RetainedResource {
  stack: string;
  logicalId: string;
  type: string;
  /** The resource's name or id in its service (what Ref returns). */
  physicalId: string;
  policy: KeepPolicy;
  /** How the policy was decided: written in the template, CloudFormation's default for the type, or not decidable (kept to be safe). */
  source: 'template' | 'default' | 'unresolved';
  /** Snapshot: the final snapshots found after the deletion (RDS only). */
  snapshots?: string[];
}

/** A resource of a deployed stack, as ListStackResources names it. */
export interface DeployedResource {
  logicalId: string;
  type: string;
  physicalId: string;
}

/**
 * The resources of a deployed stack that its deletion keeps, decided from the template as
 * deployed (GetTemplate) and the stack's parameters as deployed: a DeletionPolicy of
 * `!If [IsDevelopment, Delete, Retain]` is evaluated with the stack's own conditions. A policy
 * that cannot be evaluated (a condition on a NoEcho parameter) is listed as kept: an operator
 * told too much loses nothing.
 */
export function retainedResources(stack: string, doc: CfnTemplate, known: KnownValues, deployed: readonly DeployedResource[]): RetainedResource[] {
  const conditions = staticConditions(doc, known);
  const kept: RetainedResource[] = [];
  for (const resource of deployed) {
    const declared: (CfnTemplate['Resources'][string] & { DeletionPolicy?: unknown }) | undefined = doc.Resources[resource.logicalId];
    const decided = declared ? policyOf(declared, conditions) : { policy: 'Delete' as const, source: 'template' as const };
    if (decided.policy === 'Delete') continue;
    kept.push({ stack, logicalId: resource.logicalId, type: resource.type, physicalId: resource.physicalId, ...decided });
  }
  return kept.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

type Decided = { policy: 'Delete'; source: RetainedResource['source'] } | { policy: KeepPolicy; source: RetainedResource['source'] };

function policyOf(
  resource: { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: unknown },
  conditions: ReadonlyMap<string, boolean>,
): Decided {
  if (resource.DeletionPolicy === undefined) {
    // CloudFormation's documented default: Snapshot for an RDS cluster, and for an instance that is not in one.
    const snapshotByDefault =
      resource.Type === 'AWS::RDS::DBCluster' || (resource.Type === 'AWS::RDS::DBInstance' && !resource.Properties?.DBClusterIdentifier);
    return snapshotByDefault ? { policy: 'Snapshot', source: 'default' } : { policy: 'Delete', source: 'template' };
  }
  const value = evaluate(resource.DeletionPolicy, conditions);
  if (value === 'Delete') return { policy: 'Delete', source: 'template' };
  if (value === 'Retain' || value === 'RetainExceptOnCreate') return { policy: value, source: 'template' };
  if (value === 'Snapshot') return supportsSnapshot(resource.Type) ? { policy: 'Snapshot', source: 'template' } : { policy: 'Retain', source: 'template' };
  return { policy: 'Retain', source: 'unresolved' };
}

/** A DeletionPolicy's value: a string, or `Fn::If` over strings with a decidable condition. */
function evaluate(value: unknown, conditions: ReadonlyMap<string, boolean>): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const branches = (value as Record<string, unknown>)['Fn::If'];
  if (!Array.isArray(branches) || branches.length !== 3 || typeof branches[0] !== 'string') return undefined;
  const holds = conditions.get(branches[0]);
  if (holds === undefined) return undefined;
  return evaluate(holds ? branches[1] : branches[2], conditions);
}
