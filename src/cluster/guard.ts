import { isDeepStrictEqual } from 'node:util';
import { nodeGroups, SCALING_FIELDS } from '../infra/node-groups.js';

/**
 * The node-group guard: each managed node group of the rendered ClusterConfig against the live
 * node group of the same name in EKS. eksctl never changes an existing node group (only EKS's
 * scaling can change in place), so a changed property under an unchanged name would be silently
 * ignored: the guard stops the run instead, with the differences and the fix.
 */

/** The node group properties EKS reports (DescribeNodegroup) that cannot change in place. */
export const IMMUTABLE_PROPERTIES = ['instanceTypes', 'amiType', 'diskSize', 'labels', 'taints', 'capacityType', 'subnets'] as const;
export type ImmutableProperty = (typeof IMMUTABLE_PROPERTIES)[number];

/** EKS's names for the ClusterConfig's scaling fields (SCALING_FIELDS, the one definition). */
const SCALING_NAMES = { minSize: 'minSize', maxSize: 'maxSize', desiredCapacity: 'desiredSize' } as const;
type ScalingField = keyof typeof SCALING_NAMES;
if (![...SCALING_FIELDS].every((f) => f in SCALING_NAMES)) throw new Error('SCALING_FIELDS and the guard disagree');

export interface Taint {
  key: string;
  value?: string;
  /** EKS's form: NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE. */
  effect: string;
}

/** Node counts in EKS's terms. */
export interface Scaling {
  minSize?: number;
  maxSize?: number;
  desiredSize?: number;
}

/** Which subnets the node group should be in. */
export type SubnetIntent =
  | { kind: 'ids'; ids: string[] }
  | { kind: 'topology'; private: boolean }
  | { kind: 'unknown'; reason: string };

/** A managed node group as the ClusterConfig asks for it, in EKS's terms, with eksctl's defaults applied. */
export interface DesiredNodeGroup {
  name: string;
  instanceTypes: string[];
  /** Undefined when it cannot be told from the config (see amiTypeFor); amiTypeReason says why. */
  amiType?: string;
  amiTypeReason?: string;
  /** Undefined when a launch template of the config's own decides the disk. */
  diskSize?: number;
  labels: Record<string, string>;
  taints: Taint[];
  capacityType: string;
  subnets: SubnetIntent;
  scaling: Scaling;
}

/** A managed node group as EKS describes it. */
export interface LiveNodeGroup {
  name: string;
  status: string;
  instanceTypes: string[];
  amiType?: string;
  /** From the node group, or from its launch template (eksctl's node groups keep it there). */
  diskSize?: number;
  labels: Record<string, string>;
  taints: Taint[];
  capacityType?: string;
  subnets: string[];
  scaling: Scaling;
  /** The Kubernetes version its nodes run (EKS's version of the node group). */
  version?: string;
  /** How many nodes a rolling update replaces at once, as EKS has it (updateConfig). */
  updateConfig?: { maxUnavailable?: number; maxUnavailablePercentage?: number };
}

/** The subnets of an eksctl-made cluster VPC, from its eksctl-<cluster>-cluster stack. */
export interface ClusterSubnets {
  private: string[];
  public: string[];
}

export interface PropertyChange {
  property: ImmutableProperty;
  live: string;
  desired: string;
}

export type NodeGroupState = 'new' | 'removed' | 'unchanged' | 'scaling' | 'changed';

export interface NodeGroupComparison {
  name: string;
  state: NodeGroupState;
  /** Immutable properties that differ: any one stops the run. */
  changes: PropertyChange[];
  /** Node counts to set in place, when they differ. */
  scaling?: { from: Scaling; to: Scaling };
  /** Properties that could not be compared, and why. */
  notCompared: { property: ImmutableProperty; reason: string }[];
}

// eksctl v0.215's defaults for a managed node group (pkg/apis/eksctl.io/v1alpha5/defaults.go).
const EKSCTL_DEFAULT_VOLUME_SIZE = 80;
const EKSCTL_LABELS = { cluster: 'alpha.eksctl.io/cluster-name', nodeGroup: 'alpha.eksctl.io/nodegroup-name' } as const;
const TAINT_EFFECTS: Record<string, string> = { NoSchedule: 'NO_SCHEDULE', NoExecute: 'NO_EXECUTE', PreferNoSchedule: 'PREFER_NO_SCHEDULE' };

/**
 * The AMI type EKS is given for an AMI family and instance type, as eksctl chooses it
 * (pkg/apis/eksctl.io/v1alpha5/amitype.go). Only for standard x86 and Graviton instances: for
 * accelerated ones eksctl consults its instance table, which is not repeated here, so the AMI
 * type is then not compared rather than guessed.
 */
