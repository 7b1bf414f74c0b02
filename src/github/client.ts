import { biomageVersion } from '../paths.js';
import { OperationError, UsageError } from '../ui/errors.js';

/**
 * A small client for the few GitHub REST endpoints biomage uses, on Node's own fetch. The token
 * is sent only to the configured API origin (never to a host a Link header names) and never
 * appears in an error message.
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
  constructor(
    readonly request: string,
    /** Undefined when no answer came (network, timeout). */
    readonly status: number | undefined,
    message: string,
    hint: string,
    cause?: unknown,
  ) {
    super(`GitHub ${request}: ${message}`, { hint, ...(cause === undefined ? {} : { cause }) });
  }
}

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
}

export class GithubClient {
  private readonly base: URL;
  private readonly fetch: typeof fetch;
  private readonly userAgent = `biomage/${biomageVersion()}`;

  constructor(private readonly options: GithubClientOptions) {
    // Paths are appended to the base: keep a trailing slash so `/api/v3` (GitHub Enterprise) stays.
    this.base = new URL(options.baseUrl.href.endsWith('/') ? options.baseUrl.href : `${options.baseUrl.href}/`);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The organisation's repositories, every page. */
  async listOrgRepos(org: string): Promise<GithubRepository[]> {
    const repos: GithubRepository[] = [];
    let url: URL | undefined = this.url(`orgs/${encodeURIComponent(org)}/repos`, { per_page: '100', type: 'all' });
    while (url) {
      const response = await this.send('GET', url, `GET /orgs/${org}/repos`);
      const page = (await this.json(response, `GET /orgs/${org}/repos`)) as unknown;
      if (!Array.isArray(page)) throw this.malformed(`GET /orgs/${org}/repos`, 'a list of repositories');
      for (const item of page as { name?: unknown; archived?: unknown; default_branch?: unknown }[]) {
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
    const body = (await this.json(response, request)) as { type?: unknown; encoding?: unknown; content?: unknown } | unknown[];
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
    const body = (await this.json(response, request)) as { key_id?: unknown; key?: unknown };
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
      const page = (await this.json(response, request)) as unknown;
      if (!Array.isArray(page)) throw this.malformed(request, 'a list of deploy keys');
      for (const item of page as { id?: unknown; title?: unknown; key?: unknown; read_only?: unknown }[]) {
        if (typeof item?.id !== 'number' || typeof item.key !== 'string') throw this.malformed(request, 'deploy keys with ids');
        keys.push({ id: item.id, title: typeof item.title === 'string' ? item.title : '', key: item.key, readOnly: item.read_only !== false });
      }
      url = this.nextPage(response.headers.get('link'));
    }
    return keys;
  }

  /** Register a public key on the repository; its id. */
  async addDeployKey(owner: string, repo: string, key: { title: string; key: string; readOnly: boolean }): Promise<number> {
    const request = `POST /repos/${owner}/${repo}/keys`;
    const url = this.url(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/keys`);
    const response = await this.send('POST', url, request, [], { title: key.title, key: key.key, read_only: key.readOnly });
    const body = (await this.json(response, request)) as { id?: unknown };
    if (typeof body?.id !== 'number') throw this.malformed(request, 'the new key id');
    return body.id;
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
    const body = (await this.json(response, request)) as { ssh_keys?: unknown };
    if (!Array.isArray(body?.ssh_keys) || !body.ssh_keys.every((k) => typeof k === 'string') || !body.ssh_keys.length) {
      throw this.malformed(request, 'ssh_keys');
    }
    return body.ssh_keys as string[];
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

  /** One request; a status outside 2xx (and not in `accepted`) becomes a GithubApiError with a hint. */
  private async send(method: string, url: URL, request: string, accepted: number[] = [], body?: unknown): Promise<Response> {
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
      throw new GithubApiError(request, undefined, `no answer from ${this.base.origin} (${cause})`, 'check the network and GITHUB_API_URL, then rerun', error);
    }
    if (response.ok || accepted.includes(response.status)) return response;
    const message = await errorMessage(response);
    throw new GithubApiError(request, response.status, `${response.status} ${message}`, hintFor(response), undefined);
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
    const body = (await response.json()) as { message?: unknown };
    return typeof body?.message === 'string' ? body.message : response.statusText;
  } catch {
    return response.statusText;
  }
}

function hintFor(response: Response): string {
  if (response.status === 401) return 'GitHub refused the token: check GITHUB_TOKEN (or GH_TOKEN) is valid and not expired';
  if ((response.status === 403 || response.status === 429) && response.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    return `GitHub's rate limit is used up${reset ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: rerun after that`;
  }
  if (response.status === 403) return 'the token lacks a permission: it needs Contents read and Secrets read/write on the repositories (docs/runbooks/rotate-ci.md)';
  if (response.status === 404) return 'not found, or the token cannot see it: check the organisation and repository names and the token scope';
  return 'rerun; if it persists, check https://www.githubstatus.com';
}
