import type { Environment } from '../config/environments.js';
import { CLUSTER_ENVIRONMENTS, renderClusterConfig } from './cluster-config.js';

export const CLUSTER_CONFIG_FILE = 'infra/cluster.yaml';
/** What differs between the environments' clusters: per managed node group, its size and node counts. */
export const CLUSTER_ENVIRONMENTS_FILE = 'infra/cluster-environments.yaml';

/**
 * The fields an environment may set for a managed node group: how big its nodes are and how many
 * there are. Anything else differing per environment would make staging test something other than
 * what production runs.
 */
export const ENVIRONMENT_NODE_GROUP_FIELDS = ['instanceType', 'volumeSize', 'minSize', 'desiredCapacity', 'maxSize'] as const;
type EnvironmentField = (typeof ENVIRONMENT_NODE_GROUP_FIELDS)[number];

export interface ValuesProblem {
  /** The file the problem is in. */
  file: typeof CLUSTER_CONFIG_FILE | typeof CLUSTER_ENVIRONMENTS_FILE;
  /** Where in that file (keys and indexes); [] is the whole document. */
  path: (string | number)[];
  message: string;
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The names of the managed node groups of a ClusterConfig. */
function managedNames(config: unknown): string[] {
  const list = isMapping(config) ? config.managedNodeGroups : undefined;
  return (Array.isArray(list) ? list : []).flatMap((g) => (isMapping(g) && typeof g.name === 'string' ? [g.name] : []));
}

/** Why a value cannot be used for a field, or undefined when it can. */
function fieldProblem(field: EnvironmentField, value: unknown): string | undefined {
  if (field === 'instanceType') return typeof value === 'string' && value.trim() ? undefined : 'must be an instance type name, like m6i.large';
  const minimum = field === 'volumeSize' ? 1 : 0;
  return Number.isInteger(value) && (value as number) >= minimum ? undefined : `must be a whole number of at least ${minimum}`;
}

/**
 * Everything wrong with infra/cluster-environments.yaml given infra/cluster.yaml: environments
 * without a cluster or missing ones, node groups cluster.yaml does not define, fields that may not
 * differ per environment, values of the wrong type, and node counts out of order once merged.
 */
export function environmentValuesProblems(values: unknown, config: unknown): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  const add = (path: (string | number)[], message: string, file: ValuesProblem['file'] = CLUSTER_ENVIRONMENTS_FILE) =>
    problems.push({ file, path, message });
  if (!isMapping(values)) {
    add([], `${CLUSTER_ENVIRONMENTS_FILE} must map each environment (${CLUSTER_ENVIRONMENTS.join(', ')}) to its settings`);
    return problems;
  }
  const groups = managedNames(config);
  for (const env of Object.keys(values)) {
    if (!(CLUSTER_ENVIRONMENTS as readonly string[]).includes(env)) {
      add([env], `${env} is not an environment with a cluster (${CLUSTER_ENVIRONMENTS.join(', ')})`);
    }
  }
  for (const env of CLUSTER_ENVIRONMENTS) {
    if (!(env in values)) {
      add([], `${env} is missing: every environment with a cluster sets its node groups' sizes here`);
      continue;
    }
    const settings = values[env];
    if (!isMapping(settings)) {
      add([env], `${env} must be a mapping with managedNodeGroups`);
      continue;
    }
    for (const key of Object.keys(settings)) {
      if (key !== 'managedNodeGroups') add([env, key], `${env}.${key} cannot differ per environment: only managedNodeGroups can`);
    }
    const overrides = settings.managedNodeGroups;
    if (overrides === undefined) continue;
    if (!isMapping(overrides)) {
      add([env, 'managedNodeGroups'], `${env}.managedNodeGroups must map node group names to their settings`);
      continue;
    }
    for (const [name, fields] of Object.entries(overrides)) {
      const path = [env, 'managedNodeGroups', name];
      if (!groups.includes(name)) {
        add(path, `${env} sets node group ${name}, which is not a managed node group of ${CLUSTER_CONFIG_FILE} (${groups.join(', ') || 'none'})`);
        continue;
      }
      if (!isMapping(fields)) {
        add(path, `${env}.managedNodeGroups.${name} must be a mapping of ${ENVIRONMENT_NODE_GROUP_FIELDS.join(', ')}`);
        continue;
      }
      for (const [field, value] of Object.entries(fields)) {
        if (!(ENVIRONMENT_NODE_GROUP_FIELDS as readonly string[]).includes(field)) {
          add([...path, field], `${env}: ${field} of node group ${name} cannot differ per environment (only ${ENVIRONMENT_NODE_GROUP_FIELDS.join(', ')} can)`);
          continue;
        }
        const problem = fieldProblem(field as EnvironmentField, value);
        if (problem) add([...path, field], `${env}: ${field} of node group ${name} ${problem}`);
      }
    }
  }
  if (problems.length) return problems;

