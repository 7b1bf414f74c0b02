import type { CallerIdentity } from '../aws/identity.js';
import { CLUSTER_CONFIG_FILE, CLUSTER_ENVIRONMENTS_FILE } from '../infra/cluster-environments.js';
import { nextNodeGroupName } from '../infra/node-groups.js';
import { eksctlArgs, type EksctlOperation } from '../tools/eksctl.js';
import { InputError, OperationError } from '../ui/errors.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { compareNodeGroups, desiredNodeGroups, guardViolations, type NodeGroupComparison, type Scaling } from './guard.js';
import { eksctlStacks, type LiveState } from './live.js';
import type { ClusterSource } from './source.js';

/** What `plan` shows and `deploy-infra` runs, in order. */
export type PlannedAction =
  | { kind: 'eksctl'; operation: EksctlOperation; description: string }
  | { kind: 'scale'; nodeGroup: string; from: Scaling; to: Scaling; description: string };

export interface ClusterPlan {
  env: string;
  region: string;
  cluster: string;
  identity: { account: string; arn: string };
  live: { exists: boolean; status?: string; version?: string };
  version: string;
  /** Things the operator should know that do not stop the run. */
  warnings: string[];
  nodeGroups: NodeGroupComparison[];
  /** Node groups that keep their name but change what cannot change in place: the guard's stop. */
  violations: NodeGroupComparison[];
  actions: PlannedAction[];
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
export function planCluster(source: ClusterSource, live: LiveState, identity: CallerIdentity): ClusterPlan {
  const version = textOr(record(source.config.metadata).version, '');
  const warnings: string[] = [];
  const nodeGroups = live.cluster.exists
    ? compareNodeGroups(desiredNodeGroups(source.config), live.nodeGroups, live.clusterSubnets, live.otherNodeGroups)
    : desiredNodeGroups(source.config).map((d) => ({ name: d.name, state: 'new' as const, changes: [], notCompared: [] }));
  const actions: PlannedAction[] = [];
  const eksctl = (operation: EksctlOperation, description: string) => actions.push({ kind: 'eksctl', operation, description });

  if (!live.cluster.exists) {
    eksctl('create-cluster', `create cluster ${source.name}: VPC, control plane, OIDC provider, IRSA service accounts, add-ons and node groups (about 20 minutes)`);
  } else {
    if (live.cluster.status !== 'ACTIVE') warnings.push(`cluster ${source.name} is ${live.cluster.status}, not ACTIVE: deploy-infra waits for no one and will refuse to start`);
    if (live.cluster.version && version && live.cluster.version !== version) {
      warnings.push(
        `cluster ${source.name} runs Kubernetes ${live.cluster.version} and ${CLUSTER_CONFIG_FILE} pins ${version}: deploy-infra does not upgrade clusters (docs/runbooks/cluster.md, "Upgrading Kubernetes")`,
      );
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
    const addons = (Array.isArray(source.config.addons) ? source.config.addons : []).map((a) => `${String(record(a).name)} ${textOr(record(a).version, '(default)')}`);
    if (addons.length) {
      eksctl('create-addons', `create the add-ons the cluster lacks (eksctl skips those it has): ${addons.join(', ')}`);
      eksctl('update-addons', `move the add-ons to their pinned versions and settings: ${addons.join(', ')}`);
    }
    for (const group of nodeGroups) {
      if (group.state === 'scaling' && group.scaling) {
        actions.push({ kind: 'scale', nodeGroup: group.name, from: group.scaling.from, to: group.scaling.to, description: `set the node counts of ${group.name}: ${describeScaling(group.scaling.from, group.scaling.to)}` });
      }
    }
    const added = nodeGroups.filter((g) => g.state === 'new').map((g) => g.name);
    if (added.length) eksctl('create-nodegroups', `create node groups ${added.join(', ')}`);
    const gone = nodeGroups.filter((g) => g.state === 'removed').map((g) => g.name);
    if (gone.length) eksctl('delete-nodegroups', `drain and delete node groups ${gone.join(', ')}, which the config no longer names`);
  }
  return {
    env: source.env,
    region: source.region,
    cluster: source.name,
    identity: { account: identity.account, arn: identity.arn },
    live: { exists: live.cluster.exists, ...(live.cluster.status ? { status: live.cluster.status } : {}), ...(live.cluster.version ? { version: live.cluster.version } : {}) },
    version,
    warnings,
    nodeGroups,
    violations: guardViolations(nodeGroups),
    actions,
  };
}

export function describeScaling(from: Scaling, to: Scaling): string {
  const keys = ['minSize', 'desiredSize', 'maxSize'] as const;
  return keys
    .filter((k) => to[k] !== undefined)
    .map((k) => (from[k] === to[k] ? `${k} ${to[k]}` : `${k} ${from[k] ?? '?'} → ${to[k]}`))
    .join(', ');
}

/** The command line an action runs, with the rendered file as given. */
export function actionCommand(action: PlannedAction, configFile = RENDERED_CONFIG): string {
  if (action.kind === 'eksctl') return `eksctl ${eksctlArgs(action.operation, configFile).join(' ')}`;
  return `EKS UpdateNodegroupConfig ${action.nodeGroup} (${describeScaling(action.from, action.to)})`;
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
export function busyError(plan: ClusterPlan, live: { cluster: { status?: string }; nodeGroups: { name: string; status: string }[] }): OperationError | undefined {
  if (!plan.live.exists) return undefined;
  const busy = [
    ...(live.cluster.status !== 'ACTIVE' ? [`cluster ${plan.cluster} is ${live.cluster.status ?? 'in an unknown state'}`] : []),
    ...live.nodeGroups.filter((g) => ['CREATING', 'UPDATING', 'DELETING'].includes(g.status)).map((g) => `node group ${g.name} is ${g.status}`),
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
  lines.push('', plan.violations.length ? 'Actions (none will run until the guard passes):' : plan.actions.length ? 'Actions, in order:' : 'Actions: none, the cluster matches the config.');
  plan.actions.forEach((action, i) => lines.push(`  ${i + 1}. ${action.description}`, `     ${paint('dim', actionCommand(action))}`));
  return lines.join('\n');
}

const indent = (text: string) => text.split('\n').map((line) => `  ${line}`).join('\n');
