import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { RepositoryReport, RotateCiReport } from '../../src/ci/report.js';
import { rotateCiCommand } from '../../src/commands/rotate-ci.js';
import { parseCiConfig } from '../../src/config/ci-config.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { ConfirmationRequiredError } from '../../src/ui/errors.js';
import { recordCalls } from '../helpers/aws-calls.js';
import { runCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';
import { faults, startFakeGithub, type FakeGithub, type FakeRepo } from '../helpers/github-server.js';

const ORG = 'acme';
const STACK = 'biomage-ci-users';
const fixture = (name: string) => readFileSync(join(repoRoot, 'test', 'fixtures', 'rotate-ci', name), 'utf8');
const READS = new Set(['DescribeStacks', 'GetTemplate', 'ListAccessKeys', 'GetAccessKeyLastUsed', 'GetUser']);

describe('biomage rotate-ci against the emulator (IAM, CloudFormation) and a fake GitHub REST server', () => {
  const { emulator, target } = useEmulator();
  let github: FakeGithub;
  const repos: Record<string, FakeRepo> = {
    api: { name: 'api', files: { '.ci.yaml': fixture('api.ci.yaml') } },
    ui: { name: 'ui', defaultBranch: 'develop', files: { '.ci.yml': fixture('ui.ci.yml') } },
    docs: { name: 'docs', files: { 'README.md': '# docs\n' } },
    bad: { name: 'bad', files: { '.ci.yaml': fixture('malformed.ci.yaml') } },
    old: { name: 'old', archived: true, files: { '.ci.yaml': fixture('api.ci.yaml') } },
  };
  const publish = () => github.setRepos(Object.values(repos));
  /** Every run's captured output, for the final check that no key material was ever printed. */
  const outputs: string[] = [];
  /** Every key id and secret that existed, and the token. */
  const material = new Set<string>();

  beforeAll(async () => {
    github = await startFakeGithub({ org: ORG, repos: Object.values(repos), pageSize: 2 });
    material.add(github.token);
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(() => (github as FakeGithub | undefined)?.close());

  const iam = () => awsClient(IAMClient, target());
  const cfn = () => awsClient(CloudFormationClient, target());
  const env = (extra: Record<string, string | undefined> = {}) => ({
    BIOMAGE_ENV: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_REGION: 'eu-west-1',
    CI: 'true',
    GH_TOKEN: undefined,
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    ...extra,
  });

  async function rotate(args: string[], options: { json?: boolean; env?: Record<string, string | undefined> } = {}) {
    const run = await runCli(['rotate-ci', '--org', ORG, '--endpoint-url', emulator().endpoint, ...(options.json === false ? [] : ['--json']), ...args], env(options.env));
    outputs.push(run.stdout, run.stderr);
    await collectMaterial();
    const report = options.json === false || !run.stdout ? undefined : (JSON.parse(run.stdout) as { result?: RotateCiReport }).result;
    const by = Object.fromEntries((report?.repositories ?? []).map((r) => [r.repository, r])) as Record<string, RepositoryReport>;
    return { ...run, report, by };
  }

  async function keys(user: string) {
    const { AccessKeyMetadata = [] } = await iam().send(new ListAccessKeysCommand({ UserName: user }));
    return AccessKeyMetadata.map((k) => ({ id: k.AccessKeyId!, status: k.Status! }));
  }

  async function policies(user: string): Promise<Record<string, unknown>> {
    const { PolicyNames = [] } = await iam().send(new ListUserPoliciesCommand({ UserName: user }));
    const out: Record<string, unknown> = {};
    for (const name of PolicyNames) {
      const { PolicyDocument } = await iam().send(new GetUserPolicyCommand({ UserName: user, PolicyName: name }));
      out[name] = JSON.parse(decodeURIComponent(PolicyDocument!));
    }
    return out;
  }

  async function users(): Promise<string[]> {
    return ((await iam().send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName!).sort();
  }

  async function stackExists(): Promise<boolean> {
    try {
      await cfn().send(new DescribeStacksCommand({ StackName: STACK }));
      return true;
    } catch (error) {
      if (/does not exist/.test((error as Error).message)) return false;
      throw error;
    }
  }

  /** Every key id and secret value in IAM and the fake GitHub right now. */
  async function collectMaterial() {
    for (const user of await users()) for (const key of await keys(user)) material.add(key.id);
    for (const repo of Object.keys(repos)) for (const value of Object.values(github.secrets(repo))) material.add(value);
  }

  const puts = () => github.requests.filter((r) => r.method === 'PUT');

  /** The policies a .ci.yaml declares, as IAM should hold them. */
  const declared = (text: string) => Object.fromEntries(parseCiConfig(text, '.ci.yaml').config!['ci-policies'].map((p) => [p.PolicyName, p.PolicyDocument]));

  it('without a token: exit 2 naming GITHUB_TOKEN and GH_TOKEN, before any request', async () => {
    const run = await rotate([], { env: { GITHUB_TOKEN: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)');
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'usage' } });
    expect(github.requests).toEqual([]);
  });

  it('--dry-run on an empty account reads only: no stack, no user, no key, no PUT', async () => {
    const run = await rotate(['--dry-run']);
    expect(run.code).toBe(1); // bad's .ci.yaml is malformed: the real run would fail for it
    expect(run.report?.stack).toMatchObject({ name: STACK, action: 'create', result: 'planned' });
    expect(run.by.api).toMatchObject({ result: 'planned', policies: 'create', policyChanges: { added: ['push-image', 'describe-clusters'] }, secretsUpdated: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
    expect(run.by.bad?.result).toBe('failed');
    expect(await stackExists()).toBe(false);
    expect(await users()).toEqual([]);
    expect(puts()).toEqual([]);
  });

  it('first run: creates the users and their keys and uploads them; a malformed .ci.yaml fails only its repository', async () => {
    const run = await rotate([]);
    expect(run.code).toBe(1);
    expect(run.report?.stack).toMatchObject({ name: STACK, action: 'create', result: 'ok' });
    expect(Object.keys(run.by).sort()).toEqual(['api', 'bad', 'docs', 'ui']); // the archived repository is not read
    expect(run.by.docs).toMatchObject({ result: 'skipped', notes: ['no .ci.yaml or .ci.yml on main'] });
    expect(run.by.bad).toMatchObject({ result: 'failed', user: null, keyRotated: false });
    expect(run.by.bad?.errors.map((e) => e.message)).toEqual([
      'acme/bad/.ci.yaml:3: ci-policies[0].PolicyName must be 1-128 letters, digits or +=,.@_- (an IAM policy name) (found "push image")',
      'acme/bad/.ci.yaml:4: ci-policies[0].PolicyDocument.Statement is missing',
      'acme/bad/.ci.yaml:6: ci-policies[0].PolicyDocument.Statment is not a known field',
    ]);
    expect(await users()).toEqual(['ci-user-api', 'ci-user-ui']);

    for (const [repo, file] of [['api', fixture('api.ci.yaml')], ['ui', fixture('ui.ci.yml')]] as const) {
      expect(run.by[repo]).toMatchObject({ result: 'ok', user: `ci-user-${repo}`, policies: 'create', policiesApplied: true, keyRotated: true, deletedKeys: [] });
      expect(await policies(`ci-user-${repo}`)).toEqual(declared(file));
      const [key, ...more] = await keys(`ci-user-${repo}`);
      expect(more).toEqual([]);
      expect(key?.status).toBe('Active');
      const secrets = github.secrets(repo);
      expect(secrets.AWS_ACCESS_KEY_ID).toBe(key?.id);
      expect(secrets.AWS_SECRET_ACCESS_KEY).toMatch(/^\S{20,}$/);
    }
    expect(github.secrets('bad')).toEqual({});
  });

  const before: Record<string, { id: string; secret: string }> = {};
  const snapshot = async () => {
    for (const repo of ['api', 'ui']) {
      before[repo] = { id: (await keys(`ci-user-${repo}`))[0]!.id, secret: github.secrets(repo).AWS_SECRET_ACCESS_KEY! };
    }
  };

  it('second run rotates: the old key deleted, exactly one active key, the secrets hold the new one (human output)', async () => {
    repos.bad = { name: 'bad' };
    publish();
    await snapshot();
    const run = await rotate([], { json: false });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/repository\s+policies\s+key\s+secrets\s+result/);
    expect(run.stderr).toMatch(/api\s+unchanged\s+rotated\s+updated\s+ok/);
    for (const repo of ['api', 'ui']) {
      const now = await keys(`ci-user-${repo}`);
      expect(now).toHaveLength(1);
      expect(now[0]).toMatchObject({ status: 'Active' });
      expect(now[0]!.id).not.toBe(before[repo]!.id);
      expect(github.secrets(repo).AWS_ACCESS_KEY_ID).toBe(now[0]!.id);
      expect(github.secrets(repo).AWS_SECRET_ACCESS_KEY).not.toBe(before[repo]!.secret);
    }
  });

  it('a changed .ci.yaml is deployed; --repo leaves the other repositories alone', async () => {
    await snapshot();
    const changed = fixture('api.ci.yaml').replace(/ {2}- PolicyName: describe-clusters[\s\S]*$/, '').replace('ecr:PutImage', 'ecr:PutImage\n            - ecr:BatchGetImage');
    repos.api = { name: 'api', files: { '.ci.yaml': changed } };
    publish();
    const run = await rotate(['--repo', 'api']);
    expect(run.code).toBe(0);
    expect(Object.keys(run.by)).toEqual(['api']);
    expect(run.by.api).toMatchObject({ policies: 'update', policyChanges: { added: [], updated: ['push-image'], removed: ['describe-clusters'] }, policiesApplied: true, keyRotated: true });
    expect(await policies('ci-user-api')).toEqual(declared(changed));
    expect(await policies('ci-user-ui')).toEqual(declared(fixture('ui.ci.yml')));
    expect((await keys('ci-user-ui'))[0]?.id).toBe(before.ui!.id);
  });

  it('--dry-run with a policy change only reads: no change set, no key, no PUT (counted calls)', async () => {
    await snapshot();
    repos.ui = { ...repos.ui!, files: { '.ci.yml': fixture('ui.ci.yml').replace('biomage-production', 'biomage-staging') } };
    publish();
    const putsBefore = puts().length;
    const changeSets = async () => ((await cfn().send(new ListChangeSetsCommand({ StackName: STACK }))).Summaries ?? []).length;
    const changeSetsBefore = await changeSets();
    const calls: string[] = [];
    const c = testContext('rotate-ci', { endpointUrl: emulator().endpoint, json: true, dryRun: true }, { ...process.env, ...definedEnv(env()) });
    const code = await rotateCiCommand(c.ctx, { org: ORG, repos: [], allowAdmin: [], prune: false, cfn: recordCalls(cfn(), calls), iam: recordCalls(iam(), calls) });
    outputs.push(c.stdout(), c.stderr());
    const report = (JSON.parse(c.stdout()) as { result: RotateCiReport }).result;
    expect(code).toBe(0);
    expect(report.stack).toMatchObject({ action: 'update', result: 'planned' });
    const ui = report.repositories.find((r) => r.repository === 'ui');
    expect(ui).toMatchObject({ result: 'planned', policies: 'update', policyChanges: { updated: ['describe-clusters'] }, keyRotated: false });
    expect(ui?.deletedKeys).toEqual([{ created: expect.any(String), status: 'Active', why: 'replaced' }]);
    expect(calls.filter((call) => !READS.has(call))).toEqual([]);
    expect(puts()).toHaveLength(putsBefore);
    expect(await changeSets()).toBe(changeSetsBefore);
    expect(await policies('ci-user-ui')).toEqual(declared(fixture('ui.ci.yml')));
    for (const repo of ['api', 'ui']) expect((await keys(`ci-user-${repo}`)).map((k) => k.id)).toEqual([before[repo]!.id]);
    repos.ui = { ...repos.ui, files: { '.ci.yml': fixture('ui.ci.yml') } };
    publish();
  });

  it('a failed upload of the second secret leaves the old key active, no new key, and CI working', async () => {
    await snapshot();
    const secretsBefore = { api: github.secrets('api'), ui: github.secrets('ui') };
    github.failPut((repo, name) => (repo === 'api' && name === 'AWS_SECRET_ACCESS_KEY' ? 500 : undefined));
    const from = github.requests.length;
    try {
      const run = await rotate(['--repo', 'api', 'ui']);
      expect(run.code).toBe(1);
      expect(run.by.api).toMatchObject({ result: 'failed', keyRotated: false, secretsUpdated: [], deletedKeys: [] });
      expect(run.by.api?.errors.map((e) => e.message)).toEqual([
        'uploading AWS_SECRET_ACCESS_KEY failed: GitHub PUT /repos/acme/api/actions/secrets/AWS_SECRET_ACCESS_KEY: 500 injected failure; the new key is deleted and the old one kept',
      ]);
      // The old key is still the only one, active; GitHub holds it again (id set back, secret never replaced).
      expect(await keys('ci-user-api')).toEqual([{ id: before.api!.id, status: 'Active' }]);
      expect(github.secrets('api')).toEqual(secretsBefore.api);
      expect(github.requests.slice(from).filter((r) => r.method === 'PUT' && r.path.includes('/api/')).map((r) => r.path.split('/').at(-1))).toEqual([
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_ACCESS_KEY_ID',
      ]);
      // The next repository went on.
      expect(run.by.ui).toMatchObject({ result: 'ok', keyRotated: true });
      expect((await keys('ci-user-ui')).map((k) => k.id)).not.toContain(before.ui!.id);
    } finally {
      github.failPut(undefined);
    }
  });

  it('a refused upload of the first secret changes nothing either (no set-back needed)', async () => {
    await snapshot();
    const secretsBefore = github.secrets('api');
    github.failPut((repo, name) => (repo === 'api' && name === 'AWS_ACCESS_KEY_ID' ? 403 : undefined));
    const from = github.requests.length;
    try {
      const run = await rotate(['--repo', 'api']);
      expect(run.code).toBe(1);
      expect(run.by.api?.errors).toEqual([
        {
          message: 'uploading AWS_ACCESS_KEY_ID failed: GitHub PUT /repos/acme/api/actions/secrets/AWS_ACCESS_KEY_ID: 403 injected failure; the new key is deleted and the old one kept',
          hint: expect.stringMatching(/Secrets read\/write/),
        },
      ]);
      // GitHub refused the first secret: nothing to set back.
      expect(github.requests.slice(from).filter((r) => r.method === 'PUT').map((r) => r.path.split('/').at(-1))).toEqual(['AWS_ACCESS_KEY_ID']);
      expect(await keys('ci-user-api')).toEqual([{ id: before.api!.id, status: 'Active' }]);
      expect(github.secrets('api')).toEqual(secretsBefore);
    } finally {
      github.failPut(undefined);
    }
  });

  it('an upload that got no answer is sent again by the client; still none within its bound: the old key stays and the operator is told', async () => {
    await snapshot();
    let drops = 1;
    github.failPut((repo, name) => (repo === 'api' && name === 'AWS_SECRET_ACCESS_KEY' && drops-- > 0 ? 0 : undefined));
    try {
      const retried = await rotate(['--repo', 'api']);
      expect(retried.code).toBe(0);
      expect(retried.by.api).toMatchObject({ result: 'ok', keyRotated: true, secretsUpdated: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
      const [key] = await keys('ci-user-api');
      expect(github.secrets('api').AWS_ACCESS_KEY_ID).toBe(key!.id);

      await snapshot();
      const secretsBefore = github.secrets('api');
      github.failPut((repo, name) => (repo === 'api' && name === 'AWS_SECRET_ACCESS_KEY' ? 0 : undefined));
      const failed = await rotate(['--repo', 'api']);
      expect(failed.code).toBe(1);
      expect(failed.by.api?.errors[0]?.message).toMatch(/^uploading AWS_SECRET_ACCESS_KEY failed: GitHub PUT \S+: no answer from http:\/\/127\.0\.0\.1:\d+ \(.+\); the new key is deleted and the old one kept \(GitHub did not answer: it may hold the new secret, which no key matches now\)$/);
      expect(failed.by.api?.errors[0]?.hint).toBe('rerun `biomage rotate-ci --repo api` now: it uploads a fresh pair');
      expect(await keys('ci-user-api')).toEqual([{ id: before.api!.id, status: 'Active' }]);
      expect(github.secrets('api')).toEqual(secretsBefore);
    } finally {
      github.failPut(undefined);
    }
  });

  it('GitHub having a bad moment (a 502, a secondary rate limit) is waited out: one success, the pauses said on stderr', async () => {
    await snapshot();
    // retry-after: 1 keeps the real wait of this spawned CLI short; the exact waits are asserted in test/unit/github/retry.test.ts.
    github.inject({ method: 'GET', path: `/orgs/${ORG}/repos`, ...faults.badGateway() });
    github.inject({ method: 'GET', path: `/repos/${ORG}/api/actions/secrets/public-key`, ...faults.secondaryRateLimit(1) });
    github.inject({ method: 'PUT', path: `/repos/${ORG}/api/actions/secrets/AWS_ACCESS_KEY_ID`, ...faults.badGateway(), afterApplying: true });
    const from = github.requests.length;
    try {
      const run = await rotate(['--repo', 'api']);
      expect(run.code).toBe(0);
      expect(run.by.api).toMatchObject({ result: 'ok', keyRotated: true, secretsUpdated: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
      const [key] = await keys('ci-user-api');
      expect(github.secrets('api').AWS_ACCESS_KEY_ID).toBe(key!.id);
      expect(github.requests.slice(from).filter((r) => r.fault).map((r) => `${r.fault} ${r.method} ${r.path}`)).toEqual([
        `502 GET /orgs/${ORG}/repos`,
        `403 GET /repos/${ORG}/api/actions/secrets/public-key`,
        `502 PUT /repos/${ORG}/api/actions/secrets/AWS_ACCESS_KEY_ID`,
      ]);
      expect(run.stderr).toMatch(new RegExp(`warning: GitHub GET /orgs/${ORG}/repos: 502 Server Error; retrying in \\d\\.\\d s \\(attempt 2 of 4\\)`));
      expect(run.stderr).toContain(`warning: GitHub GET /repos/${ORG}/api/actions/secrets/public-key: 403 You have exceeded a secondary rate limit. Please wait a few minutes before you try again.; secondary rate limit; retrying in 1.0 s (attempt 2 of 4)`);
    } finally {
      github.clearFaults();
    }
  });

  it('a used-up primary rate limit resetting in an hour fails at once (exit 1): the request, the limit, when to rerun; nothing changed', async () => {
    await snapshot();
    const reset = Math.floor(Date.now() / 1000) + 3600;
    github.inject({ method: 'GET', path: `/orgs/${ORG}/repos`, ...faults.primaryRateLimit(reset, Infinity) });
    const from = github.requests.length;
    try {
      const run = await rotate([]);
      expect(run.code).toBe(1);
      const at = new Date(reset * 1000).toISOString();
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: false,
        exitCode: 1,
        error: {
          code: 'failed',
          message: `GitHub GET /orgs/${ORG}/repos: 403 API rate limit exceeded for user ID 1: the primary rate limit is used up until ${at}, longer than biomage waits for one request (120 s)`,
          hint: expect.stringMatching(new RegExp(`^rerun after ${at.replace(/\./g, '\\.')} \\(in (59|60) min\\)`)),
        },
      });
      expect(github.requests.slice(from)).toHaveLength(1);
      expect(await keys('ci-user-api')).toEqual([{ id: before.api!.id, status: 'Active' }]);
    } finally {
      github.clearFaults();
    }
  });

  it('a user at the two-key limit: its inactive key is deleted first, never the one CI uses', async () => {
    await snapshot();
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: 'ci-user-ui' }));
    material.add(AccessKey!.AccessKeyId!).add(AccessKey!.SecretAccessKey!);
    await iam().send(new UpdateAccessKeyCommand({ UserName: 'ci-user-ui', AccessKeyId: AccessKey!.AccessKeyId!, Status: 'Inactive' }));
    const run = await rotate(['--repo', 'ui']);
    expect(run.code).toBe(0);
    expect(run.by.ui?.deletedKeys.map((k) => [k.status, k.why])).toEqual([
      ['Inactive', 'inactive-at-limit'],
      ['Active', 'replaced'],
    ]);
    const now = await keys('ci-user-ui');
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ status: 'Active', id: github.secrets('ui').AWS_ACCESS_KEY_ID });
    expect([before.ui!.id, AccessKey!.AccessKeyId]).not.toContain(now[0]!.id);
  });

  it('a user with two active keys fails, naming the keys by date, and nothing of it changes', async () => {
    await snapshot();
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: 'ci-user-ui' }));
    material.add(AccessKey!.AccessKeyId!).add(AccessKey!.SecretAccessKey!);
    repos.ui = { ...repos.ui!, files: { '.ci.yml': fixture('ui.ci.yml').replace('biomage-production', 'biomage-staging') } };
    publish();
    const from = github.requests.length;
    const run = await rotate(['--repo', 'ui', 'api']);
    expect(run.code).toBe(1);
    expect(run.by.ui?.result).toBe('failed');
    expect(run.by.ui?.errors[0]?.message).toMatch(
      /^ci-user-ui has two active access keys \(created \S+Z, never used; created \S+Z, never used\): rotate-ci cannot tell which one CI uses, and changed nothing$/,
    );
    expect(run.by.ui?.errors[0]?.hint).toMatch(/aws iam update-access-key --user-name ci-user-ui --access-key-id <that key> --status Inactive/);
    expect((await keys('ci-user-ui')).map((k) => k.id).sort()).toEqual([before.ui!.id, AccessKey!.AccessKeyId!].sort());
    expect(await policies('ci-user-ui')).toEqual(declared(fixture('ui.ci.yml'))); // the new policy was not deployed
    expect(github.requests.slice(from).filter((r) => r.method === 'PUT' && r.path.includes('/ui/'))).toEqual([]);
    expect(run.by.api).toMatchObject({ result: 'ok', keyRotated: true });
    await iam().send(new DeleteAccessKeyCommand({ UserName: 'ci-user-ui', AccessKeyId: AccessKey!.AccessKeyId! }));
    repos.ui = { ...repos.ui, files: { '.ci.yml': fixture('ui.ci.yml') } };
    publish();
  });

  it('a policy failing the IAM rules of biomage check fails its repository; its user keeps its policies and key', async () => {
    await snapshot();
    const policiesBefore = await policies('ci-user-api');
    repos.api = { name: 'api', files: { '.ci.yaml': fixture('wildcard.ci.yaml') } };
    publish();
    const run = await rotate(['--repo', 'api']);
    expect(run.code).toBe(1);
    expect(run.by.api?.errors.map((e) => e.message)).toEqual([
      'acme/api/.ci.yaml:8: ci-policies[0] (all-of-ecr) action ecr:* in statement 1 allows every ecr action [iam-wildcard-action]',
    ]);
    expect(await policies('ci-user-api')).toEqual(policiesBefore);
    expect((await keys('ci-user-api')).map((k) => k.id)).toEqual([before.api!.id]);
    repos.api = { name: 'api', files: { '.ci.yaml': fixture('api.ci.yaml') } };
    publish();
  });

  it('* on * is refused, unless --allow-admin names the repository', async () => {
    repos.ops = { name: 'ops', files: { '.ci.yaml': fixture('admin.ci.yaml') } };
    publish();
    const refused = await rotate(['--repo', 'ops']);
    expect(refused.code).toBe(1);
    expect(refused.by.ops?.errors[0]?.message).toBe(
      'acme/ops/.ci.yaml:6: ci-policies[0] (everything) statement 1 grants every action on every resource (administrator access); refused unless --allow-admin ops is given',
    );
    expect(await users()).not.toContain('ci-user-ops');

    const allowed = await rotate(['--repo', 'ops', '--allow-admin', 'ops']);
    expect(allowed.code).toBe(0);
    expect(allowed.by.ops?.notes).toEqual(['ci-policies[0] (everything) statement 1 grants every action on every resource (allowed by --allow-admin ops)']);
    expect(await policies('ci-user-ops')).toEqual({ everything: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } });
  });

  it('a user made outside the stack fails its repository before the stack is touched', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'ci-user-stray' }));
    repos.stray = { name: 'stray', files: { '.ci.yaml': fixture('ui.ci.yml') } };
    publish();
    const run = await rotate(['--repo', 'stray', 'api']);
    expect(run.code).toBe(1);
    expect(run.by.stray?.errors[0]?.message).toBe('IAM user ci-user-stray exists but is not part of biomage-ci-users: the stack cannot create it');
    expect(run.by.api).toMatchObject({ result: 'ok', keyRotated: true });
    expect(await keys('ci-user-stray')).toEqual([]);
    await iam().send(new DeleteUserCommand({ UserName: 'ci-user-stray' }));
    delete repos.stray;
    publish();
  });

  it('when the stack fails (IAM refuses a policy the rules let through), no key is rotated', async () => {
    await snapshot();
    const policiesBefore = await policies('ci-user-api');
    const refused = fixture('api.ci.yaml').replace(
      'Resource: arn:aws:eks:eu-west-1:123456789012:cluster/biomage-staging',
      'Resource: arn:aws:eks:eu-west-1:123456789012:cluster/biomage-staging\n          Condition: {NoSuchOperator: {aws:SourceIp: 10.0.0.1}}',
    );
    repos.api = { name: 'api', files: { '.ci.yaml': refused } };
    publish();
    const run = await rotate(['--repo', 'api']);
    expect(run.code).toBe(1);
    expect(run.report?.stack).toMatchObject({
      action: 'update',
      result: 'failed',
      error: { resource: 'CiUserapi14c2529eb4 (AWS::IAM::User)', reason: expect.stringContaining('MalformedPolicyDocument') },
    });
    expect(run.by.api).toMatchObject({ result: 'failed', keyRotated: false, policiesApplied: false });
    expect(run.by.api?.errors[0]?.message).toMatch(/^not applied: stack biomage-ci-users failed \(biomage-ci-users ended UPDATE_ROLLBACK_COMPLETE: rolled back\)$/);
    expect((await keys('ci-user-api')).map((k) => k.id)).toEqual([before.api!.id]);
    expect(await policies('ci-user-api')).toEqual(policiesBefore);
    repos.api = { name: 'api', files: { '.ci.yaml': fixture('api.ci.yaml') } };
    publish();
  });

  it('bad usage changes nothing: an unknown or archived --repo, --prune with --repo', async () => {
    const stackBefore = (await cfn().send(new GetTemplateCommand({ StackName: STACK }))).TemplateBody;
    const unknown = await rotate(['--repo', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--repo nope: acme has no repository of that name');
    const archived = await rotate(['--repo', 'old']);
    expect(archived.code).toBe(2);
    expect(archived.stderr).toContain('--repo old: acme/old is archived');
    const prune = await rotate(['--repo', 'api', '--prune']);
    expect(prune.code).toBe(2);
    expect((await cfn().send(new GetTemplateCommand({ StackName: STACK }))).TemplateBody).toBe(stackBefore);
  });

  it('production without --yes is refused before anything changes', async () => {
    await snapshot();
    const c = testContext('rotate-ci', { env: 'production', region: 'eu-west-1', json: true }, { ...process.env, ...definedEnv(env()) });
    await expect(rotateCiCommand(c.ctx, { org: ORG, repos: ['api'], allowAdmin: [], prune: false, cfn: cfn(), iam: iam() })).rejects.toBeInstanceOf(ConfirmationRequiredError);
    outputs.push(c.stdout(), c.stderr());
    expect(c.stderr()).toContain('api: policies unchanged; key rotated');
    expect((await keys('ci-user-api')).map((k) => k.id)).toEqual([before.api!.id]);
  });

  it('a repository archived since: its user is kept and reported, or with --prune deleted with its keys', async () => {
    repos.ops = { ...repos.ops!, archived: true };
    publish();
    const kept = await rotate([]);
    expect(kept.code).toBe(0);
    expect(kept.by.ops).toMatchObject({ result: 'kept', notes: ['ops is archived: ci-user-ops and its 1 key(s) are kept; rerun with --prune to remove them'] });
    expect(await users()).toContain('ci-user-ops');

    const pruned = await rotate(['--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.by.ops).toMatchObject({ result: 'pruned', policies: 'remove', deletedKeys: [{ status: 'Active', why: 'pruned' }] });
    expect(await users()).toEqual(['ci-user-api', 'ci-user-ui']);
  });

  it('no access key id, secret or token ever reached stdout, stderr or the --json output', async () => {
    await collectMaterial();
    expect(material.size).toBeGreaterThan(10);
    expect(outputs.join('').length).toBeGreaterThan(1000);
    for (const value of material) for (const output of outputs) expect(output.includes(value), `output holds ${value.slice(0, 4)}…`).toBe(false);
  });
});

function definedEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
