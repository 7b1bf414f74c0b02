import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { DescribeAccessEntryCommand, EKSClient, ListAccessEntriesCommand, ListAssociatedAccessPoliciesCommand } from '@aws-sdk/client-eks';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileAccessEntries } from '../../src/access/access-entries-reconcile.js';
import { reconcileClusterAccess } from '../../src/access/apply.js';
import { clusterAccessConfig } from '../../src/access/eks-access-entries.js';
import { iamNameResolver } from '../../src/access/iam-names.js';
import { kubernetesStore, type AwsAuthStore } from '../../src/access/reconcile.js';
import { awsClient } from '../../src/aws/clients.js';
import { clusterTarget } from '../../src/configure/cluster-target.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { testContext } from '../helpers/context.js';
import { seedCluster } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

const ACCOUNT = '123456789012';
const arn = (type: 'user' | 'role', name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;
const NODE_ROLE = arn('role', 'eksctl-biomage-staging-nodegroup-general-1-NodeInstanceRole');
const WRITES = /^(Create|Update|Delete|Associate|Disassociate|Tag|Untag)/;

/**
 * The move from aws-auth to access entries, where both exist: the emulator's EKS holds the
 * clusters (biomage-staging in API_AND_CONFIG_MAP, biomage-production still CONFIG_MAP) and the
 * local cluster's API server holds aws-auth, reached through the contexts biomage-<env> that
 * `biomage kubeconfig` would write. Asserted through the EKS API and the Kubernetes API.
 */
describe('access entries migration (emulator EKS, local cluster for aws-auth)', () => {
  const aws = useEmulator();
  let cluster: LocalCluster;
  let scratch: string;
  let root: string;
  let env: NodeJS.ProcessEnv;
  let eks: EKSClient;
  const core = () => cluster.kc.makeApiClient(CoreV1Api);
  const awsAuth = async () => {
    const cm = await core().readNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth' });
    return { version: cm.metadata?.resourceVersion, roles: parse(cm.data?.mapRoles ?? '[]') as Record<string, unknown>[], users: parse(cm.data?.mapUsers ?? '[]') as Record<string, unknown>[] };
  };
  const entries = async (name: string) => {
    const { accessEntries = [] } = await eks.send(new ListAccessEntriesCommand({ clusterName: name }));
    return Promise.all(
      accessEntries.map(async (principalArn) => {
        const { accessEntry } = await eks.send(new DescribeAccessEntryCommand({ clusterName: name, principalArn }));
        const policies = accessEntry!.type === 'STANDARD' ? (await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: name, principalArn }))).associatedAccessPolicies! : [];
        return { principalArn, type: accessEntry!.type, username: accessEntry!.username, groups: accessEntry!.kubernetesGroups, tags: accessEntry!.tags, policies: policies.map((p) => `${p.policyArn!.split('/').at(-1)!}:${p.accessScope!.type!}`) };
      }),
    );
  };
  const lists = (admins: string[], users: string[]) => {
    writeFileSync(join(root, 'infra/cluster_admins'), `# admins\n${admins.join('\n')}\n`);
    writeFileSync(join(root, 'infra/cluster_users'), `# users\n${users.join('\n')}\n`);
  };
  /** The migration with every call on record: EKS's through the SDK client, aws-auth's through the store. */
  async function migrate(dryRun: boolean) {
    const log: string[] = [];
    const recorded = recordCalls(awsClient(EKSClient, aws.target()), log);
    const iam = awsClient(IAMClient, aws.target());
    const real = await kubernetesStore(env.KUBECONFIG!, 'biomage-staging');
    const store: AwsAuthStore = {
      read: () => (log.push('aws-auth read'), real.read()),
      create: (data) => (log.push('aws-auth create'), real.create(data)),
      replace: (current, data) => (log.push('aws-auth replace'), real.replace(current, data)),
    };
    try {
      const config = await clusterAccessConfig(recorded, 'biomage-staging', 'eu-west-1');
      const result = await reconcileAccessEntries({ eks: recorded, cluster: 'biomage-staging', config, root, resolve: iamNameResolver(iam), awsAuth: () => Promise.resolve(store), dryRun });
      return { result, log };
    } finally {
      recorded.destroy();
      iam.destroy();
    }
  }

  beforeAll(async () => {
    cluster = await startLocalCluster();
    scratch = mkdtempSync(join(tmpdir(), 'biomage-e2e-entries-'));
    root = join(scratch, 'repo');
    mkdirSync(join(root, 'infra'), { recursive: true });
    // The contexts `biomage kubeconfig --env staging|production` would write, both for the local cluster.
    const kubeconfig = parse(readFileSync(cluster.record.kubeconfig, 'utf8')) as { contexts: { name: string; context: unknown }[]; 'current-context': string };
    const [context] = kubeconfig.contexts;
    kubeconfig.contexts = ['biomage-staging', 'biomage-production'].map((name) => ({ ...context!, name }));
    kubeconfig['current-context'] = 'biomage-staging';
    writeFileSync(join(scratch, 'kubeconfig'), stringify(kubeconfig));
    env = { ...cluster.env, KUBECONFIG: join(scratch, 'kubeconfig'), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    await seedCluster(aws.target(), { name: 'biomage-staging', authenticationMode: 'API_AND_CONFIG_MAP', oidcProvider: false, iamServiceAccounts: [], nodeGroups: [{ name: 'general-1', instanceTypes: ['m6i.large'], diskSize: 50, scaling: { minSize: 1, desiredSize: 1, maxSize: 2 } }] });
    await seedCluster(aws.target(), { name: 'biomage-production', oidcProvider: false, iamServiceAccounts: [], nodeGroups: [] });
    eks = awsClient(EKSClient, aws.target());
    const iam = awsClient(IAMClient, aws.target());
    for (const name of ['alice', 'bob']) await iam.send(new CreateUserCommand({ UserName: name }));
    iam.destroy();
    // aws-auth as a CONFIG_MAP-era biomage and eksctl left it: the node role, biomage's three rows, one row by hand.
    await core().createNamespacedConfigMap({
      namespace: 'kube-system',
      body: {
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data: {
          mapRoles: `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n`,
          mapUsers: [
            `- groups:\n  - system:masters\n  userarn: ${arn('user', 'alice')}\n  username: biomage-admin:alice\n`,
            `- groups:\n  - read-only\n  userarn: ${arn('user', 'bob')}\n  username: biomage-user:bob\n`,
            `- groups:\n  - read-only\n  userarn: ${arn('user', 'dave')}\n  username: biomage-user:dave\n`,
            `- groups:\n  - system:masters\n  userarn: ${arn('user', 'carol')}\n  username: carol\n`,
          ].join(''),
        },
      },
    });
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    (eks as EKSClient | undefined)?.destroy();
    await (cluster as LocalCluster | undefined)?.down();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('plan (biomage access plan): the entries to create and the aws-auth rows to remove; nothing changes', async () => {
    lists(['alice'], ['bob']);
    const before = { entries: await entries('biomage-staging'), awsAuth: await awsAuth() };
    const c = testContext('access', { env: 'staging' }, env).ctx;
    const report = await reconcileClusterAccess(c, clusterTarget('staging', env, () => scratch), root, false, aws.target());
    expect(report.mode).toBe('API_AND_CONFIG_MAP');
    expect(report.entries?.plan.create.map((e) => [e.principalArn, e.username])).toEqual([
      [arn('user', 'alice'), 'biomage-admin:alice'],
      [arn('user', 'bob'), 'biomage-user:bob'],
    ]);
    expect(report.entries?.plan.keep.map((e) => e.type)).toEqual(['EC2_LINUX']);
    expect(report.result.action).toBe('would-update');
    expect(report.result.plan.remove.map((r) => r.username)).toEqual(['biomage-admin:alice', 'biomage-user:bob', 'biomage-user:dave']);
    expect(report.result.plan.keep.map((r) => r.username)).toEqual(['system:node:{{EC2PrivateDNSName}}', 'carol']);
    expect({ entries: await entries('biomage-staging'), awsAuth: await awsAuth() }).toEqual(before);
  });

  it('apply: entries created and read back, then only biomage rows leave aws-auth (node role and hand-made row stay)', async () => {
    const before = await entries('biomage-staging');
    const rows = await awsAuth();
    process.stderr.write(`[measure] before: ${before.length} access entries (${before.map((e) => `${e.principalArn.split(':').at(-1)!} ${e.type!}`).join('; ')}); aws-auth ${rows.roles.length} role row(s), ${rows.users.length} user row(s)\n`);
    const { result, log } = await migrate(false);
    expect(result.entries).toMatchObject({ action: 'applied', verified: true });
    expect(result.awsAuth.action).toBe('updated');
    // Every write to EKS, and the verification reads, come before aws-auth is replaced.
    const replaced = log.indexOf('aws-auth replace');
    expect(replaced).toBe(log.length - 1);
    expect(log.slice(0, replaced).filter((c) => WRITES.test(c))).toEqual(['CreateAccessEntry', 'AssociateAccessPolicy', 'CreateAccessEntry']);
    process.stderr.write(`[measure] migration calls (${log.length}): ${log.join(', ')}\n`);

    const after = await entries('biomage-staging');
    expect(after.filter((e) => e.type === 'EC2_LINUX')).toEqual(before.filter((e) => e.type === 'EC2_LINUX'));
    expect(after.filter((e) => e.type === 'STANDARD')).toEqual([
      { principalArn: arn('user', 'alice'), type: 'STANDARD', username: 'biomage-admin:alice', groups: [], tags: { 'biomage:managed': 'true' }, policies: ['AmazonEKSClusterAdminPolicy:cluster'] },
      { principalArn: arn('user', 'bob'), type: 'STANDARD', username: 'biomage-user:bob', groups: ['read-only'], tags: { 'biomage:managed': 'true' }, policies: [] },
    ]);
    const { roles, users } = await awsAuth();
    expect(roles).toEqual([{ groups: ['system:bootstrappers', 'system:nodes'], rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}' }]);
    expect(users).toEqual([{ groups: ['system:masters'], userarn: arn('user', 'carol'), username: 'carol' }]);
    process.stderr.write(`[measure] after: ${after.length} access entries (${after.map((e) => `${e.principalArn.split(':').at(-1)!} ${e.type!}`).join('; ')}); aws-auth ${roles.length} role row(s), ${users.length} user row(s)\n`);
  });

  it('a rerun writes nothing to EKS and leaves aws-auth at the same version', async () => {
    const version = (await awsAuth()).version;
    const { result, log } = await migrate(false);
    expect(result.entries.action).toBe('unchanged');
    expect(result.awsAuth.action).toBe('unchanged');
    expect(log.filter((c) => WRITES.test(c) || c === 'aws-auth replace' || c === 'aws-auth create')).toEqual([]);
    expect((await awsAuth()).version).toBe(version);
    process.stderr.write(`[measure] rerun calls (${log.length}): ${log.join(', ')}\n`);
  });

  it('a CONFIG_MAP cluster keeps the aws-auth way: rows added there, no access entries', async () => {
    lists(['alice'], []);
    const c = testContext('access', { env: 'production', yes: true }, env).ctx;
    const report = await reconcileClusterAccess(c, clusterTarget('production', env, () => scratch), root, true, aws.target());
    expect(report.mode).toBe('CONFIG_MAP');
    expect(report.entries).toBeUndefined();
    expect(report.result.action).toBe('updated');
    expect((await awsAuth()).users.map((u) => u.username)).toEqual(['carol', 'biomage-admin:alice']);
    await expect(eks.send(new ListAccessEntriesCommand({ clusterName: 'biomage-production' }))).rejects.toThrow(/authentication mode must be set/);
  });
});
