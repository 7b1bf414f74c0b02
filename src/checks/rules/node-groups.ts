import { isDeepStrictEqual } from 'node:util';
import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import { parseYamlFile, type YamlDocument } from '../yaml-source.js';

const CLUSTER_CONFIG = 'infra/cluster.yaml';
const LISTS = ['nodeGroups', 'managedNodeGroups'] as const;
type NodeGroupList = (typeof LISTS)[number];

/** What eksctl changes on an existing node group: its size. Everything else needs a new group. */
export const SCALING_FIELDS: ReadonlySet<string> = new Set(['desiredCapacity', 'minSize', 'maxSize']);

export interface NodeGroup {
  name: string;
  list: NodeGroupList;
  index: number;
  spec: Record<string, unknown>;
}

/** The node groups of a ClusterConfig document: unmanaged, then managed. */
export function nodeGroups(value: unknown): NodeGroup[] {
  if (typeof value !== 'object' || value === null) return [];
  return LISTS.flatMap((list) => {
    const items = (value as Record<string, unknown>)[list];
    return (Array.isArray(items) ? items : []).flatMap((spec, index) =>
      typeof spec === 'object' && spec !== null && typeof (spec as { name?: unknown }).name === 'string'
        ? [{ name: (spec as { name: string }).name, list, index, spec: spec as Record<string, unknown> }]
        : [],
    );
  });
}

/** The properties of a node group that differ between two versions, scaling aside, sorted. */
export function changedProperties(before: NodeGroup, after: NodeGroup): string[] {
  const keys = new Set([...Object.keys(before.spec), ...Object.keys(after.spec)]);
  const changed = [...keys].filter((key) => !SCALING_FIELDS.has(key) && !isDeepStrictEqual(before.spec[key], after.spec[key])).sort();
  // Moving a group between the lists turns an unmanaged group into a managed one, or back.
  if (before.list !== after.list) changed.unshift(`${before.list} → ${after.list}`);
  return changed;
}

/**
 * eksctl cannot change a node group in place: `eksctl upgrade/create` leaves a changed group
 * as it is, so a change merged under the old name never reaches the cluster. A new name makes
 * eksctl create the new group; the old one is then drained and deleted.
 */
export const nodeGroupRules: RuleModule = {
  rules: [
    {
      id: 'node-group-immutable',
      rationale: 'eksctl does not apply changes to an existing node group (other than its size), so the change silently never reaches the cluster',
      fix: 'give the changed node group a new name (ng-1 → ng-2): eksctl creates it, and the old group is drained and deleted',
    },
    {
      id: 'node-group-duplicate',
      rationale: 'eksctl requires node group names to be unique across nodeGroups and managedNodeGroups, and rejects the config otherwise',
      fix: 'give each node group its own name',
    },
  ],
  async check(ctx) {
    const source = ctx.repo.clusterConfig;
    const doc = source?.yaml.documents[0];
    if (!source || !doc) return [];
    const nameLine = (group: NodeGroup) => doc.lineOf([group.list, group.index, 'name']);
    const current = nodeGroups(doc.value).sort((a, b) => nameLine(a) - nameLine(b));
    const findings: Finding[] = [];

    const first = new Map<string, NodeGroup>();
    for (const group of current) {
      const earlier = first.get(group.name);
      if (!earlier) {
        first.set(group.name, group);
        continue;
      }
      findings.push({
        file: source.file,
        line: nameLine(group),
        rule: 'node-group-duplicate',
        message: `node group ${group.name} is defined twice (${earlier.list}[${earlier.index}] on line ${nameLine(earlier)}, and ${group.list}[${group.index}])`,
      });
    }

    const before = baseNodeGroups(await ctx.readAtBase(CLUSTER_CONFIG));
    if (!before) return findings;
    for (const group of first.values()) {
      const old = before.get(group.name);
      if (!old) continue;
      const changed = changedProperties(old, group);
      if (!changed.length) continue;
      findings.push({
        file: source.file,
        line: nameLine(group),
        rule: 'node-group-immutable',
        message: `node group ${group.name} keeps its name but changes ${changed.join(', ')} since ${ctx.baseName}; eksctl does not change an existing node group, so rename it`,
        fix: `give it a new name (${nextName(group.name, new Set(current.map((g) => g.name)))}, for example): eksctl creates the new group, and the old one is drained and deleted`,
      });
    }
    return findings;
  },
};

/** The node groups at the base revision by name; undefined when there is nothing to compare with. */
function baseNodeGroups(text: string | undefined): Map<string, NodeGroup> | undefined {
  if (text === undefined) return undefined;
  const parsed = parseYamlFile(text);
  const doc: YamlDocument | undefined = parsed.documents[0];
  // A base that does not parse was already reported when it was the current version.
  if (parsed.errors.length || !doc) return undefined;
  const groups = new Map<string, NodeGroup>();
  for (const group of nodeGroups(doc.value)) if (!groups.has(group.name)) groups.set(group.name, group);
  return groups;
}

/** `ng-1` → `ng-2`, `workers` → `workers-2`: a name not in use. */
function nextName(name: string, taken: ReadonlySet<string>): string {
  const match = /^(.*?)(\d+)$/.exec(name);
  const stem = match ? match[1]! : `${name}-`;
  let n = match ? Number(match[2]) + 1 : 2;
  while (taken.has(`${stem}${n}`)) n++;
  return `${stem}${n}`;
}
