import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sodium from 'libsodium-wrappers';

/**
 * A fake of the GitHub REST API on 127.0.0.1, for the endpoints biomage uses: list an
 * organisation's repositories (paginated with Link headers), get a file's contents, get the
 * Actions public key, put an Actions secret (rotate-ci); list, add and delete deploy keys, and
 * the SSH host keys of GET /meta (configure). Each repository has its own Curve25519 key pair, and
 * a PUT secret is opened with the private key (crypto_box_seal_open), so a test sees exactly the
 * value that arrived, or a 422 when the sealing was wrong.
 *
 * GitHub's bad moments are injected with `inject(fault)`: a 502, a secondary rate limit with
 * `retry-after`, a used-up primary limit with `x-ratelimit-reset`, a dropped connection, a
 * redirect; each for a number of matching requests, optionally after the request was applied
 * (the answer lost on the way back). The builders in `faults` answer as GitHub does.
 */

export interface FakeRepo {
  name: string;
  archived?: boolean;
  defaultBranch?: string;
  /** Files on the default branch: path → text. */
  files?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Whether an Authorization header came with it (the token itself is not recorded). */
  authorized: boolean;
  /** The answer a fault gave it, if one did. */
  fault?: number;
}

/** An answer given instead of GitHub's own, to `times` requests matching method and path. */
export interface Fault {
  method?: string;
  /** Exact path, or a pattern; any path when absent. */
  path?: string | RegExp;
  /** How many matching requests it answers; Infinity for every one. */
  times: number;
  /** 0 drops the connection without an answer. */
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** Handle the request first (the change is made), then answer with the fault. */
  afterApplying?: boolean;
}

/** Faults as GitHub answers them. */
export const faults = {
  badGateway: (times = 1): Omit<Fault, 'method' | 'path'> => ({ times, status: 502, message: 'Server Error' }),
  dropped: (times = 1): Omit<Fault, 'method' | 'path'> => ({ times, status: 0 }),
  secondaryRateLimit: (retryAfterSeconds: number, times = 1): Omit<Fault, 'method' | 'path'> => ({
    times,
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-remaining': '4000' },
    message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  }),
  /** `status` 403 or 429: GitHub documents both for a used-up primary limit. */
  primaryRateLimit: (resetEpochSeconds: number, times = 1, status: 403 | 429 = 403): Omit<Fault, 'method' | 'path'> => ({
    times,
    status,
    headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(resetEpochSeconds) },
    message: 'API rate limit exceeded for user ID 1.',
  }),
};

export interface FakeGithub {
  url: string;
  token: string;
  requests: RecordedRequest[];
  /** Decrypted Actions secrets of a repository, by name. */
  secrets(repo: string): Record<string, string>;
  /** Replace the repositories (their keys and stored secrets stay). */
  setRepos(repos: FakeRepo[]): void;
  /** A repository's deploy keys, in creation order. */
  deployKeys(repo: string): FakeDeployKey[];
  /** Register a key as if someone had (another environment's, a person's). */
  addDeployKey(repo: string, key: { title: string; key: string; readOnly?: boolean }): number;
  /** GitHub's SSH host keys, as GET /meta lists them. */
  sshHostKeys: string[];
  /** Answer PUT secret with this status instead of storing it (undefined: store it; 0: drop the connection, no answer). */
  failPut(fn: ((repo: string, name: string) => number | undefined) | undefined): void;
  /** Answer matching requests with a fault (see Fault); faults are tried in the order injected. */
  inject(fault: Fault): void;
  /** Remove every fault not yet used up. */
  clearFaults(): void;
  close(): Promise<void>;
}

export interface FakeDeployKey {
  id: number;
  title: string;
  key: string;
  read_only: boolean;
}

const SSH_HOST_KEYS = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=',
];

interface RepoState {
  keyId: string;
  keyPair: { publicKey: Uint8Array; privateKey: Uint8Array };
  secrets: Map<string, string>;
}

