import { InputError } from '../ui/errors.js';
import type { AccessListFile, DesiredEntry, PrincipalType } from './entries.js';
import { READ_ONLY_GROUP } from './mapping.js';

/**
 * EKS access entries from the access lists, for clusters whose authentication mode allows them
 * (API_AND_CONFIG_MAP, API): what biomage wants, and what has to change. Pure: the EKS calls are
 * in eks-access-entries.ts.
 *
 * What each list grants:
 * - infra/cluster_admins: the access policy AmazonEKSClusterAdminPolicy at cluster scope, and no
 *   Kubernetes group. EKS refuses groups starting with `system:` in an access entry, so the
 *   system:masters of aws-auth has no equivalent there; the policy is EKS's own cluster-admin.
 * - infra/cluster_users: the Kubernetes group `read-only`, which infra/charts/read-only-group binds
 *   to its ClusterRole, and no access policy. Chosen over EKS's AmazonEKSViewPolicy because the
 *   chart's rules are the ones already reviewed (no Secrets, no exec/attach/port-forward) and cover
 *   Flux's HelmReleases, Kustomizations and sources, which AmazonEKSViewPolicy (AWS-defined, and
 *   changed by AWS at will) does not; and because the same group works under aws-auth, so a user
 *   sees the same cluster whichever way the cluster authenticates them, during a migration too.
 *
 * Which entries are biomage's: those tagged `biomage:managed=true` (MANAGED_TAG) when biomage
 * created them. The tag, not the username, decides: tags are EKS metadata that kubectl users
 * never see or set, survive a change of username, and let `aws eks list-access-entries` plus
 * `list-tags-for-resource` tell biomage's entries apart without reading usernames. The username
 * keeps aws-auth's prefixes (biomage-admin:…, biomage-user:…) all the same, so the API server's
 * audit log names the list that granted access whichever way the identity was mapped. Entries
 * without the tag (the cluster creator's, hand-made ones) and every node entry (EC2_LINUX and the
 * other node types, which EKS creates for node roles) are never changed or removed.
 */
export const MANAGED_TAG = { key: 'biomage:managed', value: 'true' } as const;

export const CLUSTER_ADMIN_POLICY = 'AmazonEKSClusterAdminPolicy';

