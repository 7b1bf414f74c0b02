import { CLUSTER_ENVIRONMENTS } from '../../infra/cluster-config.js';
import {
  applyEnvironmentValues,
  CLUSTER_CONFIG_FILE,
  CLUSTER_ENVIRONMENTS_FILE,
  setsNodeGroupField,
} from '../../infra/cluster-environments.js';
import { changedProperties, nextNodeGroupName, nodeGroups, type NodeGroup } from '../../infra/node-groups.js';
import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import { parseYamlFile } from '../../yaml/source.js';

/**
 * eksctl cannot change a node group in place: `eksctl upgrade/create` leaves a changed group
 * as it is, so a change merged under the old name never reaches the cluster. A new name makes
 * eksctl create the new group; the old one is then drained and deleted. A node group is judged
 * as each environment gets it, so a size changed in infra/cluster-environments.yaml counts too.
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

    const baseConfig = parsedBase(await ctx.readAtBase(CLUSTER_CONFIG_FILE));
    if (baseConfig === undefined) return findings;
    const baseValues = parsedBase(await ctx.readAtBase(CLUSTER_ENVIRONMENTS_FILE));
    const valuesDoc = ctx.repo.clusterEnvironments?.yaml.documents[0];
    const values = valuesDoc?.value;
    const taken = new Set(current.map((g) => g.name));
    const fix = (name: string) =>
      `give it a new name (${nextNodeGroupName(name, taken)}, for example): eksctl creates the new group, and the old one is drained and deleted`;

    // Per environment, as eksctl gets the file. A change that comes from cluster.yaml is the same
    // in every environment and reported once, at the group's name; a change that comes from an
    // environment's values is reported at that value.
    const fromConfig = new Map<string, { properties: string[]; envs: Set<string> }>();
    for (const env of CLUSTER_ENVIRONMENTS) {
      const before = new Map<string, NodeGroup>();
      for (const group of nodeGroups(applyEnvironmentValues(baseConfig, baseValues, env))) if (!before.has(group.name)) before.set(group.name, group);
      const after = nodeGroups(applyEnvironmentValues(doc.value, values, env));
      for (const group of first.values()) {
        const now = after.find((g) => g.list === group.list && g.index === group.index) ?? group;
        const old = before.get(group.name);
        if (!old) continue;
        const changed = changedProperties(old, now);
        const byValues = changed.filter((p) => valuesDoc && (setsNodeGroupField(values, env, group.name, p) || setsNodeGroupField(baseValues, env, group.name, p)));
        const byConfig = changed.filter((p) => !byValues.includes(p));
        if (byConfig.length) {
          const entry = fromConfig.get(group.name) ?? { properties: [], envs: new Set<string>() };
          for (const p of byConfig) if (!entry.properties.includes(p)) entry.properties.push(p);
          entry.envs.add(env);
          fromConfig.set(group.name, entry);
        }
        const [firstByValues] = byValues;
        if (firstByValues !== undefined && valuesDoc) {
          const path = [env, 'managedNodeGroups', group.name];
          findings.push({
            file: CLUSTER_ENVIRONMENTS_FILE,
            line: valuesDoc.lineOf(setsNodeGroupField(values, env, group.name, firstByValues) ? [...path, firstByValues] : path),
            rule: 'node-group-immutable',
            message: `node group ${group.name} keeps its name but changes ${byValues.join(', ')} in ${env} since ${ctx.baseName}; eksctl does not change an existing node group, so rename it`,
            fix: `${fix(group.name)} (rename it in ${CLUSTER_CONFIG_FILE} and here)`,
          });
        }
      }
    }
    for (const [name, { properties, envs }] of fromConfig) {
      const group = first.get(name);
      if (!group) throw new Error(`internal: node group ${name} was never seen first`);
      const where = envs.size < CLUSTER_ENVIRONMENTS.length ? ` in ${[...envs].join(' and ')}` : '';
      findings.push({
        file: source.file,
        line: nameLine(group),
        rule: 'node-group-immutable',
        message: `node group ${name} keeps its name but changes ${properties.join(', ')}${where} since ${ctx.baseName}; eksctl does not change an existing node group, so rename it`,
        fix: fix(name),
      });
    }
    return findings;
  },
};

/** A file at the base revision, parsed; undefined when there is nothing (usable) to compare with. */
function parsedBase(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const parsed = parseYamlFile(text);
  // A base that does not parse was already reported when it was the current version.
  if (parsed.errors.length || !parsed.documents[0]) return undefined;
  return parsed.documents[0].value;
}
