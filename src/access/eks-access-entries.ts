import type { EKSClient } from '@aws-sdk/client-eks';
import { eksSdk } from '../aws/sdk.js';
import { mapLimit } from '../map-limit.js';
import { InputError, OperationError } from '../ui/errors.js';
import {
  hasAccessEntryChanges,
  isNodeAccessEntry,
  MANAGED_TAG,
  planAccessEntries,
  policyChanges,
  policyName,
  type AccessEntriesPlan,
  type DesiredAccessEntry,
  type LiveAccessEntry,
  type PolicyAssociation,
} from './access-entries.js';

/** How the cluster authenticates IAM identities (DescribeCluster accessConfig.authenticationMode). */
export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';

export interface ClusterAccessConfig {
  mode: AuthenticationMode;
  /** The cluster's ARN partition (`aws`, `aws-cn`, …): access policy ARNs live in it. */
  partition: string;
}

/** EKS calls in flight at once while reading entries: EKS's API rates are modest, lists are short. */
const CONCURRENCY = 4;

/**
 * The cluster's authentication mode. A cluster that reports none predates access entries, and
 * is CONFIG_MAP (the EKS API's default); a missing cluster is bad input, nothing is changed.
 */
export async function clusterAccessConfig(eks: EKSClient, cluster: string, region: string): Promise<ClusterAccessConfig> {
  const { DescribeClusterCommand, ResourceNotFoundException } = eksSdk();
  try {
    const { cluster: described } = await eks.send(new DescribeClusterCommand({ name: cluster }));
    const mode: AuthenticationMode = described?.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
    return { mode, partition: described?.arn?.split(':')[1] ?? 'aws' };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new InputError(`EKS cluster ${cluster} does not exist in ${region}`, {
        where: `EKS ${region}`,
        hint: `check --region (or AWS_REGION), or create it: biomage deploy-infra --env <env> --action deploy-and-configure. Nothing was changed`,
      });
    }
    throw eksFailure(`describe EKS cluster ${cluster}`, cluster, error);
  }
}

/**
 * Every access entry of the cluster, described, with its policy associations (node entries have
 * none: EKS refuses policies on them, so they are not asked for).
 */
export async function readAccessEntries(eks: EKSClient, cluster: string): Promise<LiveAccessEntry[]> {
  const arns = await listAccessEntryArns(eks, cluster);
  return mapLimit(arns, CONCURRENCY, (principalArn) => readAccessEntry(eks, cluster, principalArn));
}

/** The principal ARNs of the cluster's access entries (ListAccessEntries, every page). */
export async function listAccessEntryArns(eks: EKSClient, cluster: string): Promise<string[]> {
  const { ListAccessEntriesCommand } = eksSdk();
  const arns: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new ListAccessEntriesCommand({ clusterName: cluster, nextToken }));
      arns.push(...(page.accessEntries ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw eksFailure(`list the access entries of ${cluster}`, cluster, error);
  }
  return arns;
}

/** One access entry, described, with its policy associations (DescribeAccessEntry, ListAssociatedAccessPolicies). */
export async function readAccessEntry(eks: EKSClient, cluster: string, principalArn: string): Promise<LiveAccessEntry> {
  const { DescribeAccessEntryCommand, ListAssociatedAccessPoliciesCommand } = eksSdk();
  try {
    const { accessEntry } = await eks.send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn }));
    const entry: LiveAccessEntry = {
      principalArn,
      type: accessEntry?.type ?? 'STANDARD',
      ...(accessEntry?.username !== undefined ? { username: accessEntry.username } : {}),
      kubernetesGroups: accessEntry?.kubernetesGroups ?? [],
      tags: accessEntry?.tags ?? {},
      policies: [],
    };
    if (isNodeAccessEntry(entry)) return entry;
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: cluster, principalArn, nextToken }));
      for (const p of page.associatedAccessPolicies ?? []) {
        entry.policies.push({ policyArn: p.policyArn ?? '', scope: { type: p.accessScope?.type === 'namespace' ? 'namespace' : 'cluster', namespaces: p.accessScope?.namespaces ?? [] } });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return entry;
  } catch (error) {
    throw eksFailure(`read the access entry of ${principalArn} on ${cluster}`, cluster, error);
  }
}

/**
 * Carry the plan out: new entries (tagged as biomage's) with their policies first, then changed
 * ones, then the deletions, so that a failure midway leaves nobody with less access than before
 * but those the lists took it from.
 */
