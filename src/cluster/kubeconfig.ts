import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Document, isMap, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import { requireCallerIdentity } from '../aws/identity.js';
import type { Context } from '../context.js';
import { locate } from '../tools/locate.js';
import { InputError, ToolMissingError } from '../ui/errors.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { refusedError, verifyAccess, type NodeSummary } from './access.js';
import type { ClusterRequest } from './request.js';
import { clusterClients, describeCluster } from './live.js';
import { eksEnvironment } from './source.js';

/** The exec credential plugin API kubectl and client-node speak to `aws eks get-token`. */
export const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

/** The kubeconfig file to write: the first of KUBECONFIG (as kubectl writes new entries), else ~/.kube/config. */
export function kubeconfigPath(processEnv: NodeJS.ProcessEnv): string {
  const first = (processEnv.KUBECONFIG ?? '').split(delimiter).find(Boolean);
  return first ?? join(processEnv.HOME || homedir(), '.kube', 'config');
}

export interface ClusterAccess {
  context: string;
  cluster: string;
  region: string;
  endpoint: string;
  certificateAuthority: string;
  /** The AWS profile `aws eks get-token` must use, when biomage used one. */
  profile?: string;
}

/** The three kubeconfig entries of a context, all named after it. */
export function kubeconfigEntries(access: ClusterAccess) {
  return {
    cluster: { name: access.context, cluster: { server: access.endpoint, 'certificate-authority-data': access.certificateAuthority } },
    user: {
      name: access.context,
      user: {
        exec: {
          apiVersion: EXEC_API_VERSION,
          command: 'aws',
          // --output json: a profile whose output format is text or table would break the plugin.
          args: ['eks', 'get-token', '--cluster-name', access.cluster, '--region', access.region, '--output', 'json'],
          ...(access.profile ? { env: [{ name: 'AWS_PROFILE', value: access.profile }] } : {}),
          // get-token never prompts; kubectl need not hand it the terminal.
          interactiveMode: 'Never',
          provideClusterInfo: false,
        },
      },
    },
    context: { name: access.context, context: { cluster: access.context, user: access.context } },
  };
}

/**
 * The kubeconfig text with this context's cluster, user and context entries added or replaced;
 * every other entry, comment and setting is kept as it was. current-context moves only with `use`.
 */
export async function mergeKubeconfig(existing: string | undefined, access: ClusterAccess, use: boolean, file: string): Promise<string> {
  const doc = existing?.trim() ? parseDocument(existing) : new Document({ apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [] });
  if (doc.errors.length || (existing?.trim() && !isMap(doc.contents))) {
    throw new InputError(`${file} is not a valid kubeconfig: ${doc.errors[0]?.message.split('\n')[0] ?? 'not a YAML mapping'}`, {
      where: file,
      hint: 'fix it, or point KUBECONFIG at another file; biomage does not overwrite a file it cannot read. Nothing was changed',
    });
  }
  await validateWithClient(doc.toString(), file);
  const entries = kubeconfigEntries(access);
  for (const [key, entry] of [
    ['clusters', entries.cluster],
    ['users', entries.user],
    ['contexts', entries.context],
  ] as const) {
    let list = doc.get(key);
    if (!isSeq(list)) {
      list = doc.createNode([]);
      doc.set(key, list);
    }
    const seq = list as YAMLSeq;
    // `contexts: []` would otherwise stay a one-line flow list holding whole entries.
    if (!seq.items.length) seq.flow = false;
    const node = doc.createNode(entry);
    const index = seq.items.findIndex((item) => isMap(item) && item.get('name') === access.context);
    if (index >= 0) seq.items[index] = node;
    else seq.items.push(node);
  }
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'v1');
  if (!doc.has('kind')) doc.set('kind', 'Config');
  if (use) doc.set('current-context', access.context);
  // No line folding: the rest of the file keeps its lines as they were.
  return doc.toString({ lineWidth: 0 });
}

/**
 * The file as client-node reads it (as kubectl will): a file it rejects is reported, not
 * overwritten. The merge itself is done on the YAML document, not through KubeConfig's export,
 * which would drop what it does not model (extensions, preferences, comments).
 */
async function validateWithClient(text: string, file: string): Promise<void> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  try {
    new KubeConfig().loadFromString(text);
  } catch (error) {
    throw new InputError(`${file} is not a valid kubeconfig: ${(error as Error).message}`, {
      where: file,
      hint: 'fix it, or point KUBECONFIG at another file; biomage does not overwrite a file it cannot read. Nothing was changed',
    });
  }
}

