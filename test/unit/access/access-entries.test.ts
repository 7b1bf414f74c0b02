import { describe, expect, it } from 'vitest';
import {
  accessPolicyArn,
  desiredAccessEntries,
  hasAccessEntryChanges,
  MANAGED_TAG,
  planAccessEntries,
  policyChanges,
  type LiveAccessEntry,
} from '../../../src/access/access-entries.js';
import { desiredEntries } from '../../../src/access/mapping.js';
import { knownNames } from './known-names.js';

const ADMIN = accessPolicyArn('aws', 'AmazonEKSClusterAdminPolicy');
const CLUSTER_SCOPE = { type: 'cluster' as const, namespaces: [] };
const tagged = { [MANAGED_TAG.key]: MANAGED_TAG.value };

async function wanted(admins: string[], users: string[]) {
  const lists = [
    { file: 'infra/cluster_admins' as const, text: `# admins\n${admins.join('\n')}\n` },
    { file: 'infra/cluster_users' as const, text: `# users\n${users.join('\n')}\n` },
  ];
  return desiredAccessEntries(await desiredEntries(lists, knownNames()), 'aws');
}

function live(principalArn: string, overrides: Partial<LiveAccessEntry> = {}): LiveAccessEntry {
  return { principalArn, type: 'STANDARD', username: 'someone', kubernetesGroups: [], tags: {}, policies: [], ...overrides };
}

describe('desiredAccessEntries', () => {
  it('gives admins the cluster admin policy at cluster scope and users the read-only group; a role keeps its path', async () => {
    const entries = await wanted(['ops'], ['alice']);
    expect(entries.map(({ source, ...e }) => ({ ...e, line: `${source.file}:${source.line}` }))).toEqual([
      { principalArn: 'arn:aws:iam::123456789012:role/teams/ops', principalType: 'role', username: 'biomage-admin:ops', kubernetesGroups: [], policies: [{ policyArn: ADMIN, scope: CLUSTER_SCOPE }], line: 'infra/cluster_admins:2' },
      { principalArn: 'arn:aws:iam::123456789012:user/alice', principalType: 'user', username: 'biomage-user:alice', kubernetesGroups: ['read-only'], policies: [], line: 'infra/cluster_users:2' },
    ]);
  });

  it('names the policy in the cluster partition', async () => {
    const lists = [
      { file: 'infra/cluster_admins' as const, text: 'arn:aws-cn:iam::123456789012:user/li\n' },
      { file: 'infra/cluster_users' as const, text: '' },
    ];
    const [entry] = desiredAccessEntries(await desiredEntries(lists, knownNames()), 'aws-cn');
    expect(entry?.policies[0]?.policyArn).toBe('arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy');
  });
});

describe('planAccessEntries', () => {
  it('creates what is missing, keeps node and unmanaged entries, and deletes only biomage entries no longer listed', async () => {
    const desired = await wanted(['alice'], []);
    const node = live('arn:aws:iam::123456789012:role/nodes', { type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'] });
    const creator = live('arn:aws:iam::123456789012:role/ci', { policies: [{ policyArn: ADMIN, scope: CLUSTER_SCOPE }] });
    const gone = live('arn:aws:iam::123456789012:user/bob', { username: 'biomage-user:bob', kubernetesGroups: ['read-only'], tags: tagged });
    // A node entry carrying the tag is still a node's: never biomage's to delete.
    const taggedNode = live('arn:aws:iam::123456789012:role/other-nodes', { type: 'EC2_LINUX', tags: tagged });
    const plan = planAccessEntries([node, creator, gone, taggedNode], desired);
    expect(plan.create.map((e) => e.principalArn)).toEqual(['arn:aws:iam::123456789012:user/alice']);
    expect(plan.delete).toEqual([gone]);
    expect(plan.keep).toEqual([node, creator, taggedNode]);
    expect(plan.update).toEqual([]);
  });

  it('matches principals regardless of case, and finds nothing to do when the entries are as listed', async () => {
    const desired = await wanted(['alice'], []);
    const alice = live('arn:aws:iam::123456789012:user/Alice', { username: 'biomage-admin:alice', tags: tagged, policies: [{ policyArn: ADMIN, scope: CLUSTER_SCOPE }] });
    const plan = planAccessEntries([alice], desired);
    expect(hasAccessEntryChanges(plan)).toBe(false);
    expect(plan.unchanged).toHaveLength(1);
  });

  it('updates a biomage entry that moved lists: groups, username and policies', async () => {
    const desired = await wanted([], ['alice']);
    const admin = live('arn:aws:iam::123456789012:user/alice', { username: 'biomage-admin:alice', tags: tagged, policies: [{ policyArn: ADMIN, scope: CLUSTER_SCOPE }] });
    const plan = planAccessEntries([admin], desired);
    expect(plan.update.map((u) => u.changes)).toEqual([['username', 'groups', 'policy -AmazonEKSClusterAdminPolicy']]);
  });

  it('re-associates a policy whose scope differs', () => {
    const to = [{ policyArn: ADMIN, scope: CLUSTER_SCOPE }];
    const from = [{ policyArn: ADMIN, scope: { type: 'namespace' as const, namespaces: ['ui'] } }];
    expect(policyChanges(from, to)).toEqual({ associate: to, disassociate: [] });
    expect(policyChanges(to, to)).toEqual({ associate: [], disassociate: [] });
  });
});
