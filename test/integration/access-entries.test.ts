import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessEntryCommand,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  DisassociateAccessPolicyCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-eks';
import { CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileAccessEntries } from '../../src/access/access-entries-reconcile.js';
import { reconcileClusterAccess, renderAccessReport } from '../../src/access/apply.js';
import { clusterAccessConfig } from '../../src/access/eks-access-entries.js';
import { iamNameResolver } from '../../src/access/iam-names.js';
import type { AwsAuthStore, StoredAwsAuth } from '../../src/access/reconcile.js';
import { awsClient } from '../../src/aws/clients.js';
import { clusterTarget } from '../../src/configure/cluster-target.js';
import { InputError, OperationError } from '../../src/ui/errors.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { testContext } from '../helpers/context.js';
import { seedCluster } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';

const ACCOUNT = '123456789012';
const arn = (type: 'user' | 'role', name: string) => `arn:aws:iam::${ACCOUNT}:${type}/${name}`;
const NODE_ROLE = (cluster: string, group: string) => arn('role', `eksctl-${cluster}-nodegroup-${group}-NodeInstanceRole`);
const HAND_MADE = arn('user', 'carol');
const WRITES = /^(Create|Update|Delete|Associate|Disassociate|Tag|Untag)/;

/**
 * `biomage access` on clusters whose authentication mode allows access entries, against the
 * emulator's EKS (tools/emulator/eks_access_entries.py), asserted through the EKS API: the lists
 * become tagged entries with their policy or group, a rerun changes nothing, a removed user's
 * entry goes, node entries and entries biomage did not make stay. aws-auth's side (the migration
 * in API_AND_CONFIG_MAP) runs against a Kubernetes API in test/e2e/access-entries.test.ts; here
 * an in-memory aws-auth records when it is written, to check it comes after the entries.
 */
