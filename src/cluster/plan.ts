import type { CallerIdentity } from '../aws/identity.js';
import { CLUSTER_CONFIG_FILE, CLUSTER_ENVIRONMENTS_FILE } from '../infra/cluster-environments.js';
import { nextNodeGroupName } from '../infra/node-groups.js';
import { eksctlArgs, eksctlUpgradeNodegroupArgs, type EksctlOperation } from '../tools/eksctl.js';
import { InputError, OperationError } from '../ui/errors.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { compareNodeGroups, desiredNodeGroups, guardViolations, type NodeGroupComparison, type Scaling } from './guard.js';
import { eksctlStacks, type LiveState } from './live.js';
import type { PreflightReport } from './preflight.js';
import type { ClusterSource } from './source.js';
import {
  addonPins,
  addonSteps,
  configUpdateWidth,
  desiredSupportType,
  describeWidth,
  sameWidth,
  supportWarning,
  type AddonStep,
  type ClusterVersionInfo,
  type SupportType,
  type UpdateWidth,
  type UpgradePlan,
} from './upgrade.js';

/** What `plan` shows and `deploy-infra` runs, in order. */
export type PlannedAction =
  | { kind: 'eksctl'; operation: EksctlOperation; description: string }
  | { kind: 'scale'; nodeGroup: string; from: Scaling; to: Scaling; description: string }
  /** EKS UpdateAddon to the pinned version, awaited. */
  | { kind: 'addon'; addon: string; from?: string; to: string; resolveConflicts?: 'OVERWRITE' | 'PRESERVE' | 'NONE'; description: string }
  /** EKS UpdateClusterConfig upgradePolicy: what happens when the version's standard support ends. */
  | { kind: 'upgrade-policy'; from?: string; to: SupportType; description: string }
  /** `eksctl upgrade nodegroup`, after setting the node group's updateConfig when EKS has another one. */
  | { kind: 'upgrade-nodegroup'; nodeGroup: string; from?: string; to: string; updateConfig?: { from?: UpdateWidth; to: UpdateWidth }; description: string };

/**
 * One line of the plan, in order. Without an action it is part of an upgrade already at its
 * target (a rerun after a failure): shown, and reported `unchanged`.
 */
export interface PlanStep {
  description: string;
  action?: PlannedAction;
}

export interface ClusterPlan {
  env: string;
  region: string;
  cluster: string;
  identity: { account: string; arn: string };
  live: { exists: boolean; status?: string; version?: string; supportType?: string };
  version: string;
  /** Things the operator should know that do not stop the run. */
  warnings: string[];
  nodeGroups: NodeGroupComparison[];
  /** Node groups that keep their name but change what cannot change in place: the guard's stop. */
  violations: NodeGroupComparison[];
  actions: PlannedAction[];
  /** The actions with the upgrade's finished parts between them, in order. */
  steps: PlanStep[];
  /** Each pinned add-on: installed and pinned versions (an existing cluster only). */
  addons: AddonStep[];
  /** Present while the control plane or a node group runs an older version than the config's. */
  upgrade?: UpgradePlan;
  /** The upgrade's pre-flight (charts and releases against the target's schemas), once it ran. */
  preflight?: PreflightReport;
}

/** What EKS says beyond the cluster itself: the running version's support dates, and the time to judge them at. */
export interface PlanFacts {
  versionInfo?: ClusterVersionInfo;
  now?: Date;
}

/** What the rendered config file is called in a plan: it exists only while deploy-infra runs. */
export const RENDERED_CONFIG = '<rendered ClusterConfig>';

const ALL_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
/** A parsed YAML value as text, `fallback` when absent (null or undefined). */
// eslint-disable-next-line @typescript-eslint/no-base-to-string -- config scalars; a mapping given where a scalar belongs shows as eksctl would then reject it
const textOr = (value: unknown, fallback: string): string => (value === undefined || value === null ? fallback : String(value));

/** The control-plane log types the config turns on. */
function desiredLogging(config: Record<string, unknown>): string[] {
  const types = record(record(config.cloudWatch).clusterLogging).enableTypes;
  const list = Array.isArray(types) ? types.map(String) : [];
  return (list.includes('all') || list.includes('*') ? ALL_LOG_TYPES : list).filter((t, i, all) => all.indexOf(t) === i).sort();
}

