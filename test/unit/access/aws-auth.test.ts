import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasChanges, isManaged, parseAwsAuth, planAwsAuth, renderAwsAuth, withoutRolePath } from '../../../src/access/aws-auth.js';
import { OperationError } from '../../../src/ui/errors.js';
import { desired } from './known-names.js';

/** What eksctl writes for a managed node group, as a live cluster holds it. */
const NODE_ROLE = 'arn:aws:iam::123456789012:role/eksctl-biomage-staging-nodegroup-NodeInstanceRole-1A2B3C';
const eksctlData = (): Record<string, string> => ({
  mapRoles: `- groups:
  - system:bootstrappers
  - system:nodes
  rolearn: ${NODE_ROLE}
  username: system:node:{{EC2PrivateDNSName}}
`,
});

const ALICE = 'arn:aws:iam::123456789012:user/alice';
const BOB = 'arn:aws:iam::123456789012:user/bob';
const OPS = 'arn:aws:iam::123456789012:role/ops';

/** Apply: plan against the data, render the new data. */
const apply = (data: Record<string, string> | undefined, want: Parameters<typeof planAwsAuth>[1]) => {
  const current = parseAwsAuth(data);
  const plan = planAwsAuth(current, want);
  return { plan, data: renderAwsAuth(current, plan) };
};

describe('parseAwsAuth', () => {
  it('reads mapRoles and mapUsers entries in order, keeping other keys; biomage manages only its usernames', () => {
    const auth = parseAwsAuth({
      ...eksctlData(),
      mapUsers: `- userarn: ${ALICE}\n  username: biomage-admin:alice\n  groups: [system:masters]\n- userarn: ${BOB}\n  username: bob\n`,
      mapAccounts: '- "123456789012"\n',
    });
    expect(auth.entries).toEqual([
      { type: 'role', arn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] },
      { type: 'user', arn: ALICE, username: 'biomage-admin:alice', groups: ['system:masters'] },
      { type: 'user', arn: BOB, username: 'bob', groups: [] },
    ]);
    expect(auth.entries.map(isManaged)).toEqual([false, true, false]);
    expect(auth.otherData).toEqual({ mapAccounts: '- "123456789012"\n' });
  });

  it('a missing ConfigMap, a missing key and an empty key are no entries', () => {
    expect(parseAwsAuth(undefined).entries).toEqual([]);
    expect(parseAwsAuth({ mapRoles: '', mapUsers: '[]\n' }).entries).toEqual([]);
  });

  it.each([
    ['invalid YAML', { mapRoles: '- rolearn: "x\n' }, 'mapRoles', 'configmap kube-system/aws-auth, key mapRoles: not valid YAML at line 2 of the value: Missing closing "quote'],
    ['an entry without its ARN', { mapUsers: '- username: carol\n' }, 'mapUsers', 'configmap kube-system/aws-auth, key mapUsers: entry 1: userarn is missing'],
    ['a rolearn in mapUsers', { mapUsers: `- rolearn: ${OPS}\n` }, 'mapUsers', 'configmap kube-system/aws-auth, key mapUsers: entry 1: userarn is missing'],
    ['groups that are not a list', { mapRoles: `- rolearn: ${OPS}\n  groups: system:masters\n` }, 'mapRoles', 'configmap kube-system/aws-auth, key mapRoles: entry 1: groups must be a list (found "system:masters")'],
    ['a mapping instead of a list', { mapRoles: `rolearn: ${OPS}\n` }, 'mapRoles', 'configmap kube-system/aws-auth, key mapRoles: the value must be a list (found a mapping)'],
  ])('%s is an OperationError naming the key, to be fixed with kubectl edit', (_name, data, key, message) => {
    let error: unknown;
    try {
      parseAwsAuth(data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OperationError);
    const failure = error as OperationError;
    expect(failure.message).toBe(message);
    expect(failure.where).toBe(`configmap kube-system/aws-auth, key ${key}`);
    expect(failure.hint).toMatch(/^fix it by hand with `kubectl edit configmap aws-auth -n kube-system`/);
  });
});