describe('access entries on EKS (emulator)', () => {
  const aws = useEmulator();
  let root: string;
  let eks: EKSClient;
  const ctx = () => testContext('access', { env: 'staging', yes: true }, { ...process.env, KUBECONFIG: join(root, 'no-kubeconfig') }).ctx;
  const lists = (admins: string[], users: string[]) => {
    writeFileSync(join(root, 'infra/cluster_admins'), `# admins\n${admins.join('\n')}\n`);
    writeFileSync(join(root, 'infra/cluster_users'), `# users\n${users.join('\n')}\n`);
  };
  const access = (env: 'staging' | 'production', apply: boolean) => {
    const c = ctx();
    return reconcileClusterAccess(c, clusterTarget(env, c.processEnv, () => root), root, apply, aws.target());
  };
  /** Every entry of the cluster as EKS describes it, with its policies and tags. */
  const state = async (cluster = 'biomage-staging') => {
    const { accessEntries = [] } = await eks.send(new ListAccessEntriesCommand({ clusterName: cluster }));
    return Promise.all(
      accessEntries.map(async (principalArn) => {
        const { accessEntry } = await eks.send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn }));
        const policies = accessEntry!.type === 'STANDARD' ? (await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: cluster, principalArn }))).associatedAccessPolicies! : [];
        const { tags } = await eks.send(new ListTagsForResourceCommand({ resourceArn: accessEntry!.accessEntryArn }));
        return {
          principalArn,
          type: accessEntry!.type,
          username: accessEntry!.username,
          groups: accessEntry!.kubernetesGroups,
          policies: policies.map((p) => `${p.policyArn!.split('/').at(-1)!}:${p.accessScope!.type!}`),
          tags,
        };
      }),
    );
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'biomage-access-entries-'));
    mkdirSync(join(root, 'infra'));
    eks = awsClient(EKSClient, aws.target());
    const iam = awsClient(IAMClient, aws.target());
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'Platform', Path: '/ops/', AssumeRolePolicyDocument: trust }));
    iam.destroy();
    // API mode: the node groups' roles get EC2_LINUX entries as they are created.
    await seedCluster(aws.target(), { name: 'biomage-staging', authenticationMode: 'API', oidcProvider: false, iamServiceAccounts: [] });
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'biomage-staging', principalArn: HAND_MADE, kubernetesGroups: ['viewers'], username: 'carol' }));
    await seedCluster(aws.target(), { name: 'biomage-production', oidcProvider: false, iamServiceAccounts: [], nodeGroups: [] });
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(() => {
    (eks as EKSClient | undefined)?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  it('the emulated cluster reports its mode, with the node groups entries and the hand-made one', async () => {
    expect(await clusterAccessConfig(eks, 'biomage-staging', 'eu-west-1')).toEqual({ mode: 'API', partition: 'aws' });
    expect((await state()).map((e) => [e.principalArn, e.type])).toEqual([
      [NODE_ROLE('biomage-staging', 'general-1'), 'EC2_LINUX'],
      [NODE_ROLE('biomage-staging', 'worker-1'), 'EC2_LINUX'],
      [HAND_MADE, 'STANDARD'],
    ]);
  });

  it('plan shows the entries to create and changes nothing', async () => {
    lists(['alice', arn('role', 'ops/Platform')], ['bob']);
    const before = await state();
    const report = await access('staging', false);
    expect(report.mode).toBe('API');
    expect(report.entries?.action).toBe('would-apply');
    expect(report.entries?.plan.create.map((e) => e.principalArn)).toEqual([arn('user', 'alice'), arn('role', 'ops/Platform'), arn('user', 'bob')]);
    expect(report.entries?.plan.keep).toHaveLength(3);
    expect(renderAccessReport(report, (_, text) => text)).toMatch(/create +arn:aws:iam::123456789012:user\/alice +biomage-admin:alice +AmazonEKSClusterAdminPolicy \(cluster\) +infra\/cluster_admins:2/);
    expect(await state()).toEqual(before);
  });

  it('apply creates tagged entries: admins with the cluster admin policy, users in the read-only group; others untouched', async () => {
    const before = await state();
    const report = await access('staging', true);
    expect(report.entries).toMatchObject({ action: 'applied', verified: true });
    const after = await state();
    const managed = { 'biomage:managed': 'true' };
    expect(after.filter((e) => e.tags?.['biomage:managed'])).toEqual([
      { principalArn: arn('role', 'ops/Platform'), type: 'STANDARD', username: 'biomage-admin:Platform', groups: [], policies: ['AmazonEKSClusterAdminPolicy:cluster'], tags: managed },
      { principalArn: arn('user', 'alice'), type: 'STANDARD', username: 'biomage-admin:alice', groups: [], policies: ['AmazonEKSClusterAdminPolicy:cluster'], tags: managed },
      { principalArn: arn('user', 'bob'), type: 'STANDARD', username: 'biomage-user:bob', groups: ['read-only'], policies: [], tags: managed },
    ]);
    expect(after.filter((e) => !e.tags?.['biomage:managed'])).toEqual(before);
  });

  it('a rerun reads and changes nothing', async () => {
    const calls: string[] = [];
    const recorded = recordCalls(awsClient(EKSClient, aws.target()), calls);
    const config = await clusterAccessConfig(recorded, 'biomage-staging', 'eu-west-1');
    const iam = awsClient(IAMClient, aws.target());
    const awsAuth = () => Promise.reject(new Error('API mode: aws-auth is not read'));
    const { entries } = await reconcileAccessEntries({ eks: recorded, cluster: 'biomage-staging', config, root, resolve: iamNameResolver(iam), awsAuth, dryRun: false }).finally(() => {
      recorded.destroy();
      iam.destroy();
    });
    expect(entries.action).toBe('unchanged');
    expect(calls.filter((c) => WRITES.test(c))).toEqual([]);
    // One list, one describe per entry, the policies of the four people's entries (node entries have none).
    expect(calls.filter((c) => c === 'DescribeAccessEntry')).toHaveLength(6);
    expect(calls.filter((c) => c === 'ListAssociatedAccessPolicies')).toHaveLength(4);
  });

  it("a user taken off the list loses their entry; an admin moved to users gets the group instead of the policy", async () => {
    lists([arn('role', 'ops/Platform')], ['alice']);
    await access('staging', true);
    const after = await state();
    expect(after.find((e) => e.principalArn === arn('user', 'bob'))).toBeUndefined();
    expect(after.find((e) => e.principalArn === arn('user', 'alice'))).toMatchObject({ username: 'biomage-user:alice', groups: ['read-only'], policies: [] });
    expect(after.map((e) => e.principalArn)).toEqual([NODE_ROLE('biomage-staging', 'general-1'), NODE_ROLE('biomage-staging', 'worker-1'), arn('role', 'ops/Platform'), arn('user', 'alice'), HAND_MADE]);
  });

  it('a listed principal with an entry biomage did not make, or a node role, is refused with nothing changed', async () => {
    const before = await state();
    lists([arn('role', 'ops/Platform')], ['alice', HAND_MADE]);
    const handMade = await access('staging', true).catch((e: unknown) => e);
    expect(handMade).toBeInstanceOf(InputError);
    expect((handMade as InputError).message).toMatch(/^arn:aws:iam::123456789012:user\/carol already has an access entry that biomage did not make/);
    expect((handMade as InputError).where).toBe('infra/cluster_users:3');
    lists([NODE_ROLE('biomage-staging', 'general-1')], []);
    const node = await access('staging', true).catch((e: unknown) => e);
    expect((node as InputError).message).toMatch(/is a node role \(its access entry is of type EC2_LINUX\)/);
    expect(await state()).toEqual(before);
  });

  it('API_AND_CONFIG_MAP: the entries are in EKS before biomage removes its own rows from aws-auth, and only those', async () => {
    await seedCluster(aws.target(), { name: 'biomage-migrating', authenticationMode: 'API_AND_CONFIG_MAP', oidcProvider: false, iamServiceAccounts: [], nodeGroups: [] });
    lists(['alice'], ['bob']);
    const nodeRow = `- groups:\n  - system:bootstrappers\n  - system:nodes\n  rolearn: ${NODE_ROLE('biomage-migrating', 'general-1')}\n  username: system:node:{{EC2PrivateDNSName}}\n`;
    const biomageRows = `- groups:\n  - system:masters\n  userarn: ${arn('user', 'alice')}\n  username: biomage-admin:alice\n- groups:\n  - read-only\n  userarn: ${arn('user', 'bob')}\n  username: biomage-user:bob\n- groups:\n  - read-only\n  userarn: ${arn('user', 'dave')}\n  username: biomage-user:dave\n`;
    let stored: StoredAwsAuth = { data: { mapRoles: nodeRow, mapUsers: biomageRows }, resourceVersion: '1' };
    let entriesWhenWritten: string[] | undefined;
    const store: AwsAuthStore = {
      read: () => Promise.resolve(stored),
      create: () => Promise.resolve(false),
      async replace(current, data) {
        if (current.resourceVersion !== stored.resourceVersion) return false;
        entriesWhenWritten = (await eks.send(new ListAccessEntriesCommand({ clusterName: 'biomage-migrating' }))).accessEntries;
        stored = { data, resourceVersion: String(Number(stored.resourceVersion) + 1) };
        return true;
      },
    };
    const calls: string[] = [];
    const recorded = recordCalls(awsClient(EKSClient, aws.target()), calls);
    const iam = awsClient(IAMClient, aws.target());
    const config = await clusterAccessConfig(recorded, 'biomage-migrating', 'eu-west-1');
    const run = (dryRun: boolean) => reconcileAccessEntries({ eks: recorded, cluster: 'biomage-migrating', config, root, resolve: iamNameResolver(iam), awsAuth: () => Promise.resolve(store), dryRun });
    try {
      const plan = await run(true);
      expect(plan.entries.plan.create).toHaveLength(2);
      expect(plan.awsAuth.plan.remove.map((r) => r.username)).toEqual(['biomage-admin:alice', 'biomage-user:bob', 'biomage-user:dave']);
      expect(stored.resourceVersion).toBe('1');

      const result = await run(false);
      expect(result.entries).toMatchObject({ action: 'applied', verified: true });
      expect(result.awsAuth.action).toBe('updated');
      expect(entriesWhenWritten).toEqual([arn('user', 'alice'), arn('user', 'bob')]);
      expect(parse(stored.data.mapRoles!)).toEqual(parse(nodeRow));
      expect(stored.data.mapUsers).toBeUndefined();
      expect(calls.filter((c) => WRITES.test(c))).toEqual(['CreateAccessEntry', 'AssociateAccessPolicy', 'CreateAccessEntry']);
      expect((await eks.send(new DescribeClusterCommand({ name: 'biomage-migrating' }))).cluster?.accessConfig?.authenticationMode).toBe('API_AND_CONFIG_MAP');
    } finally {
      recorded.destroy();
      iam.destroy();
    }
  });

  it('entries changed by another writer during the apply fail verification, and aws-auth is not touched', async () => {
    await seedCluster(aws.target(), { name: 'biomage-racing', authenticationMode: 'API_AND_CONFIG_MAP', oidcProvider: false, iamServiceAccounts: [], nodeGroups: [] });
    lists(['alice'], []);
    const row = `- groups:\n  - system:masters\n  userarn: ${arn('user', 'alice')}\n  username: biomage-admin:alice\n`;
    const writes: string[] = [];
    const store: AwsAuthStore = {
      read: () => Promise.resolve({ data: { mapUsers: row }, resourceVersion: '1' }),
      create: () => Promise.resolve(writes.push('create') > 0),
      replace: () => Promise.resolve(writes.push('replace') > 0),
    };
    // Another writer (a second client, real calls) takes the policy away as soon as biomage associated it.
    const other = awsClient(EKSClient, aws.target());
    const racing = awsClient(EKSClient, aws.target());
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'AssociateAccessPolicyCommand') {
          const input = args.input as { principalArn: string; policyArn: string };
          await other.send(new DisassociateAccessPolicyCommand({ clusterName: 'biomage-racing', principalArn: input.principalArn, policyArn: input.policyArn }));
        }
        return result;
      },
      { step: 'initialize', name: 'otherWriter' },
    );
    const iam = awsClient(IAMClient, aws.target());
    try {
      const config = await clusterAccessConfig(racing, 'biomage-racing', 'eu-west-1');
      const error = await reconcileAccessEntries({ eks: racing, cluster: 'biomage-racing', config, root, resolve: iamNameResolver(iam), awsAuth: () => Promise.resolve(store), dryRun: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationError);
      expect((error as OperationError).message).toBe(
        'the access entries of biomage-racing do not match the access lists after applying them: arn:aws:iam::123456789012:user/alice differs (policy +AmazonEKSClusterAdminPolicy)',
      );
      expect((error as OperationError).hint).toMatch(/^aws-auth was left as it was, so nobody lost access/);
      expect(writes).toEqual([]);
    } finally {
      for (const client of [other, racing, iam]) client.destroy();
    }
  });

  it('a CONFIG_MAP cluster keeps the aws-auth way: no entries, and aws-auth needs the kubeconfig', async () => {
    lists(['alice'], []);
    const error = await access('production', true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^the kubeconfig .*no-kubeconfig does not exist$/);
    expect((await eks.send(new DescribeClusterCommand({ name: 'biomage-production' }))).cluster?.accessConfig?.authenticationMode).toBe('CONFIG_MAP');
    await expect(eks.send(new ListAccessEntriesCommand({ clusterName: 'biomage-production' }))).rejects.toThrow(/authentication mode must be set to one of \[API, API_AND_CONFIG_MAP\]/);
  });

  it('a cluster that does not exist is bad input, nothing changed', async () => {
    await eks.send(new DescribeClusterCommand({ name: 'biomage-staging' }));
    const missing = await clusterAccessConfig(eks, 'biomage-nowhere', 'eu-west-1').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as InputError).message).toBe('EKS cluster biomage-nowhere does not exist in eu-west-1');
  });
});

