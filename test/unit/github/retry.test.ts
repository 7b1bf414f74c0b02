import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GithubApiError, GithubClient, type RetryNotice, type RetryOptions } from '../../../src/github/client.js';
import { faults, startFakeGithub, type FakeGithub } from '../../helpers/github-server.js';

const ORG = 'acme';
const START = Date.parse('2026-03-01T10:00:00.000Z');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRETRYRETRYRETRYRETRYRETRYRETRYRETRYRETRY';

/**
 * Retries against the fake GitHub, which injects GitHub's bad moments. Nothing really waits: the
 * client's sleep is injected and moves a fake clock, so each wait GitHub asked for is asserted
 * exactly, and a rate limit's reset time is relative to that clock.
 */
describe('the GitHub client survives GitHub', () => {
  let github: FakeGithub;
  let clock: number;
  let slept: number[];
  let notices: RetryNotice[];
  const client = (retry: RetryOptions = {}) =>
    new GithubClient({
      token: github.token,
      baseUrl: new URL(github.url),
      retry: {
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
        now: () => clock,
        random: () => 0.5,
        onRetry: (notice) => notices.push(notice),
        ...retry,
      },
    });
  const hits = (method: string, path: string) => github.requests.filter((r) => r.method === method && r.path === path);
  const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('it should fail'), (error: unknown) => error as GithubApiError);

  beforeAll(async () => {
    github = await startFakeGithub({ org: ORG, repos: [{ name: 'api' }, { name: 'ui' }, { name: 'docs' }], pageSize: 2 });
  });
  afterAll(() => github.close());
  beforeEach(() => {
    clock = START;
    slept = [];
    notices = [];
    github.requests.length = 0;
  });
  afterEach(() => github.clearFaults());

  describe('one success after the retries', () => {
    it('a 502 is retried after a backoff, and the listing goes on to its next page', async () => {
      github.inject({ method: 'GET', path: '/orgs/acme/repos', ...faults.badGateway() });
      expect((await client().listOrgRepos(ORG)).map((r) => r.name)).toEqual(['api', 'ui', 'docs']);
      // Equal jitter: half of the 500 ms step, plus half of the rest (random 0.5).
      expect(slept).toEqual([375]);
      expect(hits('GET', '/orgs/acme/repos').map((r) => r.fault)).toEqual([502, undefined, undefined]);
      expect(notices).toEqual([
        { request: 'GET /orgs/acme/repos', attempt: 1, waitMs: 375, message: '502 Server Error; retrying in 0.4 s (attempt 2 of 4)' },
      ]);
    });

    it('a secondary rate limit (403 with retry-after) waits exactly as long as GitHub asks', async () => {
      github.inject({ path: '/repos/acme/api/actions/secrets/public-key', ...faults.secondaryRateLimit(1) });
      expect(await client().getActionsPublicKey(ORG, 'api')).toMatchObject({ keyId: expect.any(String) });
      expect(slept).toEqual([1000]);
      expect(notices[0]?.message).toBe('403 You have exceeded a secondary rate limit. Please wait a few minutes before you try again.; secondary rate limit; retrying in 1.0 s (attempt 2 of 4)');
    });

    it.each([403, 429] as const)('a used-up primary limit (%i, x-ratelimit-remaining: 0) waits until x-ratelimit-reset, plus a second', async (status) => {
      github.inject({ path: '/meta', ...faults.primaryRateLimit(START / 1000 + 30, 1, status) });
      expect(await client().sshHostKeys()).toEqual(github.sshHostKeys);
      expect(slept).toEqual([31_000]);
      expect(hits('GET', '/meta')).toHaveLength(2);
    });

    it('a connection dropped without an answer: a GET and a PUT (safe to repeat) are sent again', async () => {
      github.inject({ method: 'GET', path: '/repos/acme/api/actions/secrets/public-key', ...faults.dropped() });
      const key = await client().getActionsPublicKey(ORG, 'api');
      github.inject({ method: 'PUT', path: '/repos/acme/api/actions/secrets/S', ...faults.dropped(), afterApplying: true });
      // The first PUT was applied, its answer lost: the repeat finds the secret and updates it.
      const { loadSealer } = await import('../../../src/github/sealed-box.js');
      const seal = await loadSealer();
      expect(await client().putActionsSecret(ORG, 'api', 'S', { encryptedValue: seal('value', key.key), keyId: key.keyId })).toBe(204);
      expect(github.secrets('api')).toMatchObject({ S: 'value' });
      expect(slept).toEqual([375, 375]);
    });

    it('backoff doubles per attempt, at most maxDelayMs, with jitter between half and all of the step', async () => {
      github.inject({ path: '/meta', ...faults.badGateway(6) });
      await client({ maxAttempts: 7, random: () => 1 }).sshHostKeys();
      expect(slept).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
      slept = [];
      github.inject({ path: '/meta', ...faults.badGateway(2) });
      await client({ random: () => 0 }).sshHostKeys();
      expect(slept).toEqual([250, 500]);
    });
  });

  describe('a clear failure when the bound is reached', () => {
    it('a 502 that persists: 4 attempts, then an error naming the request (exit 1)', async () => {
      github.inject({ path: '/orgs/acme/repos', ...faults.badGateway(Infinity) });
      const error = await failure(client().listOrgRepos(ORG));
      expect(error).toBeInstanceOf(GithubApiError);
      expect(error).toMatchObject({ status: 502, exitCode: 1, transient: true, message: 'GitHub GET /orgs/acme/repos: 502 Server Error (4 attempts over 2.6 s)' });
      expect(error.hint).toMatch(/githubstatus/);
      expect(slept).toEqual([375, 750, 1500]);
      expect(hits('GET', '/orgs/acme/repos')).toHaveLength(4);
    });

    it('no answer at all, persisting: the same bound, the origin named', async () => {
      github.inject({ path: '/meta', ...faults.dropped(Infinity) });
      const error = await failure(client().sshHostKeys());
      expect(error.message).toMatch(/^GitHub GET \/meta: no answer from http:\/\/127\.0\.0\.1:\d+ \(\w+\) \(4 attempts over 2\.6 s\)$/);
      expect(error.status).toBeUndefined();
    });

    it('a secondary limit that persists: 4 attempts, each waiting retry-after, then an error saying it was the rate', async () => {
      github.inject({ path: '/meta', ...faults.secondaryRateLimit(1, Infinity) });
      const error = await failure(client().sshHostKeys());
      expect(error).toMatchObject({ status: 403, exitCode: 1 });
      expect(error.message).toBe('GitHub GET /meta: 403 You have exceeded a secondary rate limit. Please wait a few minutes before you try again. (secondary rate limit; 4 attempts over 3.0 s)');
      expect(error.hint).toMatch(/secondary rate limit: wait a few minutes, then rerun/);
      expect(slept).toEqual([1000, 1000, 1000]);
    });

    it('a primary limit resetting beyond the bound fails at once: the limit, when it resets, and when to rerun', async () => {
      github.inject({ path: '/orgs/acme/repos', ...faults.primaryRateLimit(START / 1000 + 3600) });
      const error = await failure(client().listOrgRepos(ORG));
      expect(error).toMatchObject({ status: 403, exitCode: 1 });
      expect(error.message).toBe(
        'GitHub GET /orgs/acme/repos: 403 API rate limit exceeded for user ID 1: the primary rate limit is used up until 2026-03-01T11:00:00.000Z, longer than biomage waits for one request (120 s)',
      );
      expect(error.hint).toBe('rerun after 2026-03-01T11:00:00.000Z (in 60 min); each token has its own limit, so another token works sooner');
      expect(slept).toEqual([]);
      expect(hits('GET', '/orgs/acme/repos')).toHaveLength(1);
    });

    it('a secondary limit asking for more than is left of the bound fails at once, counting what was already waited', async () => {
      github.inject({ path: '/meta', ...faults.secondaryRateLimit(60) });
      github.inject({ path: '/meta', ...faults.secondaryRateLimit(90) });
      const error = await failure(client().sshHostKeys());
      expect(error.message).toBe(
        'GitHub GET /meta: 403 You have exceeded a secondary rate limit. Please wait a few minutes before you try again: GitHub asks to wait 90 s (secondary rate limit), until 2026-03-01T10:02:30.000Z, longer than biomage waits for one request (120 s, 60 s of it spent)',
      );
      expect(error.hint).toBe('rerun after 2026-03-01T10:02:30.000Z (in 90 s); fewer runs at once with this token avoid the secondary limit');
      expect(slept).toEqual([60_000]);
    });

    it('a failed write says whether it may have been applied: only when some attempt got a 502 or no answer', async () => {
      const put = () => client().putActionsSecret(ORG, 'api', 'S', { encryptedValue: 'x', keyId: 'k' });
      github.inject({ method: 'PUT', path: '/repos/acme/api/actions/secrets/S', times: 1, status: 403, message: 'Resource not accessible' });
      expect(await failure(put())).toMatchObject({ status: 403, mayHaveApplied: false, transient: false });
      github.inject({ method: 'PUT', path: '/repos/acme/api/actions/secrets/S', ...faults.dropped() });
      github.inject({ method: 'PUT', path: '/repos/acme/api/actions/secrets/S', times: 1, status: 403, message: 'Resource not accessible' });
      expect(await failure(put())).toMatchObject({ status: 403, mayHaveApplied: true, transient: false });
      github.inject({ method: 'PUT', path: '/repos/acme/api/actions/secrets/S', ...faults.badGateway(Infinity) });
      expect(await failure(put())).toMatchObject({ status: 502, mayHaveApplied: true, transient: true });
    });

    it('a 429 without any header is a secondary limit: a minute, as GitHub advises', async () => {
      github.inject({ path: '/meta', times: 1, status: 429, message: 'Too Many Requests' });
      await client().sshHostKeys();
      expect(slept).toEqual([60_000]);
    });

    it('not retried: a 403 that is a permission, a 500 (GitHub failing on this request), a 404, a 422', async () => {
      for (const status of [403, 500, 404, 422]) {
        github.inject({ path: '/meta', times: 1, status, message: 'nope' });
        await expect(client().sshHostKeys()).rejects.toMatchObject({ status, message: `GitHub GET /meta: ${status} nope` });
      }
      expect(slept).toEqual([]);
      expect(hits('GET', '/meta')).toHaveLength(4);
    });
  });

  describe('a deploy key POST is never repeated blindly', () => {
    const add = () => client().addDeployKey(ORG, 'ui', { title: 'biomage-flux-staging now', key: KEY, readOnly: false });
    const posts = () => hits('POST', '/repos/acme/ui/keys').length;
    it('a 502 after GitHub stored the key: the key is found in the listing, not posted again', async () => {
      github.inject({ method: 'POST', path: '/repos/acme/ui/keys', ...faults.badGateway(), afterApplying: true });
      const id = await add();
      expect(github.deployKeys('ui').filter((k) => k.key === KEY)).toEqual([expect.objectContaining({ id })]);
      expect(posts()).toBe(1);
      expect(slept).toEqual([]);
      await client().deleteDeployKey(ORG, 'ui', id);
    });

    it('a lost answer before GitHub stored it: the listing shows no key, so it is posted again after a backoff', async () => {
      github.inject({ method: 'POST', path: '/repos/acme/ui/keys', ...faults.dropped() });
      const id = await add();
      expect(github.deployKeys('ui').filter((k) => k.key === KEY)).toEqual([expect.objectContaining({ id })]);
      expect(posts()).toBe(2);
      expect(slept).toEqual([375]);
      await client().deleteDeployKey(ORG, 'ui', id);
    });

    it('a rate limit refused the POST (nothing stored): it waits and posts again', async () => {
      github.inject({ method: 'POST', path: '/repos/acme/ui/keys', ...faults.secondaryRateLimit(2) });
      const id = await add();
      expect(github.deployKeys('ui').filter((k) => k.key === KEY)).toHaveLength(1);
      expect(slept).toEqual([2000]);
      await client().deleteDeployKey(ORG, 'ui', id);
    });

    it('a 502 that persists: 4 POSTs at most, each after a listing, then a clear error', async () => {
      github.inject({ method: 'POST', path: '/repos/acme/ui/keys', ...faults.badGateway(Infinity) });
      const error = await failure(add());
      expect(error.message).toBe('GitHub POST /repos/acme/ui/keys: 502 Server Error (4 attempts over 2.6 s)');
      expect(posts()).toBe(4);
      expect(hits('GET', '/repos/acme/ui/keys')).toHaveLength(4);
      expect(github.deployKeys('ui')).toEqual([]);
    });
  });

  describe('the token goes only to the API origin', () => {
    it('retries carry it to the API; a redirect to another origin does not', async () => {
      const other = await startFakeGithub({ org: ORG, repos: [] });
      try {
        // Another origin (localhost is not 127.0.0.1 to the browser-style origin rule fetch applies).
        const elsewhere = other.url.replace('127.0.0.1', 'localhost');
        github.inject({ path: '/meta', ...faults.badGateway() });
        github.inject({ path: '/meta', times: 1, status: 307, headers: { location: `${elsewhere}/meta` } });
        const error = await failure(client().sshHostKeys());
        expect(error.status).toBe(401);
        expect(hits('GET', '/meta').map((r) => [r.fault, r.authorized])).toEqual([
          [502, true],
          [307, true],
        ]);
        expect(other.requests).toEqual([{ method: 'GET', path: '/meta', authorized: false }]);
      } finally {
        await other.close();
      }
    });
  });
});
