import { canonicalJson } from '../canonical-json.js';
import type { AwsAuthEntry } from '../access/entries.js';
import type { AwsAuthPlan } from '../access/aws-auth.js';
import { policyName, type AccessEntriesPlan, type DesiredAccessEntry, type LiveAccessEntry } from '../access/access-entries.js';
import { describeScaling } from '../cluster/plan.js';
import type { ClusterPlan } from '../cluster/plan.js';
import type { FluxObjectState } from '../k8s/flux-status.js';
import type { Difference } from './difference.js';

/*
 * The cluster's comparisons, as pure functions of what was read: each turns one existing
 * comparison (biomage plan's node groups, biomage access plan's aws-auth, Flux's status) into
 * differences. Reading is in cluster.ts.
 */

/** Node groups and the Kubernetes version: `biomage plan`'s comparison of infra/cluster.yaml with EKS. */
export function nodeGroupDifferences(plan: Pick<ClusterPlan, 'cluster' | 'version' | 'live' | 'nodeGroups'>, stack: string): Difference[] {
  const differences: Difference[] = [];
  const base = { kind: 'node-group' as const, stack, type: 'EKS node group' };
  if (plan.live.exists && plan.live.version && plan.version && plan.live.version !== plan.version) {
    differences.push({
      kind: 'cluster-version',
      stack,
      logicalId: plan.cluster,
      type: 'EKS cluster',
      path: 'version',
      expected: plan.version,
      actual: plan.live.version,
      detail: 'the Kubernetes version infra/cluster.yaml pins is not the one that runs',
    });
  }
  for (const group of plan.nodeGroups) {
    const at = { ...base, logicalId: group.name };
    if (group.state === 'changed') {
      for (const change of group.changes) differences.push({ ...at, path: change.property, expected: change.desired, actual: change.live, detail: 'cannot change in place: needs a new node group name' });
    } else if (group.state === 'scaling' && group.scaling) {
      const { from, to } = group.scaling;
      for (const key of ['minSize', 'desiredSize', 'maxSize'] as const) {
        if (to[key] === undefined || from[key] === to[key]) continue;
        differences.push({ ...at, path: `scaling.${key}`, expected: String(to[key]), actual: from[key] === undefined ? '(unset)' : String(from[key]), detail: `node counts (${describeScaling(from, to)})` });
      }
    } else if (group.state === 'new') {
      differences.push({ ...at, expected: 'in infra/cluster.yaml', actual: plan.live.exists ? 'absent from EKS' : 'no cluster', detail: 'in the config, not in EKS' });
    } else if (group.state === 'removed') {
      differences.push({ ...at, expected: 'absent from infra/cluster.yaml', actual: 'runs in EKS', detail: 'in EKS, no longer in the config' });
    }
  }
  return differences;
}

const entryText = (e: Pick<AwsAuthEntry, 'username' | 'groups'>) => `${e.username ?? '(no username)'} [${e.groups.join(', ')}]`;

/** aws-auth against the access lists: what `biomage access plan` would add, update or remove. */
export function accessDifferences(plan: Pick<AwsAuthPlan, 'add' | 'update' | 'remove'>, stack: string): Difference[] {
  const base = { kind: 'access' as const, stack, type: 'aws-auth entry', path: 'configmap kube-system/aws-auth' };
  return [
    ...plan.add.map((e): Difference => ({ ...base, logicalId: e.arn, expected: entryText(e), actual: 'absent', detail: `listed in ${e.source.file}:${e.source.line}, not in aws-auth` })),
    ...plan.update.map((u): Difference => ({ ...base, logicalId: u.to.arn, expected: entryText(u.to), actual: entryText(u.from), detail: `differs from ${u.to.source.file}:${u.to.source.line}` })),
    ...plan.remove.map((e): Difference => ({ ...base, logicalId: e.arn, expected: 'absent', actual: entryText(e), detail: 'written by biomage, no longer in the access lists' })),
  ];
}

const grantText = (e: Pick<LiveAccessEntry | DesiredAccessEntry, 'username' | 'kubernetesGroups' | 'policies'>) =>
  `${e.username ?? '(no username)'} [${[...e.kubernetesGroups.map((g) => `group ${g}`), ...e.policies.map((p) => `${policyName(p.policyArn)} (${p.scope.type})`)].join(', ')}]`;