/** The ARN of one of EKS's access policies in a partition (`aws`, `aws-cn`, …). */
export function accessPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${name}`;
}

export interface AccessScope {
  type: 'cluster' | 'namespace';
  /** Empty for a cluster scope. */
  namespaces: string[];
}

export interface PolicyAssociation {
  policyArn: string;
  scope: AccessScope;
}

/** An access entry biomage wants, with the access-list line that asked for it. */
export interface DesiredAccessEntry {
  principalArn: string;
  principalType: PrincipalType;
  username: string;
  kubernetesGroups: string[];
  policies: PolicyAssociation[];
  source: DesiredEntry['source'];
}

/** An access entry as EKS describes it. */
export interface LiveAccessEntry {
  principalArn: string;
  /** STANDARD, or a node type (EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, HYBRID_LINUX, EC2). */
  type: string;
  username?: string;
  kubernetesGroups: string[];
  tags: Record<string, string>;
  policies: PolicyAssociation[];
}

export interface AccessEntryUpdate {
  from: LiveAccessEntry;
  to: DesiredAccessEntry;
  /** What differs, for the report: `username`, `groups`, `policy +<name>`, `policy -<name>`. */
  changes: string[];
}

export interface AccessEntriesPlan {
  create: DesiredAccessEntry[];
  update: AccessEntryUpdate[];
  /** biomage's entries for principals no longer listed. */
  delete: LiveAccessEntry[];
  unchanged: DesiredAccessEntry[];
  /** Entries biomage does not manage (node entries, the creator's, hand-made): never changed. */
  keep: LiveAccessEntry[];
}

/** biomage created it (its tag says so) and it is a person's, not a node's. */
export function isManagedAccessEntry(entry: LiveAccessEntry): boolean {
  return entry.type === 'STANDARD' && entry.tags[MANAGED_TAG.key] === MANAGED_TAG.value;
}

export function isNodeAccessEntry(entry: LiveAccessEntry): boolean {
  return entry.type !== 'STANDARD';
}

/** The access entries the lists' entries (desiredEntries of mapping.ts) become, in list order. */
export function desiredAccessEntries(desired: readonly DesiredEntry[], partition: string): DesiredAccessEntry[] {
  const grants: Record<AccessListFile, { groups: string[]; policies: PolicyAssociation[] }> = {
    'infra/cluster_admins': { groups: [], policies: [{ policyArn: accessPolicyArn(partition, CLUSTER_ADMIN_POLICY), scope: { type: 'cluster', namespaces: [] } }] },
    'infra/cluster_users': { groups: [READ_ONLY_GROUP], policies: [] },
  };
  return desired.map((entry) => {
    const grant = grants[entry.source.file];
    return {
      principalArn: entry.iamArn ?? entry.arn,
      principalType: entry.type,
      username: entry.username,
      kubernetesGroups: [...grant.groups],
      policies: grant.policies.map((p) => ({ policyArn: p.policyArn, scope: { ...p.scope, namespaces: [...p.scope.namespaces] } })),
      source: entry.source,
    };
  });
}

/**
 * What has to change so that biomage's entries are exactly `desired`. Entries are matched by
 * principal ARN regardless of case (IAM names are case-insensitive). A listed principal whose
 * entry biomage did not make is refused before anything changes: EKS holds one entry per
 * principal, and taking over someone else's would change access biomage never granted.
 */
export function planAccessEntries(live: readonly LiveAccessEntry[], desired: readonly DesiredAccessEntry[], cluster = '<cluster>'): AccessEntriesPlan {
  const key = (arn: string) => arn.toLowerCase();
  const keep = live.filter((e) => !isManagedAccessEntry(e));
  const unmanaged = new Map(keep.map((e) => [key(e.principalArn), e] as const));
  for (const entry of desired) {
    const taken = unmanaged.get(key(entry.principalArn));
    if (taken) throw unmanagedConflict(entry, taken, cluster);
  }
  const managed = new Map(live.filter(isManagedAccessEntry).map((e) => [key(e.principalArn), e] as const));
  const plan: AccessEntriesPlan = { create: [], update: [], delete: [], unchanged: [], keep };
  const matched = new Set<LiveAccessEntry>();
  for (const entry of desired) {
    const now = managed.get(key(entry.principalArn));
    if (!now) {
      plan.create.push(entry);
      continue;
    }
    matched.add(now);
    const changes = differences(now, entry);
    if (changes.length) plan.update.push({ from: now, to: entry, changes });
    else plan.unchanged.push(entry);
  }
  plan.delete = [...managed.values()].filter((e) => !matched.has(e));
  return plan;
}

export function hasAccessEntryChanges(plan: AccessEntriesPlan): boolean {
  return plan.create.length + plan.update.length + plan.delete.length > 0;
}

/** The policies to associate (new, or with another scope) and to disassociate. */
export function policyChanges(from: readonly PolicyAssociation[], to: readonly PolicyAssociation[]): { associate: PolicyAssociation[]; disassociate: PolicyAssociation[] } {
  const scopeKey = (p: PolicyAssociation) => `${p.scope.type}:${[...p.scope.namespaces].sort().join(',')}`;
  const current = new Map(from.map((p) => [p.policyArn, p] as const));
  const wanted = new Set(to.map((p) => p.policyArn));
  return {
    associate: to.filter((p) => {
      const now = current.get(p.policyArn);
      return !now || scopeKey(now) !== scopeKey(p);
    }),
    disassociate: from.filter((p) => !wanted.has(p.policyArn)),
  };
}

/** The short name of an access policy ARN: `AmazonEKSClusterAdminPolicy`. */
export function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function differences(now: LiveAccessEntry, wanted: DesiredAccessEntry): string[] {
  const changes: string[] = [];
  if (now.username !== wanted.username) changes.push('username');
  const sorted = (groups: readonly string[]) => [...groups].sort().join('\0');
  if (sorted(now.kubernetesGroups) !== sorted(wanted.kubernetesGroups)) changes.push('groups');
  const { associate, disassociate } = policyChanges(now.policies, wanted.policies);
  changes.push(...associate.map((p) => `policy +${policyName(p.policyArn)}`), ...disassociate.map((p) => `policy -${policyName(p.policyArn)}`));
  return changes;
}

function unmanagedConflict(entry: DesiredAccessEntry, taken: LiveAccessEntry, cluster: string): InputError {
  const where = `${entry.source.file}:${entry.source.line}`;
  const also = entry.source.text === taken.principalArn ? '' : ` (${taken.principalArn})`;
  if (isNodeAccessEntry(taken)) {
    return new InputError(`${entry.source.text}${also} is a node role (its access entry is of type ${taken.type}): biomage never changes a node's access entry, the nodes depend on it`, {
      where,
      hint: `remove line ${entry.source.line} from ${entry.source.file}: list the IAM users or roles that people use`,
    });
  }
  const policies = taken.policies.map((p) => policyName(p.policyArn)).join(', ') || '(none)';
  return new InputError(
    `${entry.source.text}${also} already has an access entry that biomage did not make (no tag ${MANAGED_TAG.key}=${MANAGED_TAG.value}; username ${taken.username ?? '(none)'}, groups ${taken.kubernetesGroups.join(', ') || '(none)'}, policies ${policies}): biomage does not change entries it did not make`,
    {
      where,
      hint: `delete that entry (\`aws eks delete-access-entry --cluster-name ${cluster} --principal-arn ${taken.principalArn}\`; the entry EKS bootstraps for the cluster's creator is such an entry) so that biomage creates its own from the list, or remove line ${entry.source.line} from ${entry.source.file}`,
    },
  );
}
