import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.js';
import { accessEntries, accessListRules } from '../../../src/checks/rules/access-lists.js';
import { checkContext } from '../../helpers/check-repo-k8s.js';

const run = async (admins?: string, users?: string) =>
  (await accessListRules.check(
    checkContext({ ...(admins !== undefined ? { 'infra/cluster_admins': admins } : {}), ...(users !== undefined ? { 'infra/cluster_users': users } : {}) }),
  ));
const lines = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`);

describe('access lists', () => {
  it('accept names and user or role ARNs in any partition, with comments and blank lines', async () => {
    const admins = `# Cluster administrators
alice
arn:aws:iam::123456789012:user/ops/bob

arn:aws-cn:iam::123456789012:role/platform-admin
  carol.smith+ops@example.org  
`;
    expect(await run(admins, 'dave\r\n')).toEqual([]);
    expect(accessEntries(admins).map((e) => [e.line, e.text])).toEqual([
      [2, 'alice'],
      [3, 'arn:aws:iam::123456789012:user/ops/bob'],
      [5, 'arn:aws-cn:iam::123456789012:role/platform-admin'],
      [6, 'carol.smith+ops@example.org'],
    ]);
  });

  it('report entries that are neither IAM names nor user or role ARNs', async () => {
    const findings = await run(
      `alice smith
arn:aws:iam::123456789012:group/admins
arn:aws:iam::1234:user/short-account
arn:aws:sts::123456789012:assumed-role/ops/session
${'x'.repeat(65)}
erin # the lead
`,
    );
    expect(lines(findings)).toEqual([
      'infra/cluster_admins:1 access-list-entry entry "alice smith" is not an IAM user or role name or ARN',
      'infra/cluster_admins:2 access-list-entry entry "arn:aws:iam::123456789012:group/admins" is not an IAM user or role name or ARN',
      'infra/cluster_admins:3 access-list-entry entry "arn:aws:iam::1234:user/short-account" is not an IAM user or role name or ARN',
      'infra/cluster_admins:4 access-list-entry entry "arn:aws:sts::123456789012:assumed-role/ops/session" is not an IAM user or role name or ARN',
      `infra/cluster_admins:5 access-list-entry entry "${'x'.repeat(65)}" is not an IAM user or role name or ARN`,
      'infra/cluster_admins:6 access-list-entry entry "erin # the lead" is not an IAM user or role name or ARN',
    ]);
    expect(findings[5]!.fix).toBe('move the comment to its own line, starting with #');
    expect(findings[0]!.fix).toBeUndefined();
  });

  it('report a repeated entry, regardless of case or IAM path', async () => {
    const findings = await run(
      `alice
Alice
arn:aws:iam::123456789012:role/ops
arn:aws:iam::123456789012:role/team/ops
arn:aws:iam::210987654321:role/ops
`,
    );
    expect(lines(findings)).toEqual([
      'infra/cluster_admins:2 access-list-duplicate entry Alice repeats line 1 (alice)',
      'infra/cluster_admins:4 access-list-duplicate entry arn:aws:iam::123456789012:role/team/ops repeats line 3 (arn:aws:iam::123456789012:role/ops)',
    ]);
  });

  it('report someone in both lists, on the users list', async () => {
    const findings = await run('alice\nbob\n', '# users\ncarol\nBOB\n');
    expect(lines(findings)).toEqual(['infra/cluster_users:3 access-list-conflict entry BOB is also in infra/cluster_admins (line 2)']);
  });

  it('work with one list, or none', async () => {
    expect(await run(undefined, 'alice\n')).toEqual([]);
    expect(await run()).toEqual([]);
  });
});