export async function applyAccessEntries(eks: EKSClient, cluster: string, plan: AccessEntriesPlan): Promise<void> {
  const sdk = eksSdk();
  const call = async (what: string, principalArn: string, send: () => Promise<unknown>) => {
    try {
      await send();
    } catch (error) {
      throw eksFailure(`${what} for ${principalArn} on ${cluster}`, cluster, error);
    }
  };
  const associate = (principalArn: string, p: PolicyAssociation) =>
    call(`associate ${policyName(p.policyArn)}`, principalArn, () => eks.send(new sdk.AssociateAccessPolicyCommand({ clusterName: cluster, principalArn, policyArn: p.policyArn, accessScope: { type: p.scope.type, namespaces: p.scope.namespaces } })));
  for (const entry of plan.create) {
    await call(
      'create the access entry',
      entry.principalArn,
      () =>
        eks.send(
          new sdk.CreateAccessEntryCommand({
        clusterName: cluster,
        principalArn: entry.principalArn,
        type: 'STANDARD',
        username: entry.username,
        kubernetesGroups: entry.kubernetesGroups,
        tags: { [MANAGED_TAG.key]: MANAGED_TAG.value },
          }),
        ),
    );
    for (const policy of entry.policies) await associate(entry.principalArn, policy);
  }
  for (const { from, to, changes } of plan.update) {
    if (changes.includes('username') || changes.includes('groups')) {
      await call('update the access entry', to.principalArn, () => eks.send(new sdk.UpdateAccessEntryCommand({ clusterName: cluster, principalArn: from.principalArn, username: to.username, kubernetesGroups: to.kubernetesGroups })));
    }
    const { associate: add, disassociate } = policyChanges(from.policies, to.policies);
    for (const policy of add) await associate(from.principalArn, policy);
    for (const policy of disassociate) {
      await call(`disassociate ${policyName(policy.policyArn)}`, from.principalArn, () => eks.send(new sdk.DisassociateAccessPolicyCommand({ clusterName: cluster, principalArn: from.principalArn, policyArn: policy.policyArn })));
    }
  }
  for (const entry of plan.delete) {
    await call('delete the access entry', entry.principalArn, () => eks.send(new sdk.DeleteAccessEntryCommand({ clusterName: cluster, principalArn: entry.principalArn })));
  }
}

/**
 * Read the entries back (ListAccessEntries, DescribeAccessEntry, ListAssociatedAccessPolicies) and
 * plan again: after an apply, the plan must be empty. Anything left is an OperationError naming
 * it, raised before aws-auth is touched.
 */
export async function verifyAccessEntries(eks: EKSClient, cluster: string, desired: readonly DesiredAccessEntry[]): Promise<LiveAccessEntry[]> {
  const live = await readAccessEntries(eks, cluster);
  const plan = planAccessEntries(live, desired, cluster);
  if (hasAccessEntryChanges(plan)) {
    const left = [
      ...plan.create.map((e) => `${e.principalArn} missing`),
      ...plan.update.map((u) => `${u.to.principalArn} differs (${u.changes.join(', ')})`),
      ...plan.delete.map((e) => `${e.principalArn} still present`),
    ];
    throw new OperationError(`the access entries of ${cluster} do not match the access lists after applying them: ${left.join('; ')}`, {
      where: `EKS cluster ${cluster}, access entries`,
      hint: 'aws-auth was left as it was, so nobody lost access; run the command again (another writer may have changed the entries meanwhile), or inspect them with `aws eks list-access-entries`',
    });
  }
  return live;
}

function eksFailure(what: string, cluster: string, error: unknown): OperationError {
  const name = (error as Partial<Error>).name ?? '';
  const denied = /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name);
  return new OperationError(`could not ${what}: ${(error as Partial<Error>).message ?? String(error)}`, {
    where: `EKS cluster ${cluster}`,
    hint: denied
      ? 'the identity in use needs eks:DescribeCluster, eks:ListAccessEntries, eks:DescribeAccessEntry, eks:ListAssociatedAccessPolicies and, to apply, eks:CreateAccessEntry, eks:UpdateAccessEntry, eks:DeleteAccessEntry, eks:AssociateAccessPolicy, eks:DisassociateAccessPolicy, eks:TagResource on the cluster'
      : 'check the network path to EKS and run the command again: every step is idempotent',
    cause: error,
  });
}
