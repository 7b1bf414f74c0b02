import { biomageVersion } from '../paths.js';
import { OperationError, UsageError } from '../ui/errors.js';
import { keyBody } from './ssh-key.js';

/**
 * A small client for the few GitHub REST endpoints biomage uses, on Node's own fetch. The token
 * is sent only to the configured API origin (never to a host a Link header names; fetch drops it
 * on a redirect to another origin) and never appears in an error message.
 *
 * It survives GitHub's bad moments, within a bound (RetryOptions): a 502/503/504 or no answer is
 * retried with exponential backoff and jitter, but only for requests that are safe to repeat
 * (GET, PUT, DELETE; a POST is retried by its method only after checking it did not land); a
 * secondary rate limit waits `retry-after`; a used-up primary limit waits until
 * `x-ratelimit-reset`. A wait longer than the bound fails at once, saying when to rerun.
 * Rolling our own (~100 lines) rather than Octokit keeps `biomage --help` lazy and leaves the
 * origin rule where we can see it.
 */

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';
export const GITHUB_API_VERSION = '2022-11-28';
const TOKEN_VARIABLES = ['GITHUB_TOKEN', 'GH_TOKEN'] as const;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const TIMEOUT_MS = 30_000;

/** The token from GITHUB_TOKEN (or GH_TOKEN); missing is bad usage, reported before any call. */
export function githubToken(env: NodeJS.ProcessEnv): string {
  for (const name of TOKEN_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  throw new UsageError('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)', {
    hint: 'a token that can read the repositories and write their Actions secrets (docs/runbooks/rotate-ci.md); never pass it as a flag',
  });
}

/** GITHUB_API_URL, or api.github.com. Plain http only on loopback: the token must not travel in clear. */
export function githubApiUrl(env: NodeJS.ProcessEnv): URL {
  const text = env.GITHUB_API_URL?.trim() || DEFAULT_GITHUB_API_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`GITHUB_API_URL is not a URL: ${text}`, { hint: `unset it for ${DEFAULT_GITHUB_API_URL}, or give the API's base URL` });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new UsageError(`GITHUB_API_URL must be https (plain http only on 127.0.0.1): ${url.origin}`, {
      hint: 'the token is sent with every request',
    });
  }
  return url;
}

/** A GitHub call that failed: the request (method, path), the status, and GitHub's message. */
export class GithubApiError extends OperationError {
  /** Set when the failure may pass by itself (a 502/503/504 or no answer), whether or not it was retried. */
  transient = false;
  /**
   * Set when some attempt of this request got a 502/503/504 or no answer: a write may have been
   * applied even though the request failed. Unset, a status means GitHub refused it, nothing changed.
   */
  mayHaveApplied = false;

  constructor(
    readonly request: string,
    /** Undefined when no answer came (network, timeout). */
    readonly status: number | undefined,
    /** What went wrong, without the request: `502 Bad Gateway`. */
    readonly detail: string,
    hint: string,
    cause?: unknown,
  ) {
    super(`GitHub ${request}: ${detail}`, { hint, ...(cause === undefined ? {} : { cause }) });
  }
}

/** How hard the client tries before a failure is reported. Each request has its own bound. */
export interface RetryOptions {
  /** Attempts of one request, the first included (default 4). */
  maxAttempts?: number;
  /** The longest one request may spend waiting between attempts, in all (default 120 s). */
  maxWaitMs?: number;
  /** Backoff after the first 5xx or lost answer (default 500 ms), doubled each time up to maxDelayMs (default 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected by tests so nothing really waits; the clock must move with it for rate limit resets. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Told before every wait, so a command can say why it paused (never carries the token). */
  onRetry?: (notice: RetryNotice) => void;
}

export interface RetryNotice {
  request: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  waitMs: number;
  /** `502 Bad Gateway; retrying in 0.4 s (attempt 2 of 4)` */
  message: string;
}

export const RETRY_DEFAULTS = { maxAttempts: 4, maxWaitMs: 120_000, baseDelayMs: 500, maxDelayMs: 8_000 } as const;
/** GitHub's advice when a secondary limit names no `retry-after`: wait at least a minute. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;
/** Gateway failures that say nothing about the request itself. A 500 is GitHub's own error on this request: not retried. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

export interface GithubRepository {
  name: string;
  archived: boolean;
  defaultBranch: string;
}

export interface ActionsPublicKey {
  keyId: string;
  /** Base64 of the repository's 32-byte Curve25519 public key. */
  key: string;
}