export async function startFakeGithub(options: { org: string; repos: FakeRepo[]; pageSize?: number; token?: string }): Promise<FakeGithub> {
  await sodium.ready;
  const token = options.token ?? `ghp_fake${randomBytes(12).toString('hex')}`;
  const pageSize = options.pageSize ?? 2;
  let repos = options.repos;
  let failPut: ((repo: string, name: string) => number | undefined) | undefined;
  let pending: Fault[] = [];
  const states = new Map<string, RepoState>();
  const requests: RecordedRequest[] = [];
  const deployKeys = new Map<string, FakeDeployKey[]>();
  let nextKeyId = 1000;
  const keysOf = (repo: string): FakeDeployKey[] => {
    if (!deployKeys.has(repo)) deployKeys.set(repo, []);
    return deployKeys.get(repo)!;
  };
  const addKey = (repo: string, key: { title: string; key: string; readOnly?: boolean }): FakeDeployKey => {
    const added = { id: nextKeyId++, title: key.title, key: key.key, read_only: key.readOnly ?? true };
    keysOf(repo).push(added);
    return added;
  };
  const state = (repo: string): RepoState => {
    let s = states.get(repo);
    if (!s) {
      s = { keyId: randomBytes(8).toString('hex'), keyPair: sodium.crypto_box_keypair(), secrets: new Map() };
      states.set(repo, s);
    }
    return s;
  };

  const server = createServer((req, res) => {
    void answer(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: RecordedRequest = { method: req.method ?? '', path: url.pathname, authorized: req.headers.authorization !== undefined };
    requests.push(recorded);
    const fault = pending.find((f) => (!f.method || f.method === req.method) && (!f.path || (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname))));
    if (!fault) return handle(req, res, url);
    if (--fault.times <= 0) pending = pending.filter((f) => f !== fault);
    recorded.fault = fault.status;
    if (fault.afterApplying) await handle(req, discardingResponse(), url);
    else await readBody(req);
    if (fault.status === 0) return void req.socket.destroy();
    for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
    send(res, fault.status, { message: fault.message ?? 'injected fault', documentation_url: 'https://docs.github.com/rest' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.headers.authorization !== `Bearer ${token}`) { send(res, 401, { message: 'Bad credentials' }); return; }
    if (req.headers['x-github-api-version'] !== '2022-11-28') { send(res, 400, { message: 'missing X-GitHub-Api-Version' }); return; }

    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && url.pathname === '/meta') { send(res, 200, { ssh_keys: SSH_HOST_KEYS }); return; }
    if (req.method === 'GET' && parts[0] === 'orgs' && parts[2] === 'repos' && parts.length === 3) {
      if (parts[1] !== options.org) { send(res, 404, { message: 'Not Found' }); return; }
      const page = Number(url.searchParams.get('page') ?? '1');
      const all = repos.map((r) => ({ name: r.name, full_name: `${options.org}/${r.name}`, archived: r.archived === true, default_branch: r.defaultBranch ?? 'main' }));
      const slice = all.slice((page - 1) * pageSize, page * pageSize);
      if (page * pageSize < all.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        res.setHeader('link', `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next", <http://${req.headers.host}/x>; rel="last"`);
      }
      send(res, 200, slice); return;
    }
    if (parts[0] !== 'repos' || parts[1] !== options.org) { send(res, 404, { message: 'Not Found' }); return; }
    const repo = repos.find((r) => r.name === parts[2]);
    if (!repo) { send(res, 404, { message: 'Not Found' }); return; }

    if (req.method === 'GET' && parts[3] === 'contents') {
      const path = parts.slice(4).join('/');
      if (url.searchParams.get('ref') !== (repo.defaultBranch ?? 'main')) { send(res, 404, { message: 'No commit found for the ref' }); return; }
      const text = repo.files?.[path];
      if (text === undefined) { send(res, 404, { message: 'Not Found' }); return; }
      // GitHub wraps the base64 at 60 characters.
      const content = Buffer.from(text).toString('base64').replace(/(.{60})/g, '$1\n');
      send(res, 200, { type: 'file', encoding: 'base64', path, content }); return;
    }
    if (parts[3] === 'keys') {
      const keys = keysOf(repo.name);
      if (req.method === 'GET' && parts.length === 4) { send(res, 200, keys); return; }
      if (req.method === 'POST' && parts.length === 4) {
        const body = JSON.parse(await readBody(req)) as { title?: string; key?: string; read_only?: boolean };
        if (typeof body.key !== 'string' || !/^ssh-(ed25519|rsa) [A-Za-z0-9+/=]+$/.test(body.key)) { send(res, 422, { message: 'key is invalid' }); return; }
        if (keys.some((k) => k.key === body.key)) { send(res, 422, { message: 'key is already in use' }); return; }
        send(res, 201, addKey(repo.name, { title: body.title ?? '', key: body.key, readOnly: body.read_only ?? true })); return;
      }
      if (req.method === 'DELETE' && parts.length === 5) {
        const index = keys.findIndex((k) => k.id === Number(parts[4]));
        if (index < 0) { send(res, 404, { message: 'Not Found' }); return; }
        keys.splice(index, 1);
        res.statusCode = 204;
        return void res.end();
      }
    }
    if (req.method === 'GET' && parts[3] === 'actions' && parts[4] === 'secrets' && parts[5] === 'public-key') {
      const s = state(repo.name);
      send(res, 200, { key_id: s.keyId, key: sodium.to_base64(s.keyPair.publicKey, sodium.base64_variants.ORIGINAL) }); return;
    }
    if (req.method === 'PUT' && parts[3] === 'actions' && parts[4] === 'secrets' && parts.length === 6) {
      const name = parts[5]!;
      const body = JSON.parse(await readBody(req)) as { encrypted_value?: string; key_id?: string };
      const forced = failPut?.(repo.name, name);
      if (forced === 0) return void req.socket.destroy();
      if (forced !== undefined) { send(res, forced, { message: 'injected failure' }); return; }
      const s = state(repo.name);
      if (body.key_id !== s.keyId || typeof body.encrypted_value !== 'string') { send(res, 422, { message: 'wrong key_id or no encrypted_value' }); return; }
      let value: string;
      try {
        const sealed = sodium.from_base64(body.encrypted_value, sodium.base64_variants.ORIGINAL);
        value = sodium.to_string(sodium.crypto_box_seal_open(sealed, s.keyPair.publicKey, s.keyPair.privateKey));
      } catch {
        send(res, 422, { message: 'cannot decrypt the secret' }); return;
      }
      const existed = s.secrets.has(name);
      s.secrets.set(name, value);
      res.statusCode = existed ? 204 : 201;
      return void res.end();
    }
    send(res, 404, { message: 'Not Found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    secrets: (repo) => Object.fromEntries(states.get(repo)?.secrets ?? []),
    deployKeys: (repo) => [...keysOf(repo)],
    addDeployKey: (repo, key) => addKey(repo, key).id,
    sshHostKeys: SSH_HOST_KEYS,
    setRepos: (next) => {
      repos = next;
    },
    failPut: (fn) => {
      failPut = fn;
    },
    inject: (fault) => {
      pending.push({ ...fault });
    },
    clearFaults: () => {
      pending = [];
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/** Where the real answer goes when a fault replaces it. */
function discardingResponse(): ServerResponse {
  return { statusCode: 200, setHeader: () => undefined, end: () => undefined } as unknown as ServerResponse;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
