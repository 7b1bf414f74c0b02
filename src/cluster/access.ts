import type { V1Node } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallerIdentity } from '../aws/identity.js';
import { accessEntries } from '../checks/rules/access-lists.js';
import { ACCESS_LISTS } from '../checks/repository.js';
import { OperationError } from '../ui/errors.js';

/** One node as the access check reports it. */
export interface NodeSummary {
  name: string;
  ready: boolean;
  kubeletVersion?: string;
  nodeGroup?: string;
  instanceType?: string;
}

export type AccessResult =
  | { ok: true; nodes: NodeSummary[] }
  /** The API server answered 401 Unauthorized (not authenticated) or 403 Forbidden (not allowed). */
  | { ok: false; status: 401 | 403; message: string };

/**
 * The equivalent of `kubectl --context <context> get nodes`, through @kubernetes/client-node with
 * the kubeconfig as written: the exec credential plugin runs exactly as it will for kubectl (the
 * library starts it, as kubectl would). Unreachable servers are an OperationError; 401 and 403
 * are results, for the caller to explain.
 */
export async function verifyAccess(file: string, context: string, timeoutMs = 30_000): Promise<AccessResult> {
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  kc.setCurrentContext(context);
  const api = kc.makeApiClient(CoreV1Api);
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  let timer: NodeJS.Timeout | undefined;
  try {
    const list = await Promise.race([
      api.listNode({ timeoutSeconds: Math.ceil(timeoutMs / 1000) }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    // A server's answer: the client's types promise items, the guard does not rely on it.
    const items = list.items as V1Node[] | undefined;
    const nodes = (items ?? []).map((node): NodeSummary => {
      const labels = node.metadata?.labels ?? {};
      return {
        name: node.metadata?.name ?? '',
        ready: (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        ...(node.status?.nodeInfo?.kubeletVersion ? { kubeletVersion: node.status.nodeInfo.kubeletVersion } : {}),
        ...(labels['eks.amazonaws.com/nodegroup'] ? { nodeGroup: labels['eks.amazonaws.com/nodegroup'] } : {}),
        ...(labels['node.kubernetes.io/instance-type'] ? { instanceType: labels['node.kubernetes.io/instance-type'] } : {}),
      };
    });
    return { ok: true, nodes: nodes.sort((a, b) => (a.name < b.name ? -1 : 1)) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 401 || code === 403) {
      return { ok: false, status: code, message: code === 401 ? 'Unauthorized' : 'Forbidden' };
    }
    throw new OperationError(`could not list the nodes of context ${context}: ${(error as Error).message}`, {
      where: `${server} (context ${context} in ${file})`,
      hint: 'check the network path to the API server (VPN, public endpoint access) and that `aws eks get-token` works in this shell',
      cause: error,
    });
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * The IAM principal behind an STS caller ARN, as access lists name it: an assumed-role session is
 * its role (arn:aws:sts::1:assumed-role/Ops/alice → arn:aws:iam::1:role/Ops).
 */
export function iamPrincipal(arn: string): { arn: string; name: string; type: 'user' | 'role' | 'other' } {
  const assumed = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  if (assumed) {
    const [, partition = '', account = '', role = ''] = assumed;
    return { arn: `arn:${partition}:iam::${account}:role/${role}`, name: role, type: 'role' };
  }
  const iam = /^arn:[^:]+:iam::\d{12}:(user|role)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (iam) {
    const [, type = '', name = ''] = iam;
    return { arn, name, type: type as 'user' | 'role' };
  }
  return { arn, name: arn, type: 'other' };
}

/** The access lists that name this principal (infra/cluster_admins, infra/cluster_users). */
export function listedIn(root: string, arn: string): string[] {
  const principal = iamPrincipal(arn);
  const parts = /^arn:([^:]+):(?:iam|sts)::(\d{12}):/.exec(principal.arn);
  const keys = new Set([principal.name.toLowerCase()]);
  if (parts && principal.type !== 'other') keys.add(`arn:${parts[1]}:${parts[2]}:${principal.type}:${principal.name.toLowerCase()}`);
  return ACCESS_LISTS.filter((file) => {
    const path = join(root, file);
    if (!existsSync(path)) return false;
    return accessEntries(readFileSync(path, 'utf8')).some((entry) => entry.identity !== undefined && keys.has(entry.identity));
  });
}

/** The caller's access entry, as far as EKS told (access-entry-check.ts reads it). */
export type AccessEntryFinding =
  /** The cluster authenticates through aws-auth only. */
  | { mode: 'CONFIG_MAP' }
  | {
      mode: 'API' | 'API_AND_CONFIG_MAP';
      /** The caller's entry; undefined when the cluster has none for it. */
      entry?: { principalArn: string; type: string; username?: string; kubernetesGroups: string[]; policies: { name: string; scope: string }[] };
    }
  /** EKS could not be asked (no eks:ListAccessEntries, say): the explanation falls back to the lists. */
  | { mode: 'unknown'; reason: string };

/**
 * Why the cluster refused, said in terms of this repository: which IAM identity asked, whether
 * the access lists name it, and what to do. Without a repository (`root` undefined: biomage ran
 * outside one) the lists are not read, and the message says so.
 */
export function refusedError(
  refusal: { status: 401 | 403; message: string },
  identity: CallerIdentity,
  context: { env: string; cluster: string; root: string | undefined },
  finding?: AccessEntryFinding,
): OperationError {
  const principal = iamPrincipal(identity.arn);
  const lists = context.root === undefined ? [] : listedIn(context.root, identity.arn);
  const who = principal.arn === identity.arn ? identity.arn : `${identity.arn} (the role ${principal.arn})`;
  const apply = `biomage deploy-infra --env ${context.env} --action configure`;
  const listedText = lists.length
    ? `it is listed in ${lists.join(' and ')}, so the mapping has not been applied to ${context.cluster} yet`
    : context.root === undefined
      ? `${ACCESS_LISTS.join(' and ')} were not read (biomage ran outside the repository)`
      : `it is in neither ${ACCESS_LISTS.join(' nor ')}`;
  const hint = lists.length
    ? `apply the access lists to the cluster (${apply}), once the change that lists it is merged; then run biomage kubeconfig again`
    : `add ${principal.arn} to infra/cluster_admins (administrators) or infra/cluster_users, merge it and apply it (${apply}); or use a profile that is listed (AWS_PROFILE)`;
  const where = `context biomage-${context.env} (kubectl authenticates with \`aws eks get-token\` as the same identity)`;
  const written = 'The kubeconfig context was written; kubectl will be refused the same way';
  const refused = `the cluster ${context.cluster} refused the IAM identity ${who} (${refusal.status} ${refusal.message})`;
  if (finding?.mode === 'API' || finding?.mode === 'API_AND_CONFIG_MAP') {
    const ways = finding.mode === 'API' ? 'access entries only' : 'access entries, then aws-auth';
    const entry = finding.entry;
    if (!entry) {
      // aws-auth cannot be read by a refused identity: a 401 says it maps nobody of that ARN, a 403
      // only that whatever it maps does not allow listing the nodes.
      const awsAuth = finding.mode === 'API' ? '' : refusal.status === 401 ? ', nor does aws-auth map it' : " (a row in aws-auth, if it has one, does not allow listing the nodes)";
      const missing = `${context.cluster} authenticates with ${ways} (mode ${finding.mode}) and has no access entry for ${principal.arn}${awsAuth}`;
      return new OperationError(`${refused}: ${missing}; ${listedText}. ${written}`, { where, hint });
    }
    const grants = [...entry.kubernetesGroups.map((g) => `group ${g}`), ...entry.policies.map((p) => `${p.name} (${p.scope} scope)`)].join(', ') || 'nothing';
    const found = `its access entry (${entry.principalArn}, type ${entry.type}, username ${entry.username ?? '(none)'}) grants ${grants}`;
    if (refusal.status === 401) {
      return new OperationError(`${refused}: ${found}, yet the cluster did not recognise the identity. ${written}`, {
        where,
        hint: `an entry stops working when its IAM principal is deleted and created again (EKS keeps the old principal's id): delete the entry (\`aws eks delete-access-entry --cluster-name ${context.cluster} --principal-arn ${entry.principalArn}\`) and apply the lists again (${apply}); also check that \`aws eks get-token\` runs as this identity`,
      });
    }
    return new OperationError(`${refused}: ${found}, which does not allow listing the nodes; ${listedText}. ${written}`, {
      where,
      hint: lists.length
        ? `the read-only group needs its RBAC (infra/charts/read-only-group, installed by ${apply}); an administrator needs AmazonEKSClusterAdminPolicy at cluster scope: apply the lists (${apply})`
        : `add ${principal.arn} to infra/cluster_admins or infra/cluster_users, merge it and apply it (${apply})`,
    });
  }
  const unread = finding?.mode === 'unknown' ? ` (its access entries could not be read: ${finding.reason})` : '';
  return new OperationError(`${refused}: ${listedText}${unread}. ${written}`, { where, hint });
}