describe('planAwsAuth', () => {
  it('adds the listed entries to what eksctl wrote and keeps the node role untouched', () => {
    const { plan, data } = apply(eksctlData(), [desired('user', ALICE, 'admins'), desired('role', OPS, 'users')]);
    expect(plan.add.map((e) => e.arn)).toEqual([ALICE, OPS]);
    expect(plan.keep.map((e) => e.arn)).toEqual([NODE_ROLE]);
    expect([plan.update, plan.remove, plan.unchanged]).toEqual([[], [], []]);
    // Unmanaged first, as they were; then biomage's, sorted by ARN.
    expect(data).toEqual({
      mapRoles: `${eksctlData().mapRoles}- rolearn: ${OPS}
  username: biomage-user:ops
  groups:
  - read-only
`,
      mapUsers: `- userarn: ${ALICE}
  username: biomage-admin:alice
  groups:
  - system:masters
`,
    });
  });

  it('removes the entries of people no longer listed, and only those', () => {
    const { data: before } = apply(eksctlData(), [desired('user', ALICE, 'admins'), desired('user', BOB, 'users')]);
    const { plan, data } = apply({ ...before, mapUsers: `${before.mapUsers}- userarn: arn:aws:iam::123456789012:user/carol\n  username: carol\n` }, [
      desired('user', ALICE, 'admins'),
    ]);
    expect(plan.remove.map((e) => e.arn)).toEqual([BOB]);
    expect(plan.unchanged.map((e) => e.arn)).toEqual([ALICE]);
    expect(plan.keep.map((e) => e.arn)).toEqual([NODE_ROLE, 'arn:aws:iam::123456789012:user/carol']);
    expect(parse(data.mapUsers!)).toEqual([
      { userarn: 'arn:aws:iam::123456789012:user/carol', username: 'carol' },
      { userarn: ALICE, username: 'biomage-admin:alice', groups: ['system:masters'] },
    ]);
  });

  it('empty lists remove every biomage entry and leave the rest; a key left empty is dropped', () => {
    const { data: before } = apply(eksctlData(), [desired('user', ALICE, 'admins'), desired('role', OPS, 'users')]);
    const { plan, data } = apply(before, []);
    expect(plan.remove.map((e) => e.arn)).toEqual([OPS, ALICE]);
    expect(data).toEqual(eksctlData());
  });

  it('moving someone from users to admins updates the entry in place', () => {
    const { data: before } = apply(eksctlData(), [desired('user', ALICE, 'users')]);
    const { plan } = apply(before, [desired('user', ALICE, 'admins')]);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]!.from).toMatchObject({ username: 'biomage-user:alice', groups: ['read-only'] });
    expect(plan.update[0]!.to).toMatchObject({ username: 'biomage-admin:alice', groups: ['system:masters'] });
    expect([plan.add, plan.remove]).toEqual([[], []]);
  });

  it('an entry biomage wrote with a role path (or in another case) is updated to the ARN aws-auth matches', () => {
    const stale = { mapRoles: `- rolearn: arn:aws:iam::123456789012:role/teams/OPS\n  username: biomage-user:ops\n  groups: [read-only]\n` };
    const { plan, data } = apply(stale, [desired('role', OPS, 'users')]);
    expect(plan.update.map((u) => [u.from.arn, u.to.arn])).toEqual([['arn:aws:iam::123456789012:role/teams/OPS', OPS]]);
    expect(parse(data.mapRoles!)).toEqual([{ rolearn: OPS, username: 'biomage-user:ops', groups: ['read-only'] }]);
  });

  it('a second biomage entry for one identity is removed', () => {
    const twice = { mapUsers: `- userarn: ${ALICE}\n  username: biomage-admin:alice\n  groups: [system:masters]\n- userarn: ${ALICE}\n  username: biomage-user:alice\n  groups: [read-only]\n` };
    const { plan, data } = apply(twice, [desired('user', ALICE, 'admins')]);
    expect(plan.unchanged.map((e) => e.username)).toEqual(['biomage-admin:alice']);
    expect(plan.remove.map((e) => e.username)).toEqual(['biomage-user:alice']);
    expect(parse(data.mapUsers!)).toHaveLength(1);
  });

  it('a hand-made entry in system:masters or read-only is not biomage\'s: kept when unlisted, whatever its groups', () => {
    const handMade = {
      mapUsers: `- userarn: ${BOB}\n  username: bob\n  groups: [system:masters]\n- userarn: arn:aws:iam::123456789012:user/carol\n  groups: [read-only]\n`,
    };
    const { plan, data } = apply(handMade, [desired('user', ALICE, 'admins')]);
    expect(plan.keep.map((e) => e.arn)).toEqual([BOB, 'arn:aws:iam::123456789012:user/carol']);
    expect(plan.remove).toEqual([]);
    expect(parse(data.mapUsers!)).toEqual([
      { userarn: BOB, username: 'bob', groups: ['system:masters'] },
      { userarn: 'arn:aws:iam::123456789012:user/carol', groups: ['read-only'] },
      { userarn: ALICE, username: 'biomage-admin:alice', groups: ['system:masters'] },
    ]);
  });

  it('entries of an older biomage, in the groups biomage:admins and biomage:read-only, move to system:masters and read-only', () => {
    const older = {
      mapUsers: `- userarn: ${ALICE}\n  username: biomage-admin:alice\n  groups: [biomage:admins]\n- userarn: ${BOB}\n  username: biomage-user:bob\n  groups: [biomage:read-only]\n`,
    };
    const { plan, data } = apply(older, [desired('user', ALICE, 'admins'), desired('user', BOB, 'users')]);
    expect(plan.update.map((u) => [u.from.groups, u.to.groups])).toEqual([
      [['biomage:admins'], ['system:masters']],
      [['biomage:read-only'], ['read-only']],
    ]);
    expect(parse(data.mapUsers!)).toEqual([
      { userarn: ALICE, username: 'biomage-admin:alice', groups: ['system:masters'] },
      { userarn: BOB, username: 'biomage-user:bob', groups: ['read-only'] },
    ]);
  });

  it('keeps every field of an unmanaged entry and every other key of the ConfigMap', () => {
    const handMade = {
      mapRoles: `- rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups: [system:bootstrappers, system:nodes]\n  extra: kept\n`,
      mapAccounts: '- "123456789012"\n',
    };
    const { data } = apply(handMade, [desired('role', OPS, 'admins')]);
    expect(data.mapAccounts).toBe(handMade.mapAccounts);
    expect(parse(data.mapRoles!)[0]).toEqual({ rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'], extra: 'kept' });
  });
});

