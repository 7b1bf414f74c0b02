import { CLUSTER_CONFIG_FILE } from '../infra/cluster-environments.js';
import { InputError } from '../ui/errors.js';
import type { YamlDocument } from '../yaml/source.js';

/**
 * Kubernetes upgrades of an existing cluster, decided from the config and the live state: the
 * version path (EKS moves the control plane one minor version at a time, never down), the add-on
 * pins against what EKS says fits the target version, the node groups to roll, and how long the
 * running version keeps EKS's standard support. Pure: the reads are in eks-versions.ts.
 */

/** An add-on as infra/cluster.yaml pins it. */
export interface AddonPin {
  name: string;
  /** Undefined when the config leaves the version to EKS's default. */
  version?: string;
  /** EKS's ResolveConflicts value for the config's resolveConflicts. */
  resolveConflicts?: 'OVERWRITE' | 'PRESERVE' | 'NONE';
  /** The line of its version (or its name) in infra/cluster.yaml. */
  line: number;
}

/** An add-on EKS has installed on the cluster. */
export interface LiveAddon {
  name: string;
  version?: string;
  status?: string;
}

/** A Kubernetes version as EKS describes it (DescribeClusterVersions). */
export interface ClusterVersionInfo {
  version: string;
  status?: string;
  endOfStandardSupport?: Date;
  endOfExtendedSupport?: Date;
}

export type UpgradeState = 'upgrade' | 'unchanged';

export interface AddonStep {
  name: string;
  current?: string;
  pinned?: string;
  /** update: EKS UpdateAddon to the pin; unchanged: already there; create: not installed (eksctl's create-addons step). */
  state: 'update' | 'unchanged' | 'create';
}

export interface NodeGroupStep {
  name: string;
  current?: string;
  target: string;
  state: UpgradeState;
  /** The rolling update's width as the config sets it (updateConfig), and as EKS has it now. */
  maxUnavailable?: { config?: UpdateWidth; live?: UpdateWidth };
}

/** managedNodeGroups[].updateConfig: how many nodes a rolling update replaces at once. */
export interface UpdateWidth {
  maxUnavailable?: number;
  maxUnavailablePercentage?: number;
}

export interface UpgradePlan {
  /** The control plane: the version it runs and the config's. */
  controlPlane: { from: string; to: string; state: UpgradeState };
  addons: AddonStep[];
  nodeGroups: NodeGroupStep[];
}

export interface MinorVersion {
  major: number;
  minor: number;
}

export function parseMinor(version: string): MinorVersion | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(version.trim());
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

const show = (v: MinorVersion) => `${v.major}.${v.minor}`;

/**
 * The control plane's path from `live` to `target`, or the InputError that stops the run: a
 * lower version (EKS cannot downgrade), or a jump over minor versions, naming the ones skipped.
 */
export function versionPathError(cluster: string, live: string, target: string, document: YamlDocument): InputError | undefined {
  const from = parseMinor(live);
  const to = parseMinor(target);
  const where = `${CLUSTER_CONFIG_FILE}:${document.lineOf(['metadata', 'version'])}`;
  if (!from || !to) {
    return new InputError(`cannot compare Kubernetes versions ${live} (cluster ${cluster}) and ${target} (${CLUSTER_CONFIG_FILE}): each must be <major>.<minor>`, {
      where,
      hint: 'write metadata.version as EKS does, like "1.36"; nothing was changed',
    });
  }
  if (from.major !== to.major) {
    return new InputError(`${live} -> ${target} changes the Kubernetes major version, which EKS has no upgrade for`, { where, hint: `set metadata.version back to "${live}"; nothing was changed` });
  }
  if (to.minor < from.minor) {
    return new InputError(`${CLUSTER_CONFIG_FILE} pins Kubernetes ${target}, lower than the ${live} cluster ${cluster} runs: EKS cannot downgrade a cluster`, {
      where,
      hint: `set metadata.version back to "${live}" (and KUBERNETES_VERSION in tools/versions.env); a cluster goes back to an older version only by being rebuilt. Nothing was changed`,
    });
  }
  if (to.minor > from.minor + 1) {
    const skipped = Array.from({ length: to.minor - from.minor - 1 }, (_, i) => show({ major: from.major, minor: from.minor + 1 + i }));
    const next = skipped[0] ?? target;
    return new InputError(`${live} -> ${target} skips ${skipped.join(', ')}: EKS upgrades the control plane one minor version at a time; upgrade to ${next} first`, {
      where,
      hint: `set metadata.version to "${next}" (with KUBERNETES_VERSION and KUBERNETES_RELEASE in tools/versions.env and the add-on pins), run make tools and deploy-infra, then go on to ${target} the same way. Nothing was changed`,
    });
  }
  return undefined;
}