/** A deploy key of a repository, as GitHub lists it. */
export interface DeployKey {
  id: number;
  title: string;
  /** `ssh-ed25519 AAAA…`, without a comment. */
  key: string;
  readOnly: boolean;
}

export interface GithubClientOptions {
  token: string;
  baseUrl: URL;
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

/** What one attempt came to. */
type Outcome =
  | { kind: 'ok'; response: Response }
  | { kind: 'failed'; error: GithubApiError }
  /** A gateway error or no answer: may pass, but a POST may have been applied. */
  | { kind: 'transient'; error: GithubApiError }
  /** GitHub refused for the rate: nothing was applied, so any method may wait and repeat. */
  | { kind: 'rate-limited'; error: GithubApiError; limit: 'primary' | 'secondary'; waitMs: number; resetAt?: number };

export class GithubClient {
  private readonly base: URL;
  private readonly fetch: typeof fetch;
  private readonly userAgent = `biomage/${biomageVersion()}`;
  private readonly retry: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

  constructor(private readonly options: GithubClientOptions) {
    // Paths are appended to the base: keep a trailing slash so `/api/v3` (GitHub Enterprise) stays.
    this.base = new URL(options.baseUrl.href.endsWith('/') ? options.baseUrl.href : `${options.baseUrl.href}/`);
    this.fetch = options.fetch ?? globalThis.fetch;
    const retry = options.retry ?? {};
    this.retry = {
      maxAttempts: Math.max(1, retry.maxAttempts ?? RETRY_DEFAULTS.maxAttempts),
      maxWaitMs: retry.maxWaitMs ?? RETRY_DEFAULTS.maxWaitMs,
      baseDelayMs: retry.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs,
      maxDelayMs: retry.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs,
      sleep: retry.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: retry.now ?? Date.now,
      random: retry.random ?? Math.random,
      onRetry: retry.onRetry,
    };
  }

  /** The organisation's repositories, every page. */
  async listOrgRepos(org: string): Promise<GithubRepository[]> {
    const repos: GithubRepository[] = [];
    let url: URL | undefined = this.url(`orgs/${encodeURIComponent(org)}/repos`, { per_page: '100', type: 'all' });
    while (url) {
      const response = await this.send('GET', url, `GET /orgs/${org}/repos`);
      const page = await this.json(response, `GET /orgs/${org}/repos`);
      if (!Array.isArray(page)) throw this.malformed(`GET /orgs/${org}/repos`, 'a list of repositories');
      for (const item of page as ({ name?: unknown; archived?: unknown; default_branch?: unknown } | null)[]) {
        if (typeof item?.name !== 'string') throw this.malformed(`GET /orgs/${org}/repos`, 'repositories with names');
        repos.push({
          name: item.name,
          archived: item.archived === true,
          defaultBranch: typeof item.default_branch === 'string' ? item.default_branch : 'main',
        });
      }
      url = this.nextPage(response.headers.get('link'));
    }
    return repos;
  }

