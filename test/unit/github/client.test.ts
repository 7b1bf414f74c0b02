import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GithubApiError, GithubClient, githubApiUrl, githubToken } from '../../../src/github/client.js';
import { loadSealer } from '../../../src/github/sealed-box.js';
import { UsageError } from '../../../src/ui/errors.js';
import { startFakeGithub, type FakeGithub, type FakeRepo } from '../../helpers/github-server.js';

const REPOS: FakeRepo[] = [
  { name: 'api', files: { '.ci.yaml': 'ci-policies: []\n' } },
  { name: 'ui', defaultBranch: 'develop', files: { '.ci.yml': 'x: 1\n' } },
  { name: 'old', archived: true },
  { name: 'docs' },
  { name: 'worker' },
];

describe('the GitHub REST client, against a fake GitHub on 127.0.0.1', () => {
  let github: FakeGithub;
  let client: GithubClient;
  beforeAll(async () => {
    github = await startFakeGithub({ org: 'acme', repos: REPOS, pageSize: 2 });
    client = new GithubClient({ token: github.token, baseUrl: new URL(github.url) });
  });
  afterAll(() => github.close());

  it('lists every page of the organisation (Link rel="next"), with archived flags and default branches', async () => {
    const repos = await client.listOrgRepos('acme');
    expect(repos.map((r) => [r.name, r.archived, r.defaultBranch])).toEqual([
      ['api', false, 'main'],
      ['ui', false, 'develop'],
      ['old', true, 'main'],
      ['docs', false, 'main'],
      ['worker', false, 'main'],
    ]);
    expect(github.requests.filter((r) => r.path === '/orgs/acme/repos')).toHaveLength(3);
  });

  it('reads a file from a branch; a missing file is undefined', async () => {
    expect(await client.getFile('acme', 'api', '.ci.yaml', 'main')).toBe('ci-policies: []\n');
    expect(await client.getFile('acme', 'ui', '.ci.yml', 'develop')).toBe('x: 1\n');
    expect(await client.getFile('acme', 'api', '.ci.yml', 'main')).toBeUndefined();
  });

  it('seals a secret so that the repository key opens it; 201 on creation, 204 on update', async () => {
    const seal = await loadSealer();
    const key = await client.getActionsPublicKey('acme', 'api');
    const put = () => client.putActionsSecret('acme', 'api', 'PLAIN', { encryptedValue: seal('s3cr3t value', key.key), keyId: key.keyId });
    expect(await put()).toBe(201);
    expect(await put()).toBe(204);
    expect(github.secrets('api')).toEqual({ PLAIN: 's3cr3t value' });
    expect(() => seal('x', Buffer.alloc(16).toString('base64'))).toThrow(/16 bytes, not 32/);
  });

  it('an error names the request, status and GitHub message, with a hint, and never the token', async () => {
    const wrong = new GithubClient({ token: 'ghp_not-the-right-one', baseUrl: new URL(github.url) });
    const error = await wrong.listOrgRepos('acme').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GithubApiError);
    expect(error).toMatchObject({ status: 401, message: 'GitHub GET /orgs/acme/repos: 401 Bad credentials', exitCode: 1 });
    expect((error as GithubApiError).hint).toMatch(/GITHUB_TOKEN/);
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('ghp_not-the-right-one');
    await expect(client.getActionsPublicKey('acme', 'nope')).rejects.toMatchObject({ status: 404 });
  });

  it('a PUT answered with anything but 201 or 204 is a failure', async () => {
    const fake = (status: number) => new GithubClient({ token: 't', baseUrl: new URL('https://api.example.com'), fetch: async () => new Response(null, { status }) });
    await expect(fake(200).putActionsSecret('o', 'r', 'S', { encryptedValue: 'x', keyId: 'k' })).rejects.toThrow(/unexpected status 200 \(expected 201 or 204\)/);
    await expect(fake(204).putActionsSecret('o', 'r', 'S', { encryptedValue: 'x', keyId: 'k' })).resolves.toBe(204);
  });

  it('does not follow a next-page link to another host (the token would go with it)', async () => {
    const seen: string[] = [];
    const client = new GithubClient({
      token: 't',
      baseUrl: new URL('https://api.example.com'),
      fetch: async (url) => {
        seen.push(url instanceof Request ? url.url : url.toString());
        return new Response('[]', { status: 200, headers: { link: '<https://evil.example.net/orgs/o/repos?page=2>; rel="next"' } });
      },
    });
    await expect(client.listOrgRepos('o')).rejects.toThrow(/the next page is on another host \(https:\/\/evil\.example\.net\)/);
    expect(seen).toEqual(['https://api.example.com/orgs/o/repos?per_page=100&type=all']);
  });
});

describe('token and API URL', () => {
  it('GITHUB_TOKEN, else GH_TOKEN; neither is bad usage naming both', () => {
    expect(githubToken({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b' })).toBe('a');
    expect(githubToken({ GH_TOKEN: 'b' })).toBe('b');
    expect(() => githubToken({ GITHUB_TOKEN: ' ' })).toThrow(UsageError);
    expect(() => githubToken({})).toThrow('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)');
  });

  it('GITHUB_API_URL defaults to api.github.com; plain http only on loopback', () => {
    expect(githubApiUrl({}).href).toBe('https://api.github.com/');
    expect(githubApiUrl({ GITHUB_API_URL: 'https://ghe.example.com/api/v3' }).href).toBe('https://ghe.example.com/api/v3');
    expect(githubApiUrl({ GITHUB_API_URL: 'http://127.0.0.1:9000' }).href).toBe('http://127.0.0.1:9000/');
    expect(() => githubApiUrl({ GITHUB_API_URL: 'http://github.example.com' })).toThrow(/must be https/);
    expect(() => githubApiUrl({ GITHUB_API_URL: 'not a url' })).toThrow(UsageError);
  });

  it('keeps a base path (GitHub Enterprise) when building request URLs', async () => {
    const seen: string[] = [];
    const client = new GithubClient({
      token: 't',
      baseUrl: new URL('https://ghe.example.com/api/v3'),
      fetch: async (url) => {
        seen.push(url instanceof Request ? url.url : url.toString());
        return new Response(JSON.stringify({ key_id: 'k', key: 'a' }), { status: 200 });
      },
    });
    await client.getActionsPublicKey('o', 'r');
    expect(seen).toEqual(['https://ghe.example.com/api/v3/repos/o/r/actions/secrets/public-key']);
  });
});