/**
 * Pins that EKS does not list as compatible with the target version (DescribeAddonVersions'
 * compatibilities[].clusterVersion). `compatible` maps each add-on to its compatible versions,
 * newest first; an add-on EKS does not list at all has no entry.
 */
export function incompatiblePinError(pins: AddonPin[], compatible: ReadonlyMap<string, string[]>, target: string): InputError | undefined {
  const bad = pins.filter((p) => p.version !== undefined && !(compatible.get(p.name) ?? []).includes(p.version));
  const [first] = bad;
  if (!first) return undefined;
  const versions = compatible.get(first.name) ?? [];
  const others = bad.slice(1).map((p) => `${p.name} ${p.version ?? ''}`);
  return new InputError(
    `add-on ${first.name} is pinned to ${first.version ?? ''}, which EKS does not list as compatible with Kubernetes ${target}${others.length ? ` (nor ${others.join(', ')})` : ''}`,
    {
      where: `${CLUSTER_CONFIG_FILE}:${first.line}`,
      hint: versions.length
        ? `pin one of the versions compatible with ${target}: ${versions.join(', ')} (\`eksctl utils describe-addon-versions --kubernetes-version ${target} --name ${first.name}\`). Nothing was changed`
        : `EKS lists no ${first.name} version for Kubernetes ${target}: check the add-on's name, or remove it. Nothing was changed`,
    },
  );
}

const CONFLICTS = { overwrite: 'OVERWRITE', preserve: 'PRESERVE', none: 'NONE' } as const;

/** The add-ons of the rendered ClusterConfig, with the line of each pin in infra/cluster.yaml. */
export function addonPins(config: Record<string, unknown>, document: YamlDocument): AddonPin[] {
  const list = Array.isArray(config.addons) ? (config.addons as unknown[]) : [];
  return list.flatMap((entry, index) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const addon = entry as Record<string, unknown>;
    if (typeof addon.name !== 'string') return [];
    const version = typeof addon.version === 'string' && addon.version !== '' && addon.version !== 'latest' ? addon.version : undefined;
    const conflicts = typeof addon.resolveConflicts === 'string' ? CONFLICTS[addon.resolveConflicts.toLowerCase() as keyof typeof CONFLICTS] : undefined;
    return [
      {
        name: addon.name,
        ...(version ? { version } : {}),
        ...(conflicts ? { resolveConflicts: conflicts } : {}),
        line: document.lineOf(['addons', index, version ? 'version' : 'name']),
      },
    ];
  });
}

/** Each pinned add-on against the installed one. */
export function addonSteps(pins: AddonPin[], live: LiveAddon[]): AddonStep[] {
  const installed = new Map(live.map((a) => [a.name, a]));
  return pins.map((pin) => {
    const current = installed.get(pin.name);
    const base = { name: pin.name, ...(current?.version ? { current: current.version } : {}), ...(pin.version ? { pinned: pin.version } : {}) };
    if (!current) return { ...base, state: 'create' as const };
    return { ...base, state: pin.version && pin.version !== current.version ? ('update' as const) : ('unchanged' as const) };
  });
}

/** The updateConfig a managed node group of the rendered config asks for. */
export function configUpdateWidth(spec: Record<string, unknown>): UpdateWidth | undefined {
  const update = spec.updateConfig;
  if (typeof update !== 'object' || update === null) return undefined;
  const { maxUnavailable, maxUnavailablePercentage } = update as Record<string, unknown>;
  const width: UpdateWidth = {
    ...(typeof maxUnavailable === 'number' ? { maxUnavailable } : {}),
    ...(typeof maxUnavailablePercentage === 'number' ? { maxUnavailablePercentage } : {}),
  };
  return Object.keys(width).length ? width : undefined;
}