  /** A file's text on a branch; undefined when there is no such file. */
  async getFile(owner: string, repo: string, path: string, ref: string): Promise<string | undefined> {
    const request = `GET /repos/${owner}/${repo}/contents/${path}`;
    const url = this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/contents/${path.split('/').map(encodeURIComponent).join('/')}`, { ref });
    const response = await this.send('GET', url, request, [404]);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await this.json(response, request)) as { type?: unknown; encoding?: unknown; content?: unknown } | unknown[] | null;
    if (Array.isArray(body) || body?.type !== 'file') throw new GithubApiError(request, response.status, `${path} is not a file`, `make ${path} a file at the root of ${repo}`);
    // The JSON form carries files up to 1 MB inline; a CI config is a few hundred bytes.
    if (body.encoding !== 'base64' || typeof body.content !== 'string') {
      throw new GithubApiError(request, response.status, `${path} is too large to read`, `keep ${path} small: it lists IAM policies`);
    }
    return Buffer.from(body.content, 'base64').toString('utf8');
  }

  /** The key GitHub wants Actions secrets of this repository sealed with. */
  async getActionsPublicKey(owner: string, repo: string): Promise<ActionsPublicKey> {
    const request = `GET /repos/${owner}/${repo}/actions/secrets/public-key`;
    const response = await this.send('GET', this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/secrets/public-key`), request);
    const body = (await this.json(response, request)) as { key_id?: unknown; key?: unknown } | null;
    if (typeof body?.key_id !== 'string' || typeof body.key !== 'string') throw this.malformed(request, 'key_id and key');
    return { keyId: body.key_id, key: body.key };
  }

  /**
   * Create or replace an Actions secret with a value already sealed for the repository's key.
   * Resolves with GitHub's status only when it is 201 (created) or 204 (updated); anything else
   * is an error, so a caller that got a status knows the secret was stored.
   */
  async putActionsSecret(owner: string, repo: string, name: string, sealed: { encryptedValue: string; keyId: string }): Promise<201 | 204> {
    const request = `PUT /repos/${owner}/${repo}/actions/secrets/${name}`;
    const url = this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/secrets/${encodeURIComponent(name)}`);
    const response = await this.send('PUT', url, request, [], { encrypted_value: sealed.encryptedValue, key_id: sealed.keyId });
    await response.body?.cancel();
    if (response.status !== 201 && response.status !== 204) {
      throw new GithubApiError(request, response.status, `unexpected status ${response.status} (expected 201 or 204)`, 'the secret may not be stored: rerun');
    }
    return response.status;
  }

  /** The repository's deploy keys, every page. */
  async listDeployKeys(owner: string, repo: string): Promise<DeployKey[]> {
    const request = `GET /repos/${owner}/${repo}/keys`;
    const keys: DeployKey[] = [];
    let url: URL | undefined = this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/keys`, { per_page: '100' });
    while (url) {
      const response = await this.send('GET', url, request);
      const page = await this.json(response, request);
      if (!Array.isArray(page)) throw this.malformed(request, 'a list of deploy keys');
      for (const item of page as ({ id?: unknown; title?: unknown; key?: unknown; read_only?: unknown } | null)[]) {
        if (typeof item?.id !== 'number' || typeof item.key !== 'string') throw this.malformed(request, 'deploy keys with ids');
        keys.push({ id: item.id, title: typeof item.title === 'string' ? item.title : '', key: item.key, readOnly: item.read_only !== false });
      }
      url = this.nextPage(response.headers.get('link'));
    }
    return keys;
  }

  /**
   * Register a public key on the repository; its id. A POST is not repeated blindly: after a
   * 502/503/504 or no answer GitHub may have stored the key, and posting it again would be
   * refused (422 key is already in use). So the keys are listed first, and a key already there
   * is the answer; only when it is absent is the POST sent again, within the same bound.
   */
  async addDeployKey(owner: string, repo: string, key: { title: string; key: string; readOnly: boolean }): Promise<number> {
    const request = `POST /repos/${owner}/${repo}/keys`;
    const url = this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/keys`);
    const tries = this.tries();
    for (;;) {
      let response: Response;
      try {
        response = await this.send('POST', url, request, [], { title: key.title, key: key.key, read_only: key.readOnly }, tries);
      } catch (error) {
        if (!(error instanceof GithubApiError) || !error.transient) throw error;
        const landed = (await this.listDeployKeys(owner, repo)).find((k) => keyBody(k.key) === keyBody(key.key));
        if (landed) return landed.id;
        await tries.wait({ kind: 'transient', error });
        continue;
      }
      const body = (await this.json(response, request)) as { id?: unknown } | null;
      if (typeof body?.id !== 'number') throw this.malformed(request, 'the new key id');
      return body.id;
    }
  }

  /** Remove a deploy key; one already gone is fine. */
  async deleteDeployKey(owner: string, repo: string, id: number): Promise<void> {
    const request = `DELETE /repos/${owner}/${repo}/keys/${id}`;
    const url = this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/keys/${id}`);
    const response = await this.send('DELETE', url, request, [404]);
    await response.body?.cancel();
  }

  /** GitHub's SSH host keys (`ssh-ed25519 AAAA…`, …), from its meta endpoint: what known_hosts must trust. */
  async sshHostKeys(): Promise<string[]> {
    const request = 'GET /meta';
    const response = await this.send('GET', this.url('meta'), request);
    const body = (await this.json(response, request)) as { ssh_keys?: unknown } | null;
    if (!Array.isArray(body?.ssh_keys) || !body.ssh_keys.every((k) => typeof k === 'string') || !body.ssh_keys.length) {
      throw this.malformed(request, 'ssh_keys');
    }
    return body.ssh_keys;
  }

  private url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  /** The `rel="next"` link, followed only on the API's own origin (the token goes with it). */
  private nextPage(link: string | null): URL | undefined {
    const next = link
      ?.split(',')
      .map((part) => /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part.trim()))
      .find((match) => match?.[2]?.split(/\s+/).includes('next'));
    if (!next?.[1]) return undefined;
    const url = new URL(next[1], this.base);
    if (url.origin !== this.base.origin) {
      throw new GithubApiError('pagination', undefined, `the next page is on another host (${url.origin})`, 'check GITHUB_API_URL');
    }
    return url;
  }

  /**
   * One request, retried within the bound as the comment at the top says; a status outside 2xx (and
   * not in `accepted`) becomes a GithubApiError with a hint. A POST is not retried after a 5xx or
   * a lost answer (it may have been applied): its error is marked `transient` for the caller.
   */
  private async send(method: string, url: URL, request: string, accepted: number[] = [], body?: unknown, tries = this.tries()): Promise<Response> {
    let uncertain = false;
    try {
      for (;;) {
        const outcome = await this.attempt(method, url, request, accepted, body);
        if (outcome.kind === 'ok') return outcome.response;
        uncertain ||= outcome.kind === 'transient';
        if (outcome.kind === 'failed' || (outcome.kind === 'transient' && method === 'POST')) throw outcome.error;
        await tries.wait(outcome);
      }
    } catch (error) {
      if (uncertain && error instanceof GithubApiError) error.mayHaveApplied = true;
      throw error;
    }
  }

  private async attempt(method: string, url: URL, request: string, accepted: number[], body?: unknown): Promise<Outcome> {
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'x-github-api-version': GITHUB_API_VERSION,
          'user-agent': this.userAgent,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      const failure = new GithubApiError(request, undefined, `no answer from ${this.base.origin} (${cause})`, 'check the network and GITHUB_API_URL, then rerun', error);
      failure.transient = true;
      return { kind: 'transient', error: failure };
    }
    if (response.ok || accepted.includes(response.status)) return { kind: 'ok', response };
    const message = await errorMessage(response);
    const error = new GithubApiError(request, response.status, `${response.status} ${message}`, hintFor(response, message), undefined);
    if (TRANSIENT_STATUSES.has(response.status)) {
      error.transient = true;
      return { kind: 'transient', error };
    }
    const limit = rateLimit(response, message, this.retry.now());
    return limit ? { kind: 'rate-limited', error, ...limit } : { kind: 'failed', error };
  }

  /** The bound of one request: attempts made, time waited, and the wait before the next attempt. */
  private tries() {
    const retry = this.retry;
    let attempts = 1;
    let waited = 0;
    const spent = () => `${attempts} attempt${attempts === 1 ? '' : 's'} over ${seconds(waited)}`;
    return {
      /** Wait before the next attempt, or throw the error (with the bound it hit) when none may follow. */
      async wait(outcome: Exclude<Outcome, { kind: 'ok' } | { kind: 'failed' }>): Promise<void> {
        const { error } = outcome;
        const why = outcome.kind === 'rate-limited' ? `${outcome.limit} rate limit; ` : '';
        if (attempts >= retry.maxAttempts) throw rebuilt(error, `${error.detail} (${why}${spent()})`, error.hint);
        let ms: number;
        if (outcome.kind === 'rate-limited') {
          ms = outcome.waitMs;
        } else {
          // Exponential with "equal jitter": at least half the step, so retries stay apart,
          // and a random rest, so many clients failing together do not retry together.
          const step = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempts - 1));
          ms = Math.round(step / 2 + retry.random() * (step / 2));
        }
        if (waited + ms > retry.maxWaitMs) {
          const atMs = outcome.kind === 'rate-limited' && outcome.resetAt ? outcome.resetAt : retry.now() + ms;
          const at = new Date(atMs).toISOString();
          const wait = minutes(Math.max(0, atMs - retry.now()));
          const bound = `${seconds(retry.maxWaitMs)}${waited ? `, ${seconds(waited)} of it spent` : ''}`;
          if (outcome.kind === 'rate-limited') {
            const what = outcome.limit === 'primary' ? `the primary rate limit is used up until ${at}` : `GitHub asks to wait ${seconds(ms)} (secondary rate limit), until ${at}`;
            throw rebuilt(
              error,
              `${error.detail.replace(/\.$/, '')}: ${what}, longer than biomage waits for one request (${bound})`,
              outcome.limit === 'primary'
                ? `rerun after ${at} (in ${wait}); each token has its own limit, so another token works sooner`
                : `rerun after ${at} (in ${wait}); fewer runs at once with this token avoid the secondary limit`,
            );
          }
          throw rebuilt(error, `${error.detail} (${spent()}; the next wait would pass ${seconds(retry.maxWaitMs)})`, error.hint);
        }
        attempts += 1;
        const message = `${error.detail}; ${why}retrying in ${seconds(ms)} (attempt ${attempts} of ${retry.maxAttempts})`;
        retry.onRetry?.({ request: error.request, attempt: attempts - 1, waitMs: ms, message });
        await retry.sleep(ms);
        waited += ms;
      },
    };
  }

  private async json(response: Response, request: string): Promise<unknown> {
    try {
      return await response.json();
    } catch (error) {
      throw new GithubApiError(request, response.status, 'the answer is not JSON', 'check GITHUB_API_URL points at the GitHub REST API', error);
    }
  }

  private malformed(request: string, expected: string): GithubApiError {
    return new GithubApiError(request, undefined, `the answer does not hold ${expected}`, 'check GITHUB_API_URL points at the GitHub REST API');
  }
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown } | null;
    return typeof body?.message === 'string' ? body.message : response.statusText;
  } catch {
    return response.statusText;
  }
}