describe('renderAwsAuth is idempotent', () => {
  it('applying the same lists to its own output changes nothing, and renders the same bytes', () => {
    const want = [desired('user', BOB, 'users'), desired('role', OPS, 'admins'), desired('user', ALICE, 'admins')];
    const first = apply(eksctlData(), want);
    expect(hasChanges(first.plan)).toBe(true);
    const second = apply(first.data, want);
    expect(hasChanges(second.plan)).toBe(false);
    expect(second.plan.unchanged).toHaveLength(3);
    expect(second.data).toEqual(first.data);
    // The list order does not matter: biomage's entries are sorted by ARN.
    expect(apply(first.data, [...want].reverse()).data).toEqual(first.data);
  });
});

describe('withoutRolePath', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/path/ops', 'arn:aws:iam::123456789012:role/ops'],
    ['arn:aws:iam::123456789012:role/a/b/c/ops', 'arn:aws:iam::123456789012:role/ops'],
    ['arn:aws-cn:iam::123456789012:role/path/ops', 'arn:aws-cn:iam::123456789012:role/ops'],
    ['arn:aws:iam::123456789012:role/ops', 'arn:aws:iam::123456789012:role/ops'],
    // aws-auth matches users by their full ARN, path included.
    ['arn:aws:iam::123456789012:user/staff/dave', 'arn:aws:iam::123456789012:user/staff/dave'],
  ])('%s → %s', (arn, mapped) => expect(withoutRolePath(arn)).toBe(mapped));
});
