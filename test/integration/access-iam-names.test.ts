import { CreateRoleCommand, CreateUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamNameResolver } from '../../src/access/iam-names.js';
import { desiredEntries } from '../../src/access/mapping.js';
import { awsClient } from '../../src/aws/clients.js';
import { iamSdk } from '../../src/aws/sdk.js';
import { useEmulator } from '../helpers/emulator.js';

/** iamNameResolver against the emulator's IAM: users first, then roles, unknown names undefined. */
describe('iamNameResolver', () => {
  const { target } = useEmulator();
  let iam: IAMClient;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

  beforeAll(async () => {
    iam = awsClient(iamSdk().IAMClient, target());
    await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/staff/' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'ops', Path: '/teams/', AssumeRolePolicyDocument: trust }));
    // A user and a role of one name: the user wins.
    await iam.send(new CreateUserCommand({ UserName: 'shared' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'shared', AssumeRolePolicyDocument: trust }));
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(() => (iam as IAMClient | undefined)?.destroy());

  it('finds a user, with its path', async () => {
    expect(await iamNameResolver(iam)('alice')).toEqual({ arn: expect.stringMatching(/^arn:aws:iam::\d{12}:user\/staff\/alice$/), type: 'user' });
  });

  it('finds a role when no user has the name', async () => {
    expect(await iamNameResolver(iam)('ops')).toEqual({ arn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/teams\/ops$/), type: 'role' });
  });

  it('prefers the user when a user and a role share the name', async () => {
    expect((await iamNameResolver(iam)('shared'))?.type).toBe('user');
  });

  it('is undefined for a name IAM does not know', async () => {
    expect(await iamNameResolver(iam)('nobody')).toBeUndefined();
  });

  it('feeds desiredEntries: the role is mapped without its path, the user with it', async () => {
    const entries = await desiredEntries(
      [
        { file: 'infra/cluster_admins', text: 'ops\n' },
        { file: 'infra/cluster_users', text: 'alice\n' },
      ],
      iamNameResolver(iam),
    );
    expect(entries.map((e) => [e.arn.replace(/\d{12}/, '<account>'), e.username])).toEqual([
      ['arn:aws:iam::<account>:role/ops', 'biomage-admin:ops'],
      ['arn:aws:iam::<account>:user/staff/alice', 'biomage-user:alice'],
    ]);
  });
});