/** The IRSA service accounts the config declares, as namespace/name. */
function desiredServiceAccounts(config: Record<string, unknown>): { namespace: string; name: string }[] {
  const list = record(config.iam).serviceAccounts;
  return (Array.isArray(list) ? list : []).map((sa) => {
    const metadata = record(record(sa).metadata);
    return { namespace: textOr(metadata.namespace, 'default'), name: textOr(metadata.name, '') };
  });
}

/** Compare the rendered config with the live cluster and decide what to run. Reads nothing itself. */
export function planCluster(source: ClusterSource, live: LiveState, identity: CallerIdentity, facts: PlanFacts = {}): ClusterPlan {
  const version = textOr(record(source.config.metadata).version, '');
  const warnings: string[] = [];
  const nodeGroups = live.cluster.exists
    ? compareNodeGroups(desiredNodeGroups(source.config), live.nodeGroups, live.clusterSubnets, live.otherNodeGroups)
    : desiredNodeGroups(source.config).map((d) => ({ name: d.name, state: 'new' as const, changes: [], notCompared: [] }));
  const steps: PlanStep[] = [];
  const add = (action: PlannedAction) => steps.push({ description: action.description, action });
  const eksctl = (operation: EksctlOperation, description: string) => add({ kind: 'eksctl', operation, description });
  const pins = addonPins(source.config, source.document);
  const addons = live.cluster.exists ? addonSteps(pins, live.addons ?? []) : [];
  const upgrade = live.cluster.exists ? upgradePlan(source, live, version, addons, nodeGroups) : undefined;

  const supportType = desiredSupportType(source.config, source.document);
  const policy = () => {
    if (!supportType || live.cluster.supportType === supportType) return;
    const now = live.cluster.supportType ? ` (now ${live.cluster.supportType})` : ' (eksctl cannot set it)';
    add({
      kind: 'upgrade-policy',
      ...(live.cluster.supportType ? { from: live.cluster.supportType } : {}),
      to: supportType,
      description: `set the upgrade policy of ${source.name} to ${supportType} support${now}`,
    });
  };

  if (!live.cluster.exists) {
    eksctl('create-cluster', `create cluster ${source.name}: VPC, control plane, OIDC provider, IRSA service accounts, add-ons and node groups (about 20 minutes)`);
    policy();
  } else {
    policy();
    if (live.cluster.status !== 'ACTIVE') warnings.push(`cluster ${source.name} is ${live.cluster.status}, not ACTIVE: deploy-infra waits for no one and will refuse to start`);
    const support = supportWarning(source.name, facts.versionInfo, facts.now ?? new Date());
    if (support) warnings.push(support);
    // The upgrade first, in EKS's order: the control plane, then the add-ons at versions that fit it.
    if (upgrade) {
      const { from, to, state } = upgrade.controlPlane;
      if (state === 'upgrade') eksctl('upgrade-cluster', `upgrade the control plane of ${source.name}: Kubernetes ${from} → ${to}`);
      else steps.push({ description: `control plane of ${source.name} at Kubernetes ${to}` });
    }
    if (upgrade) {
      // EKS upgrades what it manages; an add-on it runs that the config does not pin is nobody's to move.
      const unpinned = (live.addons ?? []).filter((a) => !pins.some((p) => p.name === a.name));
      for (const a of unpinned) {
        warnings.push(`add-on ${a.name} (${a.version ?? 'version unknown'}) runs on ${source.name} but ${CLUSTER_CONFIG_FILE} does not pin it: deploy-infra leaves it as it is; check that it supports Kubernetes ${version}, or pin it`);
      }
    }
    for (const addon of addons) {
      const pin = pins.find((p) => p.name === addon.name);
      if (addon.state === 'update' && addon.pinned) {
        add({
          kind: 'addon',
          addon: addon.name,
          ...(addon.current ? { from: addon.current } : {}),
          to: addon.pinned,
          ...(pin?.resolveConflicts ? { resolveConflicts: pin.resolveConflicts } : {}),
          description: `update add-on ${addon.name}: ${addon.current ?? '?'} → ${addon.pinned}`,
        });
      } else if (upgrade && addon.state === 'unchanged') {
        steps.push({ description: `add-on ${addon.name} at ${addon.current ?? addon.pinned ?? '?'}` });
      }
    }
    for (const group of live.nodeGroups) {
      if (['CREATING', 'UPDATING', 'DELETING'].includes(group.status)) warnings.push(`node group ${group.name} is ${group.status}: deploy-infra will refuse to start until it is ACTIVE`);
      else if (group.status !== 'ACTIVE') warnings.push(`node group ${group.name} is ${group.status}`);
    }
    if (record(source.config.iam).withOIDC === true && !live.oidcProviderAssociated) {
      eksctl('associate-oidc-provider', `create the IAM OIDC provider of ${source.name}, which IRSA roles trust`);
    }
    const logging = desiredLogging(source.config);
    if (logging.join(',') !== live.cluster.logging.join(',')) {
      eksctl('update-cluster-logging', `set control-plane logging to ${logging.join(', ') || 'off'} (now ${live.cluster.logging.join(', ') || 'off'})`);
    }
    const accounts = desiredServiceAccounts(source.config).map((sa) => ({ ...sa, stack: eksctlStacks.iamServiceAccount(source.name, sa.namespace, sa.name) }));
    const existing = new Set(live.iamServiceAccountStacks);
    const missing = accounts.filter((sa) => !existing.has(sa.stack));
    const present = accounts.filter((sa) => existing.has(sa.stack));
    const removed = live.iamServiceAccountStacks.filter((stack) => !accounts.some((sa) => sa.stack === stack));
    const names = (list: { namespace: string; name: string }[]) => list.map((sa) => `${sa.namespace}/${sa.name}`).join(', ');
    if (missing.length) eksctl('create-iamserviceaccounts', `create IRSA service accounts ${names(missing)}`);
    if (present.length) eksctl('update-iamserviceaccounts', `bring the IAM roles of ${names(present)} in line with the config (eksctl changes only what differs)`);
    if (removed.length) {
      const prefix = eksctlStacks.iamServiceAccountPrefix(source.name);
      eksctl('delete-iamserviceaccounts', `delete IRSA service accounts the config no longer declares (${removed.map((s) => s.slice(prefix.length)).join(', ')})`);
    }
    const pinned = (Array.isArray(source.config.addons) ? source.config.addons : []).map((a) => `${String(record(a).name)} ${textOr(record(a).version, '(default)')}`);
    if (pinned.length) {
      eksctl('create-addons', `create the add-ons the cluster lacks (eksctl skips those it has): ${pinned.join(', ')}`);
      eksctl('update-addons', `move the add-ons to their pinned versions and settings: ${pinned.join(', ')}`);
    }
    for (const group of nodeGroups) {
      if (group.state === 'scaling' && group.scaling) {
        add({ kind: 'scale', nodeGroup: group.name, from: group.scaling.from, to: group.scaling.to, description: `set the node counts of ${group.name}: ${describeScaling(group.scaling.from, group.scaling.to)}` });
      }
    }
    const added = nodeGroups.filter((g) => g.state === 'new').map((g) => g.name);
    if (added.length) eksctl('create-nodegroups', `create node groups ${added.join(', ')}`);
    // Then each node group, one at a time: its nodes replaced by ones of the new version.
    for (const group of upgrade?.nodeGroups ?? []) {
      if (group.state === 'unchanged') {
        steps.push({ description: `node group ${group.name} at Kubernetes ${group.target}` });
        continue;
      }
      const width = group.maxUnavailable;
      const setWidth = width?.config && !sameWidth(width.config, width.live);
      add({
        kind: 'upgrade-nodegroup',
        nodeGroup: group.name,
        ...(group.current ? { from: group.current } : {}),
        to: group.target,
        ...(setWidth && width.config ? { updateConfig: { ...(width.live ? { from: width.live } : {}), to: width.config } } : {}),
        description: `roll node group ${group.name}: Kubernetes ${group.current ?? '?'} → ${group.target}, ${describeWidth(width?.config ?? width?.live)} at a time${setWidth ? ` (set first: EKS has ${describeWidth(width.live)})` : ''}`,
      });
    }
    const gone = nodeGroups.filter((g) => g.state === 'removed').map((g) => g.name);
    if (gone.length) eksctl('delete-nodegroups', `drain and delete node groups ${gone.join(', ')}, which the config no longer names`);
  }
  const actions = steps.flatMap((s) => (s.action ? [s.action] : []));
  return {
    env: source.env,
    region: source.region,
    cluster: source.name,
    identity: { account: identity.account, arn: identity.arn },
    live: {
      exists: live.cluster.exists,
      ...(live.cluster.status ? { status: live.cluster.status } : {}),
      ...(live.cluster.version ? { version: live.cluster.version } : {}),
      ...(live.cluster.supportType ? { supportType: live.cluster.supportType } : {}),
    },
    version,
    warnings,
    nodeGroups,
    violations: guardViolations(nodeGroups),
    actions,
    steps,
    addons,
    ...(upgrade ? { upgrade } : {}),
  };
}