export function amiTypeFor(amiFamily: string, instanceType: string | undefined): { amiType?: string; reason?: string } {
  const prefixes: Record<string, string> = { AmazonLinux2023: 'AL2023', AmazonLinux2: 'AL2', Bottlerocket: 'BOTTLEROCKET' };
  const prefix = prefixes[amiFamily];
  if (!prefix) return { reason: `the AMI type of amiFamily ${amiFamily} is not predicted` };
  if (!instanceType) return { reason: 'the config names no instance type' };
  const family = instanceType.split('.')[0] ?? '';
  if (/^(g\d|gr\d|p\d|inf\d|trn\d|dl\d|vt\d|f\d)/.test(family)) return { reason: `${instanceType} is an accelerated instance type, whose AMI type is not predicted` };
  // Graviton: the generation digit is followed by g (m7g, c7gn, r8gd, t4g, x2gd, im4gn, is4gen).
  const arm = /^[a-z]+\d+g[a-z]*$/.test(family);
  if (prefix === 'AL2023') return { amiType: arm ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD' };
  if (prefix === 'AL2') return { amiType: arm ? 'AL2_ARM_64' : 'AL2_x86_64' };
  return { amiType: arm ? 'BOTTLEROCKET_ARM_64' : 'BOTTLEROCKET_x86_64' };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
/** A parsed YAML value as text, `fallback` when absent (null or undefined). */
// eslint-disable-next-line @typescript-eslint/no-base-to-string -- config scalars; a mapping given where a scalar belongs shows as eksctl would then reject it
const textOr = (value: unknown, fallback: string): string => (value === undefined || value === null ? fallback : String(value));

/** The managed node groups of a rendered ClusterConfig, in EKS's terms, with eksctl's defaults. */
export function desiredNodeGroups(config: Record<string, unknown>): DesiredNodeGroup[] {
  const cluster = text(record(config.metadata).name) ?? '';
  return nodeGroups(config)
    .filter((g) => g.list === 'managedNodeGroups')
    .map(({ name, spec }) => {
      const instanceTypes = Array.isArray(spec.instanceTypes) ? spec.instanceTypes.map(String) : text(spec.instanceType) ? [spec.instanceType as string] : [];
      const ami = text(spec.ami) ? { amiType: 'CUSTOM' } : amiTypeFor(text(spec.amiFamily) ?? 'AmazonLinux2023', instanceTypes[0]);
      const labels: Record<string, string> = {};
      for (const [key, value] of Object.entries(record(spec.labels))) labels[key] = String(value);
      labels[EKSCTL_LABELS.cluster] = cluster;
      labels[EKSCTL_LABELS.nodeGroup] = name;
      const taints = (Array.isArray(spec.taints) ? spec.taints : []).map((t) => {
        const taint = record(t);
        return { key: textOr(taint.key, ''), ...(text(taint.value) ? { value: taint.value as string } : {}), effect: TAINT_EFFECTS[String(taint.effect)] ?? String(taint.effect) };
      });
      const market = text(record(spec.instanceMarketOptions).marketType);
      return {
        name,
        instanceTypes,
        ...(ami.amiType ? { amiType: ami.amiType } : { amiTypeReason: ami.reason ?? 'the config does not decide it' }),
        ...(spec.launchTemplate ? {} : { diskSize: number(spec.volumeSize) ?? EKSCTL_DEFAULT_VOLUME_SIZE }),
        labels,
        taints,
        capacityType: spec.spot === true ? 'SPOT' : market === 'capacity-block' ? 'CAPACITY_BLOCK' : 'ON_DEMAND',
        subnets: subnetIntent(spec),
        scaling: {
          ...(number(spec.minSize) !== undefined ? { minSize: spec.minSize as number } : {}),
          ...(number(spec.maxSize) !== undefined ? { maxSize: spec.maxSize as number } : {}),
          ...(number(spec.desiredCapacity) !== undefined ? { desiredSize: spec.desiredCapacity as number } : {}),
        },
      } satisfies DesiredNodeGroup;
    });
}

function subnetIntent(spec: Record<string, unknown>): SubnetIntent {
  if (Array.isArray(spec.availabilityZones) && spec.availabilityZones.length) {
    return { kind: 'unknown', reason: 'availabilityZones narrows the subnets by zone, which is not compared' };
  }
  if (Array.isArray(spec.subnets) && spec.subnets.length) {
    const ids = spec.subnets.map(String);
    if (ids.every((id) => /^subnet-[0-9a-f]+$/.test(id))) return { kind: 'ids', ids };
    return { kind: 'unknown', reason: 'subnets named by name or zone rather than by id are not compared' };
  }
  return { kind: 'topology', private: spec.privateNetworking === true };
}

/** How a property reads in the report: kubectl's forms for labels and taints. */
export function describeValue(property: ImmutableProperty, value: unknown): string {
  switch (property) {
    case 'instanceTypes':
    case 'subnets':
      return (value as string[]).length ? [...(value as string[])].join(', ') : '(none)';
    case 'diskSize':
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a disk size: a number from the config or the live node group
      return value === undefined ? '(unknown)' : `${String(value)} GiB`;
    case 'labels': {
      const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1));
      return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '(none)';
    }
    case 'taints': {
      const taints = sortTaints(value as Taint[]);
      const effects = Object.fromEntries(Object.entries(TAINT_EFFECTS).map(([k, v]) => [v, k]));
      return taints.length ? taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${effects[t.effect] ?? t.effect}`).join(', ') : '(none)';
    }
    default:
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the remaining properties are scalars (strings, numbers, booleans)
      return value === undefined ? '(none)' : String(value);
  }
}

const sortTaints = (taints: Taint[]) =>
  [...taints].map((t) => ({ key: t.key, value: t.value || undefined, effect: t.effect })).sort((a, b) => (`${a.key}\0${a.effect}` < `${b.key}\0${b.effect}` ? -1 : 1));

/** Compare one desired node group with its live namesake. */
export function compareNodeGroup(desired: DesiredNodeGroup, live: LiveNodeGroup, clusterSubnets: ClusterSubnets | undefined): NodeGroupComparison {
  const changes: PropertyChange[] = [];
  const notCompared: NodeGroupComparison['notCompared'] = [];
  const differ = (property: ImmutableProperty, liveValue: unknown, desiredValue: unknown, equal = isDeepStrictEqual(liveValue, desiredValue)) => {
    if (!equal) changes.push({ property, live: describeValue(property, liveValue), desired: describeValue(property, desiredValue) });
  };

  differ('instanceTypes', live.instanceTypes, desired.instanceTypes);
  if (desired.amiType === undefined) notCompared.push({ property: 'amiType', reason: desired.amiTypeReason ?? 'the config does not decide it' });
  else differ('amiType', live.amiType, desired.amiType);
  if (desired.diskSize === undefined) notCompared.push({ property: 'diskSize', reason: 'a launch template of the config\'s own sets the disk' });
  else if (live.diskSize === undefined) notCompared.push({ property: 'diskSize', reason: 'EKS reports no disk size and the launch template could not be read' });
  else differ('diskSize', live.diskSize, desired.diskSize);
  differ('labels', live.labels, desired.labels);
  differ('taints', live.taints, desired.taints, isDeepStrictEqual(sortTaints(live.taints), sortTaints(desired.taints)));
  differ('capacityType', live.capacityType ?? 'ON_DEMAND', desired.capacityType);

  const subnets = expectedSubnets(desired.subnets, clusterSubnets);
  if ('reason' in subnets) notCompared.push({ property: 'subnets', reason: subnets.reason });
  else differ('subnets', [...live.subnets].sort(), [...subnets.ids].sort());

  const scalingChanged = (Object.keys(SCALING_NAMES) as ScalingField[]).some((field) => {
    const key = SCALING_NAMES[field];
    return desired.scaling[key] !== undefined && desired.scaling[key] !== live.scaling[key];
  });
  const state: NodeGroupState = changes.length ? 'changed' : scalingChanged ? 'scaling' : 'unchanged';
  return {
    name: desired.name,
    state,
    changes,
    ...(scalingChanged ? { scaling: { from: live.scaling, to: { ...live.scaling, ...desired.scaling } } } : {}),
    notCompared,
  };
}

function expectedSubnets(intent: SubnetIntent, cluster: ClusterSubnets | undefined): { ids: string[] } | { reason: string } {
  if (intent.kind === 'ids') return { ids: intent.ids };
  if (intent.kind === 'unknown') return { reason: intent.reason };
  if (!cluster) return { reason: 'the cluster has no eksctl cluster stack listing its subnets' };
  const ids = intent.private ? cluster.private : cluster.public;
  if (!ids.length) return { reason: `the cluster stack lists no ${intent.private ? 'private' : 'public'} subnets` };
  return { ids };
}

/**
 * Every node group of the config and of the cluster, compared: new (only in the config), removed
 * (only in the cluster: eksctl drains and deletes it), or compared by name.
 */
export function compareNodeGroups(
  desired: DesiredNodeGroup[],
  live: LiveNodeGroup[],
  clusterSubnets: ClusterSubnets | undefined,
  /** Node groups eksctl knows (its stacks) that EKS does not describe as managed. */
  otherLive: string[] = [],
): NodeGroupComparison[] {
  const byName = new Map(live.map((g) => [g.name, g]));
  const compared = desired.map((d) => {
    const current = byName.get(d.name);
    return current ? compareNodeGroup(d, current, clusterSubnets) : { name: d.name, state: 'new' as const, changes: [], notCompared: [] };
  });
  const wanted = new Set(desired.map((d) => d.name));
  const removed = [...new Set([...live.map((g) => g.name), ...otherLive])]
    .filter((name) => !wanted.has(name))
    .sort()
    .map((name) => ({ name, state: 'removed' as const, changes: [], notCompared: [] }));
  return [...compared, ...removed];
}

/** The guard's verdict: the node groups that keep their name but change what cannot change. */
export function guardViolations(comparisons: NodeGroupComparison[]): NodeGroupComparison[] {
  return comparisons.filter((c) => c.state === 'changed');
}