export const sameWidth = (a: UpdateWidth | undefined, b: UpdateWidth | undefined) =>
  a?.maxUnavailable === b?.maxUnavailable && a?.maxUnavailablePercentage === b?.maxUnavailablePercentage;

export function describeWidth(width: UpdateWidth | undefined): string {
  if (!width) return 'EKS default (1 node)';
  if (width.maxUnavailablePercentage !== undefined) return `maxUnavailablePercentage ${width.maxUnavailablePercentage}`;
  return `maxUnavailable ${width.maxUnavailable ?? 1}`;
}

const DAY = 86_400_000;
/** How far ahead the end of standard support is worth a warning. */
export const SUPPORT_WARNING_DAYS = 90;

/**
 * A warning when the running version's standard support ends within SUPPORT_WARNING_DAYS of
 * `now`, or has ended; undefined otherwise (or when EKS reports no date).
 */
export function supportWarning(cluster: string, info: ClusterVersionInfo | undefined, now: Date): string | undefined {
  const end = info?.endOfStandardSupport;
  if (!info || !end) return undefined;
  const days = Math.ceil((end.getTime() - now.getTime()) / DAY);
  const date = end.toISOString().slice(0, 10);
  const extended = info.endOfExtendedSupport ? ` (extended support lasts until ${info.endOfExtendedSupport.toISOString().slice(0, 10)})` : '';
  const after = `EKS then bills the cluster for extended support${extended}, or, under the STANDARD upgrade policy, upgrades the control plane itself`;
  if (days <= 0) {
    return `Kubernetes ${info.version}, which ${cluster} runs, left EKS standard support on ${date} (${-days} days ago): ${after}; upgrade now (docs/runbooks/cluster.md, "Upgrading Kubernetes")`;
  }
  if (days <= SUPPORT_WARNING_DAYS) {
    return `Kubernetes ${info.version}, which ${cluster} runs, leaves EKS standard support on ${date} (in ${days} days): ${after}; plan the upgrade (docs/runbooks/cluster.md, "Upgrading Kubernetes")`;
  }
  return undefined;
}

/**
 * The annotation of infra/cluster.yaml's metadata that sets the cluster's upgrade policy. eksctl
 * v0.215.0's ClusterConfig has no upgradePolicy field (its schema, `eksctl utils schema`, and its
 * strict loader refuse one), and eksctl ignores metadata.annotations: biomage applies the value
 * itself through EKS UpdateClusterConfig.
 */
export const SUPPORT_TYPE_ANNOTATION = 'biomage.net/upgrade-support-type';
export const SUPPORT_TYPES = ['STANDARD', 'EXTENDED'] as const;
export type SupportType = (typeof SUPPORT_TYPES)[number];

/** The upgrade policy the config asks for (undefined: it leaves EKS's), or the InputError for a value EKS does not have. */
export function desiredSupportType(config: Record<string, unknown>, document: YamlDocument): SupportType | undefined {
  const metadata = config.metadata;
  const annotations = typeof metadata === 'object' && metadata !== null ? (metadata as { annotations?: unknown }).annotations : undefined;
  const value = typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[SUPPORT_TYPE_ANNOTATION] : undefined;
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (SUPPORT_TYPES as readonly string[]).includes(value)) return value as SupportType;
  throw new InputError(`metadata.annotations ${SUPPORT_TYPE_ANNOTATION} must be ${SUPPORT_TYPES.join(' or ')}, not ${JSON.stringify(value)}`, {
    where: `${CLUSTER_CONFIG_FILE}:${document.lineOf(['metadata', 'annotations', SUPPORT_TYPE_ANNOTATION])}`,
    hint: 'STANDARD: EKS upgrades the control plane itself when standard support ends; EXTENDED: it keeps the version and bills extended support. Nothing was changed',
  });
}