/**
 * The upgrade in progress, if any: the control plane or a node group the config and EKS both
 * have runs an older version than the config's. Undefined when everything runs the config's
 * version (or a version cannot be read).
 */
function upgradePlan(source: ClusterSource, live: LiveState, target: string, addons: AddonStep[], nodeGroups: NodeGroupComparison[]): UpgradePlan | undefined {
  const running = live.cluster.version;
  if (!running || !target) return undefined;
  const kept = new Set(nodeGroups.filter((g) => g.state !== 'new' && g.state !== 'removed').map((g) => g.name));
  const specs = new Map(
    (Array.isArray(source.config.managedNodeGroups) ? (source.config.managedNodeGroups as unknown[]) : []).map((g) => [String(record(g).name), record(g)]),
  );
  const groups = live.nodeGroups
    .filter((g) => kept.has(g.name))
    .map((g) => {
      const config = configUpdateWidth(specs.get(g.name) ?? {});
      return {
        name: g.name,
        ...(g.version ? { current: g.version } : {}),
        target,
        state: g.version !== undefined && g.version !== target ? ('upgrade' as const) : ('unchanged' as const),
        ...(config || g.updateConfig ? { maxUnavailable: { ...(config ? { config } : {}), ...(g.updateConfig ? { live: g.updateConfig } : {}) } } : {}),
      };
    });
  if (running === target && groups.every((g) => g.state === 'unchanged')) return undefined;
  return { controlPlane: { from: running, to: target, state: running === target ? 'unchanged' : 'upgrade' }, addons, nodeGroups: groups };
}