/** EKS access entries against the access lists (the API modes): what `biomage access plan` would create, update or delete. */
export function accessEntryDifferences(plan: Pick<AccessEntriesPlan, 'create' | 'update' | 'delete'>, stack: string): Difference[] {
  const base = { kind: 'access' as const, stack, type: 'EKS access entry', path: 'access entry' };
  return [
    ...plan.create.map((e): Difference => ({ ...base, logicalId: e.principalArn, expected: grantText(e), actual: 'absent', detail: `listed in ${e.source.file}:${e.source.line}, no access entry` })),
    ...plan.update.map((u): Difference => ({ ...base, logicalId: u.to.principalArn, expected: grantText(u.to), actual: grantText(u.from), detail: `${u.changes.join(', ')}; differs from ${u.to.source.file}:${u.to.source.line}` })),
    ...plan.delete.map((e): Difference => ({ ...base, logicalId: e.principalArn, expected: 'absent', actual: grantText(e), detail: 'made by biomage, no longer in the access lists' })),
  ];
}

/** A HelmRelease file of releases/<env>/ as git holds it at the branch head. */
export interface GitRelease {
  file: string;
  namespace: string;
  name: string;
  spec: unknown;
}

/** A HelmRelease as the cluster has it: Flux's status, and its spec. */
export interface LiveRelease {
  state: FluxObjectState;
  spec?: unknown;
}

export interface FluxInput {
  env: string;
  /** The branch the GitRepository follows, and its head commit in git (undefined: not found). */
  branch: string;
  head?: string;
  kustomization: FluxObjectState;
  releases: GitRelease[];
  /** By `namespace/name`. */
  live: ReadonlyMap<string, LiveRelease>;
}

/** The commit of a Flux revision: `main@sha1:abc…` → `abc…`. */
export function revisionCommit(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const match = /(?:sha1|sha256):([0-9a-f]+)$/.exec(revision) ?? /^([0-9a-f]{40})$/.exec(revision);
  return match?.[1];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where the live spec differs from git's, for the fields git sets (the API server and Flux add
 * defaults of their own, which are no drift): `values.image.tag`, with both values.
 */
export function specDifferences(expected: unknown, actual: unknown, path = 'spec'): { path: string; expected: string; actual: string }[] {
  if (isRecord(expected) && isRecord(actual)) return Object.keys(expected).sort().flatMap((key) => specDifferences(expected[key], actual[key], `${path}.${key}`));
  if (canonicalJson(expected ?? null) === canonicalJson(actual ?? null)) return [];
  const text = (value: unknown) => (value === undefined ? '(unset)' : typeof value === 'string' ? value : canonicalJson(value));
  return [{ path, expected: text(expected), actual: text(actual) }];
}

/**
 * Flux against git: the Kustomization applied the branch head, and every HelmRelease of
 * releases/<env>/ exists, is Ready for its current generation, and has git's spec.
 */
export function fluxDifferences(input: FluxInput, stack: string): Difference[] {
  const differences: Difference[] = [];
  const k = input.kustomization;
  const applied = revisionCommit(k.revision);
  const kustomization = { kind: 'kustomization' as const, stack, type: 'Kustomization', logicalId: `flux-system/releases (./releases/${input.env})` };
  if (!k.exists) {
    differences.push({ ...kustomization, expected: `applies ${input.branch}@${input.head ?? '?'}`, actual: 'absent', detail: `no Kustomization: run \`biomage configure --env ${input.env}\`` });
  } else {
    if (input.head && applied !== input.head) {
      differences.push({ ...kustomization, path: 'status.lastAppliedRevision', expected: `${input.branch}@${input.head}`, actual: k.revision ?? '(none)', detail: 'Flux has not applied the branch head' });
    }
    if (!k.ready) differences.push({ ...kustomization, path: 'status.conditions[Ready]', expected: 'True', actual: k.message ? `not ready: ${k.message}` : 'not ready', detail: 'the Kustomization is not Ready' });
  }
  for (const release of input.releases) {
    const key = `${release.namespace}/${release.name}`;
    const base = { kind: 'helm-release' as const, stack, type: 'HelmRelease', logicalId: key, path: release.file };
    const live = input.live.get(key);
    if (!live?.state.exists) {
      differences.push({ ...base, expected: `in ${release.file}`, actual: 'absent from the cluster', detail: 'git has it, the cluster does not' });
      continue;
    }
    if (!live.state.ready) {
      differences.push({ ...base, path: 'status.conditions[Ready]', expected: 'True', actual: live.state.message ? `not ready: ${live.state.message}` : 'not ready', detail: 'not Ready for its current generation' });
    }
    for (const d of specDifferences(release.spec, live.spec)) differences.push({ ...base, ...d, detail: `differs from ${release.file}` });
  }
  return differences;
}
