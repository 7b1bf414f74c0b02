import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ADMIN_GROUP, desiredEntries, READ_ONLY_GROUP, readAccessLists, type AccessList } from '../../../src/access/mapping.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { InputError } from '../../../src/ui/errors.js';
import { knownNames } from './known-names.js';

const lists = (admins: string, users: string): AccessList[] => [
  { file: 'infra/cluster_admins', text: admins },
  { file: 'infra/cluster_users', text: users },
];

describe('desiredEntries: the aws-auth entries the access lists ask for', () => {
  it('maps admins to system:masters and users to read-only, roles and users by ARN, in list order', async () => {
    const admins = '# admins\narn:aws:iam::123456789012:role/platform-admin\nalice\n';
    const users = '\narn:aws:iam::123456789012:user/staff/dave\n';
    expect(await desiredEntries(lists(admins, users), knownNames())).toEqual([
      {
        type: 'role',
        arn: 'arn:aws:iam::123456789012:role/platform-admin',
        username: 'biomage-admin:platform-admin',
        groups: ['system:masters'],
        source: { file: 'infra/cluster_admins', line: 2, text: 'arn:aws:iam::123456789012:role/platform-admin' },
      },
      {
        type: 'user',
        arn: 'arn:aws:iam::123456789012:user/alice',
        username: 'biomage-admin:alice',
        groups: ['system:masters'],
        source: { file: 'infra/cluster_admins', line: 3, text: 'alice' },
      },
      {
        // A user keeps its path: aws-auth matches users by their full ARN.
        type: 'user',
        arn: 'arn:aws:iam::123456789012:user/staff/dave',
        username: 'biomage-user:dave',
        groups: ['read-only'],
        source: { file: 'infra/cluster_users', line: 2, text: 'arn:aws:iam::123456789012:user/staff/dave' },
      },
    ]);
  });

  it('maps a role without its path (aws-auth never matches a role path), written as an ARN or found by name', async () => {
    const entries = await desiredEntries(lists('arn:aws:iam::123456789012:role/a/b/deploy\n', 'ops\n'), knownNames());
    expect(entries.map((e) => [e.arn, e.username])).toEqual([
      ['arn:aws:iam::123456789012:role/deploy', 'biomage-admin:deploy'],
      ['arn:aws:iam::123456789012:role/ops', 'biomage-user:ops'],
    ]);
  });

  it('looks up bare names only, and maps an identity listed twice in one list once', async () => {
    const resolve = knownNames();
    const entries = await desiredEntries(lists('alice\narn:aws:iam::123456789012:user/alice\narn:aws:iam::123456789012:role/ops\n', ''), resolve);
    expect(resolve.asked).toEqual(['alice']);
    expect(entries.map((e) => e.source.line)).toEqual([1, 3]);
  });

  it('empty lists (comments only) ask for no entries and no lookups', async () => {
    const resolve = knownNames();
    expect(await desiredEntries(lists('# nobody\n', '\n# nobody either\n'), resolve)).toEqual([]);
    expect(resolve.asked).toEqual([]);
  });

  it('a name IAM does not know is an InputError at its line, saying what to do', async () => {
    const error = await desiredEntries(lists('alice\n', '# users\nops\nbob\n'), knownNames()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      message: 'no IAM user or role is named bob',
      where: 'infra/cluster_users:3',
      hint: 'write its full ARN instead (arn:aws:iam::<account>:user/bob or …:role/bob), or create the IAM user or role first',
      exitCode: 2,
    });
  });

  it('an identity in both lists is an InputError at its line in cluster_users, even written differently', async () => {
    const error = await desiredEntries(lists('alice\n', '\narn:aws:iam::123456789012:user/alice\n'), knownNames()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      message: 'arn:aws:iam::123456789012:user/alice is also in infra/cluster_admins (line 1, as alice)',
      where: 'infra/cluster_users:2',
    });
  });
});

describe('readAccessLists', () => {
  it('reads both lists of this repository, which start as comments only', () => {
    const read = readAccessLists(repoRoot);
    expect(read.map((l) => l.file)).toEqual(['infra/cluster_admins', 'infra/cluster_users']);
    for (const list of read) {
      expect(list.text.split('\n').filter((line) => line.trim() && !line.startsWith('#')), list.file).toEqual([]);
    }
  });
});

describe('the groups match infra/charts/read-only-group', () => {
  it("the chart's default value binds the group biomage maps infra/cluster_users to; admins are system:masters, which needs no binding", () => {
    const values = parse(readFileSync(join(repoRoot, 'infra/charts/read-only-group/values.yaml'), 'utf8')) as Record<string, unknown>;
    expect(values).toEqual({ group: READ_ONLY_GROUP });
    expect([ADMIN_GROUP, READ_ONLY_GROUP]).toEqual(['system:masters', 'read-only']);
  });
});
