import { isDeepStrictEqual } from 'node:util';

/**
 * The one definition of what may change on an existing node group. eksctl never changes a node
 * group in place; EKS changes only its size. Both `biomage check` (the file against --base) and
 * the live guard of deploy-infra and plan (the file against EKS) judge node groups by it.
 */
export const SCALING_FIELDS: ReadonlySet<string> = new Set(['desiredCapacity', 'minSize', 'maxSize']);

export const NODE_GROUP_LISTS = ['nodeGroups', 'managedNodeGroups'] as const;
export type NodeGroupList = (typeof NODE_GROUP_LISTS)[number];

export interface NodeGroup {
  name: string;
  list: NodeGroupList;
  index: number;
  spec: Record<string, unknown>;
}

/** The node groups of a ClusterConfig: unmanaged, then managed; entries without a name are left out. */
export function nodeGroups(value: unknown): NodeGroup[] {
  if (typeof value !== 'object' || value === null) return [];
  return NODE_GROUP_LISTS.flatMap((list) => {
    const items = (value as Record<string, unknown>)[list];
    return (Array.isArray(items) ? items : []).flatMap((spec, index) =>
      typeof spec === 'object' && spec !== null && typeof (spec as { name?: unknown }).name === 'string'
        ? [{ name: (spec as { name: string }).name, list, index, spec: spec as Record<string, unknown> }]
        : [],
    );
  });
}

/** The properties of a node group that differ between two versions of the file, scaling aside, sorted. */
export function changedProperties(before: NodeGroup, after: NodeGroup): string[] {
  const keys = new Set([...Object.keys(before.spec), ...Object.keys(after.spec)]);
  const changed = [...keys].filter((key) => !SCALING_FIELDS.has(key) && !isDeepStrictEqual(before.spec[key], after.spec[key])).sort();
  // Moving a group between the lists turns an unmanaged group into a managed one, or back.
  if (before.list !== after.list) changed.unshift(`${before.list} → ${after.list}`);
  return changed;
}

/** `ng-1` → `ng-2`, `workers` → `workers-2`: a name not in use. */
export function nextNodeGroupName(name: string, taken: ReadonlySet<string>): string {
  const match = /^(.*?)(\d+)$/.exec(name);
  const stem = match?.[1] ?? `${name}-`;
  let n = match ? Number(match[2]) + 1 : 2;
  while (taken.has(`${stem}${n}`)) n++;
  return `${stem}${n}`;
}