export function describeScaling(from: Scaling, to: Scaling): string {
  const keys = ['minSize', 'desiredSize', 'maxSize'] as const;
  return keys
    .filter((k) => to[k] !== undefined)
    .map((k) => (from[k] === to[k] ? `${k} ${to[k]}` : `${k} ${from[k] ?? '?'} → ${to[k]}`))
    .join(', ');
}

/** The command line an action runs, with the rendered file as given. */
export function actionCommand(action: PlannedAction, configFile = RENDERED_CONFIG, where: { cluster: string; region: string } = { cluster: '<cluster>', region: '<region>' }): string {
  switch (action.kind) {
    case 'eksctl':
      return `eksctl ${eksctlArgs(action.operation, configFile).join(' ')}`;
    case 'scale':
      return `EKS UpdateNodegroupConfig ${action.nodeGroup} (${describeScaling(action.from, action.to)})`;
    case 'upgrade-policy':
      return `EKS UpdateClusterConfig ${where.cluster} upgradePolicy.supportType=${action.to}, then wait until ACTIVE`;
    case 'addon':
      return `EKS UpdateAddon ${action.addon} --addon-version ${action.to}${action.resolveConflicts ? ` --resolve-conflicts ${action.resolveConflicts}` : ''}, then wait until ACTIVE`;
    case 'upgrade-nodegroup': {
      const eksctlCall = `eksctl ${eksctlUpgradeNodegroupArgs({ cluster: where.cluster, region: where.region, nodeGroup: action.nodeGroup, kubernetesVersion: action.to }).join(' ')}`;
      return action.updateConfig ? `EKS UpdateNodegroupConfig ${action.nodeGroup} (updateConfig ${describeWidth(action.updateConfig.to)}), then ${eksctlCall}` : eksctlCall;
    }
  }
}

/**
 * The guard's stop, as an error: every node group that keeps its name but changes what cannot
 * change in place, with the exact differences, at the line of its name in infra/cluster.yaml.
 */
