import type { EKSClient } from '@aws-sdk/client-eks';
import { desiredAccessEntries, hasAccessEntryChanges, planAccessEntries, type AccessEntriesPlan } from './access-entries.js';
import { applyAccessEntries, readAccessEntries, verifyAccessEntries, type ClusterAccessConfig } from './eks-access-entries.js';
import { desiredEntries, readAccessLists, type ResolvePrincipal } from './mapping.js';
import { reconcileAwsAuth, type AwsAuthStore, type ReconcileResult } from './reconcile.js';

export type AccessEntriesAction = 'applied' | 'unchanged' | 'would-apply';

export interface AccessEntriesResult {
  plan: AccessEntriesPlan;
  action: AccessEntriesAction;
  /** The entries were read back and found as the lists ask (after an apply; a run with nothing to do read them already). */
  verified: boolean;
}

export interface AccessEntriesReconcileOptions {
  eks: EKSClient;
  cluster: string;
  /** An API mode: API_AND_CONFIG_MAP (aws-auth is still read, biomage's rows go) or API. */
  config: ClusterAccessConfig;
  /** The checkout whose infra/cluster_admins and infra/cluster_users apply. */
  root: string;
  resolve: ResolvePrincipal;
  /** The cluster's aws-auth; asked for only in API_AND_CONFIG_MAP, where it still authenticates. */
  awsAuth: () => Promise<AwsAuthStore>;
  dryRun: boolean;
}

/** What an aws-auth left alone reports (API mode: the cluster no longer reads it). */
export const AWS_AUTH_NOT_READ: ReconcileResult = { plan: { add: [], update: [], remove: [], keep: [], unchanged: [] }, action: 'unchanged', data: {}, attempts: 0 };

/**
 * Map the access lists to EKS access entries, and in API_AND_CONFIG_MAP finish the move off
 * aws-auth:
 * 1. the lists are read and resolved, the live entries read and planned against them, and
 *    aws-auth read and planned (biomage's rows to remove): bad input or a conflict with an entry
 *    biomage did not make stops here, with nothing changed;
 * 2. the entries are created, updated and deleted, then read back (verifyAccessEntries);
 * 3. only once they are verified are biomage's rows removed from aws-auth (node roles and
 *    hand-made rows stay), so nobody is without a mapping at any moment.
 * A second run finds nothing to do and changes nothing.
 */
export async function reconcileAccessEntries(options: AccessEntriesReconcileOptions): Promise<{ entries: AccessEntriesResult; awsAuth: ReconcileResult }> {
  const { eks, cluster, config, dryRun } = options;
  const desired = desiredAccessEntries(await desiredEntries(readAccessLists(options.root), options.resolve), config.partition);
  const plan = planAccessEntries(await readAccessEntries(eks, cluster), desired, cluster);
  const store = config.mode === 'API_AND_CONFIG_MAP' ? await options.awsAuth() : undefined;
  // Planned with no desired rows: every row biomage wrote goes, every other row stays.
  const awsAuthPlan = store ? await reconcileAwsAuth(store, [], true) : AWS_AUTH_NOT_READ;
  const changes = hasAccessEntryChanges(plan);
  if (dryRun) return { entries: { plan, action: changes ? 'would-apply' : 'unchanged', verified: false }, awsAuth: awsAuthPlan };
  if (changes) {
    await applyAccessEntries(eks, cluster, plan);
    await verifyAccessEntries(eks, cluster, desired);
  }
  // A plan with nothing to remove needs no second read: the write path re-reads only to write.
  const awsAuth = store && awsAuthPlan.action !== 'unchanged' ? await reconcileAwsAuth(store, [], false) : awsAuthPlan;
  return { entries: { plan, action: changes ? 'applied' : 'unchanged', verified: true }, awsAuth };
}
