import type { EKSClient, ResolveConflicts } from '@aws-sdk/client-eks';
import { eksSdk } from '../aws/sdk.js';
import { OperationError } from '../ui/errors.js';
import type { ClusterVersionInfo, LiveAddon } from './upgrade.js';

// What EKS says about versions: which Kubernetes versions it runs and until when
// (DescribeClusterVersions), which add-on versions fit which of them (DescribeAddonVersions), which
// add-ons a cluster has (ListAddons, DescribeAddon); and the add-on update an upgrade makes.

function failure(what: string, error: unknown): OperationError {
  return new OperationError(`could not ${what}: ${(error as Error).message}`, { cause: error });
}

/** The add-ons EKS manages on the cluster, with their versions. */
export async function liveAddons(eks: EKSClient, cluster: string): Promise<LiveAddon[]> {
  const { ListAddonsCommand, DescribeAddonCommand } = eksSdk();
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new ListAddonsCommand({ clusterName: cluster, nextToken }));
      names.push(...(page.addons ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return await Promise.all(
      names.sort().map(async (addonName) => {
        const { addon } = await eks.send(new DescribeAddonCommand({ clusterName: cluster, addonName }));
        return { name: addonName, ...(addon?.addonVersion ? { version: addon.addonVersion } : {}), ...(addon?.status ? { status: addon.status } : {}) };
      }),
    );
  } catch (error) {
    throw failure(`read the add-ons of ${cluster}`, error);
  }
}

/** The Kubernetes versions EKS offers, with their support dates. */
export async function clusterVersions(eks: EKSClient, versions: string[]): Promise<ClusterVersionInfo[]> {
  const { DescribeClusterVersionsCommand } = eksSdk();
  const found: ClusterVersionInfo[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new DescribeClusterVersionsCommand({ clusterVersions: versions, nextToken }));
      for (const v of page.clusterVersions ?? []) {
        if (!v.clusterVersion) continue;
        found.push({
          version: v.clusterVersion,
          ...(v.versionStatus ?? v.status ? { status: v.versionStatus ?? v.status } : {}),
          ...(v.endOfStandardSupportDate ? { endOfStandardSupport: v.endOfStandardSupportDate } : {}),
          ...(v.endOfExtendedSupportDate ? { endOfExtendedSupport: v.endOfExtendedSupportDate } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw failure(`describe the EKS Kubernetes versions ${versions.join(', ')}`, error);
  }
  return found;
}

/** For each add-on, the versions EKS lists as compatible with `kubernetesVersion`, newest first. */
export async function compatibleAddonVersions(eks: EKSClient, names: string[], kubernetesVersion: string): Promise<Map<string, string[]>> {
  const { DescribeAddonVersionsCommand } = eksSdk();
  const result = new Map<string, string[]>();
  await Promise.all(
    names.map(async (addonName) => {
      const versions: string[] = [];
      try {
        let nextToken: string | undefined;
        do {
          const page = await eks.send(new DescribeAddonVersionsCommand({ addonName, kubernetesVersion, nextToken }));
          for (const addon of page.addons ?? []) {
            for (const v of addon.addonVersions ?? []) {
              const fits = (v.compatibilities ?? []).some((c) => c.clusterVersion === kubernetesVersion);
              if (fits && v.addonVersion) versions.push(v.addonVersion);
            }
          }
          nextToken = page.nextToken;
        } while (nextToken);
      } catch (error) {
        throw failure(`describe the versions of add-on ${addonName} for Kubernetes ${kubernetesVersion}`, error);
      }
      result.set(addonName, [...new Set(versions)].sort(newestFirst));
    }),
  );
  return result;
}

/** v1.22.3-eksbuild.1 before v1.21.1-eksbuild.3: by the numbers, the eksbuild last. */
function newestFirst(a: string, b: string): number {
  const parts = (v: string) => v.replace(/^v/, '').split(/[.-]/).map((p) => Number(/\d+/.exec(p)?.[0] ?? 0));
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (y[i] ?? 0) - (x[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Move an add-on to a version (EKS UpdateAddon) and wait until EKS reports it ACTIVE again: the
 * update is finished, not just accepted.
 */
export async function updateAddonVersion(
  eks: EKSClient,
  cluster: string,
  addon: { name: string; version: string; resolveConflicts?: ResolveConflicts },
  waitSeconds = 1200,
): Promise<void> {
  const { UpdateAddonCommand, DescribeUpdateCommand, waitUntilAddonActive } = eksSdk();
  const { update } = await eks.send(
    new UpdateAddonCommand({ clusterName: cluster, addonName: addon.name, addonVersion: addon.version, ...(addon.resolveConflicts ? { resolveConflicts: addon.resolveConflicts } : {}) }),
  );
  await waitUntilAddonActive({ client: eks, maxWaitTime: waitSeconds, minDelay: 10 }, { clusterName: cluster, addonName: addon.name });
  if (update?.id) {
    // ACTIVE also follows a failed update (the old version stays): the update says which.
    const { update: done } = await eks.send(new DescribeUpdateCommand({ name: cluster, updateId: update.id, addonName: addon.name }));
    if (done?.status !== 'Successful') {
      const reasons = (done?.errors ?? []).map((e) => `${e.errorCode ?? ''} ${e.errorMessage ?? ''}`.trim()).join('; ');
      throw new Error(`EKS reports the update of ${addon.name} ${done?.status ?? 'unknown'}${reasons ? `: ${reasons}` : ''}`);
    }
  }
}

/** Set a node group's rolling-update width (EKS UpdateNodegroupConfig updateConfig), then wait until it is ACTIVE. */
export async function setUpdateWidth(
  eks: EKSClient,
  cluster: string,
  nodegroup: string,
  width: { maxUnavailable?: number; maxUnavailablePercentage?: number },
  waitSeconds = 1200,
): Promise<void> {
  const { UpdateNodegroupConfigCommand, waitUntilNodegroupActive } = eksSdk();
  await eks.send(new UpdateNodegroupConfigCommand({ clusterName: cluster, nodegroupName: nodegroup, updateConfig: width }));
  await waitUntilNodegroupActive({ client: eks, maxWaitTime: waitSeconds, minDelay: 5 }, { clusterName: cluster, nodegroupName: nodegroup });
}

/** Set the cluster's upgrade policy (EKS UpdateClusterConfig upgradePolicy), then wait until the cluster is ACTIVE. */
export async function setUpgradePolicy(eks: EKSClient, cluster: string, supportType: 'STANDARD' | 'EXTENDED', waitSeconds = 1200): Promise<void> {
  const { UpdateClusterConfigCommand, waitUntilClusterActive } = eksSdk();
  await eks.send(new UpdateClusterConfigCommand({ name: cluster, upgradePolicy: { supportType } }));
  await waitUntilClusterActive({ client: eks, maxWaitTime: waitSeconds, minDelay: 10 }, { name: cluster });
}