/** Copy the file aside before it changes: `<file>.biomage-backup-<UTC time>`, owner-only. */
function backup(file: string): string {
  const target = `${file}.biomage-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  copyFileSync(file, target);
  chmodSync(target, 0o600);
  return target;
}

/** Write through a temporary file and a rename, so a crash never leaves half a kubeconfig. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.biomage-tmp-${process.pid}`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export interface KubeconfigRequest extends ClusterRequest {
  /** Make the context current. */
  use: boolean;
  /** Check access after writing (list the nodes). */
  verify: boolean;
}

export interface KubeconfigReport {
  env: string;
  context: string;
  cluster: string;
  region: string;
  endpoint: string;
  file: string;
  changed: boolean;
  backup?: string;
  current: boolean;
  identity: string;
  access: { checked: false } | { checked: true; nodes: NodeSummary[] };
}

/**
 * `biomage kubeconfig`: read the cluster's endpoint and CA from EKS, write (or refresh) the
 * context biomage-<env> into the kubeconfig, backing the old file up first and keeping every
 * other entry; then list the nodes with it. A refusal names the IAM identity and the fix.
 */
export async function writeKubeconfig(ctx: Context, request: KubeconfigRequest): Promise<KubeconfigReport> {
  const env = eksEnvironment(ctx.env, 'kubeconfig');
  const target = request.target ?? (await ctx.aws());
  const file = kubeconfigPath(ctx.processEnv);
  const context = `biomage-${env}`;
  // kubectl runs `aws eks get-token` for every request: without it the context cannot work.
  const aws = locate('aws', ctx.processEnv, 'system');
  if (!aws) {
    const install = 'install the AWS CLI (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html, or `pip install awscli`)';
    if (request.verify) {
      throw new ToolMissingError('aws', 'the AWS CLI (aws) is not on PATH: the context authenticates by running `aws eks get-token`', {
        hint: `${install}, then run this again (or pass --no-verify to write the context anyway). Nothing was changed`,
      });
    }
    ctx.out.warn(`the AWS CLI (aws) is not on PATH: kubectl will not authenticate with this context until you ${install}`);
  }
  ctx.out.step('Checking AWS credentials (STS GetCallerIdentity)');
  const identity = await requireCallerIdentity(target);
  ctx.out.info(`  AWS identity: ${identity.arn}`);
  ctx.out.step(`Reading cluster biomage-${env} from EKS (DescribeCluster)`);
  const clients = clusterClients(target);
  const cluster = await describeCluster(clients.eks, context).finally(() => clients.destroy());
  if (!cluster.exists) {
    throw new InputError(`EKS cluster ${context} does not exist in ${target.region}`, {
      where: `EKS ${target.region}`,
      hint: `check --region (or AWS_REGION), or create it: biomage deploy-infra --env ${env} --action deploy-and-configure. Nothing was changed`,
    });
  }
  if (!cluster.endpoint || !cluster.certificateAuthority) {
    throw new InputError(`EKS cluster ${context} is ${cluster.status ?? 'not ready'} and has no endpoint yet`, {
      where: `EKS cluster ${context} (${target.region})`,
      hint: 'wait until it is ACTIVE (eksctl get cluster), then run this again. Nothing was changed',
    });
  }

  const access: ClusterAccess = {
    context,
    cluster: context,
    region: target.region,
    endpoint: cluster.endpoint,
    certificateAuthority: cluster.certificateAuthority,
    ...(!target.local && target.profile ? { profile: target.profile } : {}),
  };
  const real = existsSync(file) ? realpathSync(file) : file;
  const existing = existsSync(real) ? readFileSync(real, 'utf8') : undefined;
  const text = await mergeKubeconfig(existing, access, request.use, file);
  const report: KubeconfigReport = {
    env,
    context,
    cluster: context,
    region: target.region,
    endpoint: cluster.endpoint,
    file,
    changed: text !== existing,
    current: request.use || (parseDocument(text).get('current-context') as string | undefined) === context,
    identity: identity.arn,
    access: { checked: false },
  };
  if (ctx.dryRun) {
    ctx.out.info(`--dry-run: ${report.changed ? `would write context ${context} to ${file}` : `context ${context} in ${file} is already up to date`}; nothing was changed`);
    return report;
  }
  if (report.changed) {
    if (existing !== undefined) report.backup = backup(real);
    writeAtomically(real, text);
    ctx.out.success(`Wrote context ${context} to ${file}${report.backup ? ` (previous file kept as ${report.backup})` : ''}`);
  } else {
    ctx.out.success(`Context ${context} in ${file} is already up to date`);
  }

  if (request.verify) {
    ctx.out.step(`Checking access: listing the nodes of ${context} (as \`kubectl --context ${context} get nodes\`)`);
    const result = await verifyAccess(file, context);
    if (!result.ok) {
      // Explain it the way the cluster authenticates: its access entries, or aws-auth.
      const { accessEntryFinding } = await import('./access-entry-check.js');
      const finding = await accessEntryFinding(target, context, identity.arn);
      throw refusedError(result, identity, { env, cluster: context, root: request.root ?? repositoryIfAny(ctx) }, finding);
    }
    report.access = { checked: true, nodes: result.nodes };
  }
  return report;
}

export function renderKubeconfigReport(report: KubeconfigReport, paint: Paint): string {
  const lines = [`Context ${paint('bold', report.context)} → ${report.endpoint} (${report.region}), in ${report.file}`];
  lines.push(
    report.current
      ? `  it is the current context`
      : `  not the current context: use \`kubectl --context ${report.context} …\`, or \`kubectl config use-context ${report.context}\` (or rerun with --use)`,
  );
  if (report.access.checked) {
    const nodes = report.access.nodes;
    lines.push(`  access: ${report.identity} may list the nodes (${nodes.length})`);
    if (nodes.length) {
      const table = renderTable(
        ['node', 'ready', 'node group', 'instance type', 'kubelet'],
        nodes.map((n) => [n.name, n.ready ? 'Ready' : paint('yellow', 'NotReady'), n.nodeGroup ?? '', n.instanceType ?? '', n.kubeletVersion ?? '']),
      );
      lines.push(table.split('\n').map((line) => `  ${line}`).join('\n'));
    }
  } else {
    lines.push('  access was not checked (--no-verify, or --dry-run)');
  }
  return lines.join('\n');
}

/** The repository, when biomage runs inside one: writing a kubeconfig needs none, only the refusal's advice reads its access lists. */
function repositoryIfAny(ctx: Context): string | undefined {
  try {
    return ctx.root;
  } catch {
    return undefined;
  }
}