export function guardError(plan: ClusterPlan, source: ClusterSource): InputError {
  const taken = new Set(plan.nodeGroups.map((g) => g.name));
  const details = plan.violations.map((v) => `${v.name} (${v.changes.map((c) => `${c.property}: live ${c.live}, config ${c.desired}`).join('; ')})`);
  const [first] = plan.violations;
  if (!first) throw new Error('internal: guardError called for a plan without guard violations');
  const managed = Array.isArray(source.config.managedNodeGroups) ? source.config.managedNodeGroups : [];
  const index = managed.findIndex((g) => record(g).name === first.name);
  const renames = plan.violations.map((v) => `${v.name} → ${nextNodeGroupName(v.name, taken)}`).join(', ');
  return new InputError(
    `the node-group guard stopped the run: ${plan.violations.length === 1 ? 'node group' : 'node groups'} ${details.join(', ')} ${plan.violations.length === 1 ? 'keeps its' : 'keep their'} name but change${plan.violations.length === 1 ? 's' : ''} what EKS cannot change in place, so eksctl would silently leave ${plan.violations.length === 1 ? 'it' : 'them'} as ${plan.violations.length === 1 ? 'it is' : 'they are'}`,
    {
      where: `${CLUSTER_CONFIG_FILE}:${index >= 0 ? source.document.lineOf(['managedNodeGroups', index, 'name']) : 1}`,
      hint: `give the node group a new name; the old one is drained and deleted (${renames}, in ${CLUSTER_CONFIG_FILE} and ${CLUSTER_ENVIRONMENTS_FILE}). Nothing was changed`,
    },
  );
}

/**
 * deploy-infra starts only on a settled cluster: one that is being created, updated or deleted
 * (or node groups that are) would reject eksctl's and EKS's changes half-way. Undefined when settled.
 */
export function busyError(
  plan: ClusterPlan,
  live: { cluster: { status?: string }; nodeGroups: { name: string; status: string }[]; addons?: { name: string; status?: string }[] },
): OperationError | undefined {
  if (!plan.live.exists) return undefined;
  const moving = (status: string | undefined) => ['CREATING', 'UPDATING', 'DELETING'].includes(status ?? '');
  const busy = [
    ...(live.cluster.status !== 'ACTIVE' ? [`cluster ${plan.cluster} is ${live.cluster.status ?? 'in an unknown state'}`] : []),
    ...live.nodeGroups.filter((g) => moving(g.status)).map((g) => `node group ${g.name} is ${g.status}`),
    // An add-on mid-update refuses UpdateAddon, and eksctl's add-on steps with it.
    ...(live.addons ?? []).filter((a) => moving(a.status)).map((a) => `add-on ${a.name} is ${a.status ?? ''}`),
  ];
  if (!busy.length) return undefined;
  return new OperationError(`deploy-infra starts only when the cluster is settled: ${busy.join(', ')}`, {
    where: `EKS cluster ${plan.cluster} (${plan.region})`,
    hint: `wait until EKS reports it ACTIVE (\`eksctl get cluster --name ${plan.cluster} --region ${plan.region}\`, \`eksctl get nodegroup --cluster ${plan.cluster}\`), then run deploy-infra again; FAILED states need a look in the EKS console first. Nothing was changed`,
  });
}

