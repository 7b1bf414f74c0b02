import { clusterAccessConfig, listAccessEntryArns, readAccessEntry } from '../access/eks-access-entries.js';
import { policyName } from '../access/access-entries.js';
import { awsClient } from '../aws/clients.js';
import { eksSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { iamPrincipal, type AccessEntryFinding } from './access.js';

/**
 * The refused caller's access entry, for `biomage kubeconfig` to explain a refusal: the cluster's
 * authentication mode, then (in the API modes) the entry whose principal is the caller's IAM user
 * or role. An assumed role's ARN carries no path, so entries are matched by type and name, in any
 * case. Never throws: what EKS would not say is reported as the reason.
 */
export async function accessEntryFinding(target: AwsTarget, cluster: string, callerArn: string): Promise<AccessEntryFinding> {
  const eks = awsClient(eksSdk().EKSClient, target);
  try {
    const { mode } = await clusterAccessConfig(eks, cluster, target.region);
    if (mode === 'CONFIG_MAP') return { mode };
    const caller = iamPrincipal(callerArn);
    const same = (arn: string) => {
      const other = iamPrincipal(arn);
      return other.type === caller.type && other.name.toLowerCase() === caller.name.toLowerCase() && arn.split(':')[4] === caller.arn.split(':')[4];
    };
    const principalArn = (await listAccessEntryArns(eks, cluster)).find(same);
    if (!principalArn) return { mode };
    const entry = await readAccessEntry(eks, cluster, principalArn);
    return {
      mode,
      entry: {
        principalArn,
        type: entry.type,
        ...(entry.username !== undefined ? { username: entry.username } : {}),
        kubernetesGroups: entry.kubernetesGroups,
        policies: entry.policies.map((p) => ({ name: policyName(p.policyArn), scope: p.scope.type === 'cluster' ? 'cluster' : `namespaces ${p.scope.namespaces.join(', ')}` })),
      },
    };
  } catch (error) {
    return { mode: 'unknown', reason: (error as Partial<Error>).message ?? String(error) };
  } finally {
    eks.destroy();
  }
}