/**
 * Whether GitHub refused for the rate, and how long it asks to wait (its documented order):
 * `retry-after` when present; else, with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset`
 * (plus a second for clock skew); else a 429, or a 403 that says "secondary rate limit", waits a
 * minute. Any other 403 is a permission problem, not retried.
 */
function rateLimit(response: Response, message: string, now: number): { limit: 'primary' | 'secondary'; waitMs: number; resetAt?: number } | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const primary = response.headers.get('x-ratelimit-remaining') === '0';
  const limit = primary ? 'primary' : 'secondary';
  const after = response.headers.get('retry-after');
  if (after !== null) {
    const secs = Number(after);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(after) - now;
    if (Number.isFinite(ms)) return { limit, waitMs: Math.max(0, Math.ceil(ms)) };
  }
  const reset = Number(response.headers.get('x-ratelimit-reset'));
  if (primary && reset > 0) return { limit, waitMs: Math.max(0, reset * 1000 - now) + 1000, resetAt: reset * 1000 };
  if (response.status === 429 || /secondary rate limit|abuse/i.test(message)) return { limit: 'secondary', waitMs: SECONDARY_LIMIT_WAIT_MS };
  return undefined;
}

/** The same failure with a new detail and hint; `transient` kept. */
function rebuilt(error: GithubApiError, detail: string, hint: string | undefined): GithubApiError {
  const next = new GithubApiError(error.request, error.status, detail, hint ?? '', error.cause);
  next.transient = error.transient;
  next.mayHaveApplied = error.mayHaveApplied;
  return next;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function minutes(ms: number): string {
  return ms < 120_000 ? seconds(ms) : `${Math.ceil(ms / 60_000)} min`;
}

function hintFor(response: Response, message: string): string {
  if (response.status === 401) return 'GitHub refused the token: check GITHUB_TOKEN (or GH_TOKEN) is valid and not expired';
  if ((response.status === 403 || response.status === 429) && response.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    return `GitHub's rate limit is used up${reset ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: rerun after that`;
  }
  if (response.status === 429 || (response.status === 403 && (response.headers.has('retry-after') || /secondary rate limit|abuse/i.test(message)))) {
    return "GitHub's secondary rate limit: wait a few minutes, then rerun; fewer runs at once with this token avoid it";
  }
  if (response.status === 403) return 'the token lacks a permission: it needs Contents read and Secrets read/write on the repositories (docs/runbooks/rotate-ci.md)';
  if (response.status === 404) return 'not found, or the token cannot see it: check the organisation and repository names and the token scope';
  return 'rerun; if it persists, check https://www.githubstatus.com';
}