/** The plan for people: the cluster, the node group comparison, the guard's verdict, the actions. */
export function renderPlan(plan: ClusterPlan, paint: Paint): string {
  const lines: string[] = [];
  const live = plan.live.exists ? `exists (${plan.live.status ?? '?'}, Kubernetes ${plan.live.version ?? '?'})` : 'does not exist: it will be created';
  lines.push(`Cluster ${paint('bold', plan.cluster)} in ${plan.region}: ${live}; the config pins Kubernetes ${plan.version}`);
  lines.push(`AWS identity: ${plan.identity.arn}`);
  for (const warning of plan.warnings) lines.push(`${paint('yellow', 'warning:')} ${warning}`);
  lines.push('', 'Node groups (the config against EKS):');
  const rows = plan.nodeGroups.map((g) => {
    const state = g.state === 'changed' ? paint('red', 'CHANGED') : g.state;
    const detail =
      g.state === 'changed'
        ? g.changes.map((c) => `${c.property}: live ${c.live}, config ${c.desired}`).join('; ')
        : g.state === 'scaling' && g.scaling
          ? `node counts in place: ${describeScaling(g.scaling.from, g.scaling.to)}`
          : g.state === 'new'
            ? plan.live.exists
              ? 'created by eksctl'
              : 'created with the cluster'
            : g.state === 'removed'
              ? 'not in the config: drained and deleted by eksctl'
              : 'no change';
    return [g.name, state, detail];
  });
  lines.push(indent(renderTable(['name', 'state', 'detail'], rows)));
  const notCompared = plan.nodeGroups.flatMap((g) => g.notCompared.map((n) => `  ${g.name} ${n.property}: ${n.reason}`));
  if (notCompared.length) lines.push('', 'Not compared:', ...notCompared);
  if (plan.violations.length) {
    const taken = new Set(plan.nodeGroups.map((g) => g.name));
    lines.push('', paint('red', 'The node-group guard stops this deploy: these node groups keep their name but change what EKS cannot change in place.'));
    for (const v of plan.violations) {
      lines.push(`  ${v.name}:`);
      for (const c of v.changes) lines.push(`    ${c.property.padEnd(13)} live ${c.live}   config ${c.desired}`);
      lines.push(`    fix: give the node group a new name (${v.name} → ${nextNodeGroupName(v.name, taken)}); the old one is drained and deleted`);
    }
  }
  lines.push(...renderUpgrade(plan, paint));
  lines.push('', plan.violations.length ? 'Actions (none will run until the guard passes):' : plan.actions.length ? 'Actions, in order:' : 'Actions: none, the cluster matches the config.');
  let n = 0;
  for (const step of plan.steps) {
    if (step.action) lines.push(`  ${++n}. ${step.action.description}`, `     ${paint('dim', actionCommand(step.action, RENDERED_CONFIG, plan))}`);
    else lines.push(`  -  ${step.description}: ${paint('dim', 'unchanged')}`);
  }
  return lines.join('\n');
}

/** The add-ons (installed against pinned), the upgrade path and the pre-flight's verdict. */
function renderUpgrade(plan: ClusterPlan, paint: Paint): string[] {
  const lines: string[] = [];
  if (plan.addons.length) {
    lines.push('', `Add-ons (installed → pinned${plan.upgrade ? `; every pin is one EKS lists as compatible with Kubernetes ${plan.version}` : ''}):`);
    const state = { update: paint('yellow', 'update'), unchanged: 'unchanged', create: 'created by eksctl' };
    lines.push(indent(renderTable(['add-on', 'installed', 'pinned', 'step'], plan.addons.map((a) => [a.name, a.current ?? '(not installed)', a.pinned ?? '(EKS default)', state[a.state]]))));
  }
  const upgrade = plan.upgrade;
  if (!upgrade) return lines;
  const { from, to, state } = upgrade.controlPlane;
  lines.push('', paint('bold', `Upgrade: Kubernetes ${from} → ${to}`) + ` (control plane ${state === 'upgrade' ? `${from} → ${to}` : `already at ${to}`}, then the add-ons, then each node group)`);
  if (upgrade.nodeGroups.length) {
    lines.push('  Node groups to roll (nodes replaced by ones of the new version, as many at a time as updateConfig allows):');
    const rows = upgrade.nodeGroups.map((g) => [
      g.name,
      `${g.current ?? '?'} → ${g.target}`,
      describeWidth(g.maxUnavailable?.config ?? g.maxUnavailable?.live),
      g.state === 'upgrade' ? paint('yellow', 'roll') : 'unchanged',
    ]);
    lines.push(indent(indent(renderTable(['node group', 'version', 'at a time', 'step'], rows))));
  }
  const pre = plan.preflight;
  if (pre) {
    lines.push(
      `  Pre-flight for Kubernetes ${pre.target}: ${pre.charts.length} chart(s) and ${pre.releases.length} release(s) of releases/${plan.env}/ rendered; ${pre.objects} object(s) valid against the ${pre.schemas} schemas.`,
    );
  }
  return lines;
}

const indent = (text: string) => text.split('\n').map((line) => `  ${line}`).join('\n');