  // Once merged, each environment's node counts must be in order (eksctl would refuse them).
  for (const env of CLUSTER_ENVIRONMENTS) {
    const merged = applyEnvironmentValues(config, values, env);
    const list = isMapping(merged) && Array.isArray(merged.managedNodeGroups) ? merged.managedNodeGroups : [];
    list.forEach((group, index) => {
      if (!isMapping(group) || typeof group.name !== 'string') return;
      const { minSize, desiredCapacity, maxSize } = group;
      const counts = [minSize, desiredCapacity, maxSize];
      if (counts.some((c) => typeof c !== 'number')) return;
      if (!((minSize as number) <= (desiredCapacity as number) && (desiredCapacity as number) <= (maxSize as number))) {
        const overridden = ENVIRONMENT_NODE_GROUP_FIELDS.some((field) => setsNodeGroupField(values, env, group.name as string, field));
        add(
          overridden ? [env, 'managedNodeGroups', group.name] : ['managedNodeGroups', index, 'name'],
          `${env}: node group ${group.name} needs minSize ≤ desiredCapacity ≤ maxSize, and has ${String(minSize)}, ${String(desiredCapacity)}, ${String(maxSize)}`,
          overridden ? CLUSTER_ENVIRONMENTS_FILE : CLUSTER_CONFIG_FILE,
        );
      }
    });
  }
  return problems;
}

/**
 * The ClusterConfig with one environment's node group settings merged in. Values that are not
 * valid (see environmentValuesProblems) are left out rather than guessed at.
 */
export function applyEnvironmentValues(config: unknown, values: unknown, env: Environment): Record<string, unknown> {
  const base = isMapping(config) ? config : {};
  const settings = isMapping(values) && isMapping(values[env]) ? values[env] : undefined;
  const overrides = settings && isMapping(settings.managedNodeGroups) ? settings.managedNodeGroups : undefined;
  if (!overrides || !Array.isArray(base.managedNodeGroups)) return { ...base };
  const managedNodeGroups = base.managedNodeGroups.map((group: unknown) => {
    if (!isMapping(group) || typeof group.name !== 'string' || !isMapping(overrides[group.name])) return group;
    const merged: Record<string, unknown> = { ...group };
    for (const [field, value] of Object.entries(overrides[group.name] as Record<string, unknown>)) {
      if ((ENVIRONMENT_NODE_GROUP_FIELDS as readonly string[]).includes(field) && !fieldProblem(field as EnvironmentField, value)) merged[field] = value;
    }
    return merged;
  });
  return { ...base, managedNodeGroups };
}

/** Whether the environment file sets this field of this node group for this environment. */
export function setsNodeGroupField(values: unknown, env: Environment, group: string, field: string): boolean {
  if (!isMapping(values) || !isMapping(values[env])) return false;
  const overrides = values[env].managedNodeGroups;
  return isMapping(overrides) && isMapping(overrides[group]) && field in overrides[group];
}

/** infra/cluster.yaml as eksctl gets it for one environment: its values merged, name and region filled in. */
export function renderForEnvironment(config: unknown, values: unknown, env: Environment, region: string): Record<string, unknown> {
  return renderClusterConfig(applyEnvironmentValues(config, values, env), env, region);
}
