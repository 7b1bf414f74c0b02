import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedError, verifyAccess } from '../../src/cluster/access.js';
import { kubeconfigEntries, type KubeconfigReport } from '../../src/cluster/kubeconfig.js';
import { kubeconfigCommand } from '../../src/commands/kubeconfig.js';
import { requireCallerIdentity } from '../../src/aws/identity.js';
import { locate } from '../../src/tools/locate.js';
import { BiomageError, InputError, ToolMissingError, UsageError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { seedCluster } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';

/** A kubeconfig another tool wrote: another context (current), comments and fields client-node does not model. */
const OTHER = `# written by kind
apiVersion: v1
kind: Config
preferences: {}
clusters:
  - name: kind-dev
    cluster:
      server: https://127.0.0.1:6443
      insecure-skip-tls-verify: true
    extensions:
      - name: client.authentication.k8s.io/exec
        extension: { provider: kind }
contexts:
  - name: kind-dev
    context: { cluster: kind-dev, user: kind-dev, namespace: apps }
users:
  - name: kind-dev
    user: { token: not-a-real-token }
current-context: kind-dev
`;

describe('biomage kubeconfig against the emulator', () => {
  const { target } = useEmulator();
  beforeAll(async () => {
    await seedCluster(target());
  });

  function run(file: string, options: { use?: boolean; env?: string; path?: string; verify?: boolean; dryRun?: boolean } = {}) {
    const c = testContext(
      'kubeconfig',
      { env: options.env ?? 'staging', region: 'eu-west-1', json: true, dryRun: options.dryRun ?? false },
      { ...process.env, KUBECONFIG: `${file}:${join(tmpdir(), 'second-kubeconfig-never-written')}`, ...(options.path ? { PATH: options.path } : {}) },
    );
    return kubeconfigCommand(c.ctx, { use: options.use ?? false, verify: options.verify ?? false, target: target() }).then(
      (code) => ({ code, report: (JSON.parse(c.stdout()) as { result: KubeconfigReport }).result, stderr: c.stderr() }),
    );
  }

  const freshFile = (text?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'biomage-kube-'));
    const file = join(dir, 'config');
    if (text !== undefined) writeFileSync(file, text, { mode: 0o644 });
    return file;
  };

  it('writes the context next to an existing one, which is kept, with the old file backed up first', async () => {
    const file = freshFile(OTHER);
    const { code, report } = await run(file);
    expect(code).toBe(0);
    expect(report).toMatchObject({ context: 'biomage-staging', file, changed: true, current: false });
    // The backup is the old file, byte for byte, owner-only.
    expect(readFileSync(report.backup!, 'utf8')).toBe(OTHER);
    expect(report.backup).toMatch(new RegExp(`^${file}\\.biomage-backup-\\d{4}-\\d\\d-\\d\\dT`));
    expect(statSync(report.backup!).mode & 0o777).toBe(0o600);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const text = readFileSync(file, 'utf8');
    const written = parse(text);
    // Everything that was there stays: the other context, its extensions, the comment, current-context.
    expect(text.startsWith('# written by kind\n')).toBe(true);
    expect(written['current-context']).toBe('kind-dev');
    expect(written.clusters[0]).toEqual(parse(OTHER).clusters[0]);
    expect(written.contexts[0]).toEqual(parse(OTHER).contexts[0]);
    expect(written.users[0]).toEqual(parse(OTHER).users[0]);
    // And the new entries, with the endpoint and CA from EKS.
    expect(written.clusters[1]).toEqual({ name: 'biomage-staging', cluster: { server: report.endpoint, 'certificate-authority-data': expect.any(String) } });
    expect(written.contexts[1]).toEqual({ name: 'biomage-staging', context: { cluster: 'biomage-staging', user: 'biomage-staging' } });
    expect(written.users[1]).toEqual({
      name: 'biomage-staging',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', 'biomage-staging', '--region', 'eu-west-1', '--output', 'json'],
          interactiveMode: 'Never',
          provideClusterInfo: false,
        },
      },
    });
  });

  it('--use makes it the current context; a second run changes nothing and backs nothing up', async () => {
    const file = freshFile(OTHER);
    await run(file, { use: true });
    expect(parse(readFileSync(file, 'utf8'))['current-context']).toBe('biomage-staging');
    const before = readFileSync(file, 'utf8');
    const backups = readdirSync(join(file, '..')).filter((f) => f.includes('biomage-backup')).length;
    const again = await run(file, { use: true });
    expect(again.report).toMatchObject({ changed: false, current: true });
    expect(again.report.backup).toBeUndefined();
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(join(file, '..')).filter((f) => f.includes('biomage-backup')).length).toBe(backups);
  });

  it('replaces its own stale entries rather than adding more', async () => {
    const file = freshFile(OTHER);
    await run(file);
    const stale = readFileSync(file, 'utf8').replace(/server: https:\/\/\S+/, 'server: https://old.example.invalid');
    writeFileSync(file, stale);
    await run(file);
    const written = parse(readFileSync(file, 'utf8'));
    expect(written.clusters.map((c: { name: string }) => c.name)).toEqual(['kind-dev', 'biomage-staging']);
    expect(written.clusters[1].cluster.server).not.toBe('https://old.example.invalid');
  });

  it('creates the file (and its folder) when there is none, with nothing to back up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'biomage-kube-')), 'new', 'config');
    const { report } = await run(file);
    expect(report.backup).toBeUndefined();
    expect(parse(readFileSync(file, 'utf8'))).toMatchObject({ apiVersion: 'v1', kind: 'Config', contexts: [{ name: 'biomage-staging' }] });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('--dry-run writes nothing', async () => {
    const file = freshFile(OTHER);
    const { report } = await run(file, { dryRun: true });
    expect(report.changed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(OTHER);
    expect(readdirSync(join(file, '..'))).toEqual(['config']);
  });

  it('refuses to overwrite a file it cannot read as a kubeconfig (exit 2, unchanged)', async () => {
    const broken = 'clusters:\n  - cluster: {server: https://x}\n';
    const file = freshFile(broken);
    const error = await run(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`${file} is not a valid kubeconfig: clusters[0].name is missing`);
    expect(readFileSync(file, 'utf8')).toBe(broken);
  });

  it('a cluster that does not exist is bad input (exit 2)', async () => {
    const file = freshFile(OTHER);
    const error = await run(file, { env: 'production' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('EKS cluster biomage-production does not exist in eu-west-1');
    expect(readFileSync(file, 'utf8')).toBe(OTHER);
  });

  it('development has no EKS cluster (exit 2)', async () => {
    const error = await run(freshFile(OTHER), { env: 'development' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('kubeconfig works on the EKS clusters of staging and production; development is the local twin, which has no EKS cluster');
  });

  it('checking access needs the AWS CLI: without it, exit 2 and nothing written', async () => {
    const file = freshFile(OTHER);
    const empty = mkdtempSync(join(tmpdir(), 'biomage-no-aws-'));
    const error = await run(file, { verify: true, path: empty }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolMissingError);
    expect((error as BiomageError).exitCode).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(OTHER);
  });
});

/**
 * The access check against a stub Kubernetes API server on 127.0.0.1 (a stub: the local control
 * plane comes with its own issue) that answers GET /api/v1/nodes with 200, 401 or 403. The
 * kubeconfig is the one `biomage kubeconfig` writes, aimed at the stub, so the exec credential
 * plugin (`aws eks get-token`) really runs.
 */
describe('the access check against a stub API server', () => {
  const { target } = useEmulator();
  let server: { url: string; status: number; seen: IncomingHttpHeaders[]; close(): void };
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await stubApiServer();
    // `aws eks get-token` signs locally: any credentials do, and none may come from the machine.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    if (!locate('aws', process.env, 'system')) process.env.PATH = `${fakeAwsCli()}:${process.env.PATH}`;
  });
  afterAll(() => {
    server.close();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  function kubeconfigFor(url: string): string {
    const entries = kubeconfigEntries({ context: 'biomage-staging', cluster: 'biomage-staging', region: 'eu-west-1', endpoint: url, certificateAuthority: '' });
    // The stub speaks plain HTTP, which client-node allows only without TLS verification.
    const { 'certificate-authority-data': _ca, ...rest } = entries.cluster.cluster;
    const cluster = { ...rest, 'insecure-skip-tls-verify': true };
    const file = join(mkdtempSync(join(tmpdir(), 'biomage-kube-')), 'config');
    writeFileSync(
      file,
      JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ ...entries.cluster, cluster }], users: [entries.user], contexts: [entries.context] }),
    );
    return file;
  }

  it('200: lists the nodes, having authenticated through the exec plugin', async () => {
    server.status = 200;
    const result = await verifyAccess(kubeconfigFor(server.url), 'biomage-staging');
    expect(result).toEqual({
      ok: true,
      nodes: [{ name: 'ip-10-0-1-10.eu-west-1.compute.internal', ready: true, kubeletVersion: 'v1.36.0-eks-1', nodeGroup: 'general-1', instanceType: 'm6i.large' }],
    });
    expect(server.seen.at(-1)?.authorization).toMatch(/^Bearer k8s-aws-v1\./);
  });

  it('401: names the IAM identity from STS and says it is in neither access list', async () => {
    server.status = 401;
    const result = await verifyAccess(kubeconfigFor(server.url), 'biomage-staging');
    expect(result).toEqual({ ok: false, status: 401, message: 'Unauthorized' });
    const identity = await requireCallerIdentity(target());
    const root = mkdtempSync(join(tmpdir(), 'biomage-root-'));
    const error = refusedError(result as { ok: false; status: 401; message: string }, identity, { env: 'staging', cluster: 'biomage-staging', root });
    expect(error.message).toBe(
      'the cluster biomage-staging refused the IAM identity arn:aws:sts::123456789012:user/moto (401 Unauthorized): it is in neither infra/cluster_admins nor infra/cluster_users. The kubeconfig context was written; kubectl will be refused the same way',
    );
    expect(error.hint).toBe(
      'add arn:aws:sts::123456789012:user/moto to infra/cluster_admins (administrators) or infra/cluster_users, merge it and apply it (biomage deploy-infra --env staging --action configure); or use a profile that is listed (AWS_PROFILE)',
    );
  });

  it('403 for a listed identity: the mapping has not been applied', async () => {
    server.status = 403;
    const result = await verifyAccess(kubeconfigFor(server.url), 'biomage-staging');
    expect(result).toEqual({ ok: false, status: 403, message: 'Forbidden' });
    const root = mkdtempSync(join(tmpdir(), 'biomage-root-'));
    mkdirSync(join(root, 'infra'));
    writeFileSync(join(root, 'infra', 'cluster_admins'), '# admins\narn:aws:iam::123456789012:role/Ops\n');
    const identity = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/Ops/alice', userId: 'AROA:alice' };
    const error = refusedError(result as { ok: false; status: 403; message: string }, identity, { env: 'production', cluster: 'biomage-production', root });
    expect(error.message).toBe(
      'the cluster biomage-production refused the IAM identity arn:aws:sts::123456789012:assumed-role/Ops/alice (the role arn:aws:iam::123456789012:role/Ops) (403 Forbidden): it is listed in infra/cluster_admins, so the mapping has not been applied to biomage-production yet. The kubeconfig context was written; kubectl will be refused the same way',
    );
    expect(error.hint).toBe(
      'apply the access lists to the cluster (biomage deploy-infra --env production --action configure), once the change that lists it is merged; then run biomage kubeconfig again',
    );
    expect(error.exitCode).toBe(1);
  });

  it('an API server that does not answer is an operation failure naming the server', async () => {
    const error = await verifyAccess(kubeconfigFor('http://127.0.0.1:1'), 'biomage-staging').catch((e: unknown) => e);
    expect((error as BiomageError).exitCode).toBe(1);
    expect((error as BiomageError).where).toMatch(/^http:\/\/127\.0\.0\.1:1 \(context biomage-staging in /);
    expect((error as BiomageError).message).toMatch(/^could not list the nodes of context biomage-staging: .*ECONNREFUSED/);
  });

  it('the kubeconfig entry carries AWS_PROFILE when biomage ran with a profile', () => {
    const entries = kubeconfigEntries({ context: 'biomage-production', cluster: 'biomage-production', region: 'eu-west-1', endpoint: 'https://x', certificateAuthority: 'Q0E=', profile: 'ops' });
    expect(entries.user.user.exec.env).toEqual([{ name: 'AWS_PROFILE', value: 'ops' }]);
  });
});

/** A stub Kubernetes API server: GET /api/v1/nodes answers with `status`; it records the request headers. */
async function stubApiServer() {
  const state = { status: 200, seen: [] as IncomingHttpHeaders[] };
  const http = createServer((req, res) => {
    state.seen.push(req.headers);
    if (!req.url?.startsWith('/api/v1/nodes')) {
      res.writeHead(404).end();
      return;
    }
    const reason = state.status === 401 ? 'Unauthorized' : state.status === 403 ? 'Forbidden' : '';
    res.writeHead(state.status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        state.status === 200
          ? {
              kind: 'NodeList',
              apiVersion: 'v1',
              items: [
                {
                  metadata: { name: 'ip-10-0-1-10.eu-west-1.compute.internal', labels: { 'eks.amazonaws.com/nodegroup': 'general-1', 'node.kubernetes.io/instance-type': 'm6i.large' } },
                  status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.36.0-eks-1' } },
                },
              ],
            }
          : { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: reason, reason, code: state.status },
      ),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, close: () => http.close() });
}

/**
 * For machines without the AWS CLI (it is optional): a stand-in `aws` that prints an
 * ExecCredential as `aws eks get-token` does. Where the real CLI is installed, it is used.
 */
function fakeAwsCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-fake-aws-'));
  const credential = JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: {}, status: { token: 'k8s-aws-v1.fake' } });
  writeFileSync(join(dir, 'aws'), `#!/bin/sh\necho '${credential}'\n`, { mode: 0o755 });
  if (!existsSync(join(dir, 'aws'))) throw new Error('could not write the stand-in aws');
  return dir;
}
