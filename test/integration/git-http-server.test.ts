import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handle } from '../../src/dev/cluster/git-http-server.js';
import { installRoot as repoRoot } from '../../src/paths.js';

/**
 * The local cluster's git server (src/dev/cluster/git-http-server.ts), driven by the real git CLI
 * over HTTP on 127.0.0.1: clone, ls-remote, fetch, push (refused), protocol v2, and the built
 * entry point run as its own process, as `biomage dev cluster up` runs it.
 */
const root = mkdtempSync(join(tmpdir(), 'biomage-git-server-'));
const home = join(root, 'home');
/** The served repository: a working tree whose folder name differs from the name it is served as. */
const served = join(root, 'working-copy');
const NAME = 'iac.git';

/** git without anything of the caller's environment or configuration that could redirect it. */
const gitEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_'))),
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run git asynchronously: the server under test answers in this very process, so a synchronous
 * spawn would block the event loop the server needs.
 */
function git(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...gitEnv, ...extraEnv }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function gitOk(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const run = await git(cwd, args, extraEnv);
  expect(run.code, `git ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.stdout.trim();
}

async function commitFile(repo: string, path: string, content: string, message: string): Promise<string> {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
  await gitOk(repo, ['add', path]);
  await gitOk(repo, ['commit', '-q', '-m', message]);
  return gitOk(repo, ['rev-parse', 'HEAD']);
}

/** `sha ref` lines (ls-remote, for-each-ref) as a ref → sha map. */
function refMap(lines: string): Record<string, string> {
  return Object.fromEntries(
    lines
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [sha, ref] = line.split(/\s+/);
        return [ref!, sha!];
      }),
  );
}

let clones = 0;
function cloneDir(): string {
  return join(root, `clone-${++clones}`);
}

let mainSha = '';
let featureSha = '';
let server: Server | undefined;
let url = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  mkdirSync(home);
  mkdirSync(served);
  await gitOk(served, ['init', '-q', '-b', 'main']);
  await commitFile(served, 'README.md', '# iac\n', 'first');
  mainSha = await commitFile(served, 'releases/development/ui.yaml', 'kind: HelmRelease\n', 'a release');
  await gitOk(served, ['checkout', '-q', '-b', 'feature']);
  featureSha = await commitFile(served, 'charts/nodejs/Chart.yaml', 'name: nodejs\n', 'a chart, on feature only');
  await gitOk(served, ['checkout', '-q', 'main']);

  server = createServer((request, response) => handle({ repo: served, name: NAME }, request, response));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the server has no address');
  url = `http://127.0.0.1:${address.port}/${NAME}`;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
  rmSync(root, { recursive: true, force: true });
});

describe('git http server (handle), with the real git CLI', () => {
  it('git clone gets the served HEAD commit, its branch and its files', async () => {
    const clone = cloneDir();
    await gitOk(root, ['clone', '-q', url, clone]);

    expect(await gitOk(clone, ['rev-parse', 'HEAD'])).toBe(mainSha);
    expect(await gitOk(clone, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/main');
    const files = await gitOk(clone, ['ls-files']);
    expect(files.split('\n')).toEqual(['README.md', 'releases/development/ui.yaml']);
    expect(files).toBe(await gitOk(served, ['ls-files']));
    expect(readFileSync(join(clone, 'releases/development/ui.yaml'), 'utf8')).toBe('kind: HelmRelease\n');
  });

  it('git ls-remote lists both branches at their commits, and HEAD at main', async () => {
    const refs = refMap(await gitOk(root, ['ls-remote', url]));
    expect(refs).toEqual({ HEAD: mainSha, 'refs/heads/main': mainSha, 'refs/heads/feature': featureSha });
  });

  it('a commit made in the served repository after the clone reaches the clone through git fetch', async () => {
    const clone = cloneDir();
    await gitOk(root, ['clone', '-q', url, clone]);
    const before = await gitOk(served, ['rev-parse', 'main']);
    const added = await commitFile(served, `releases/development/new-${clones}.yaml`, 'kind: HelmRelease\n', 'a later release');
    expect(added).not.toBe(before);

    await gitOk(clone, ['fetch', '-q', 'origin']);
    expect(await gitOk(clone, ['rev-parse', 'origin/main'])).toBe(added);
    expect(await gitOk(clone, ['rev-parse', 'origin/main~1'])).toBe(before);
    mainSha = added;
  });

  it('git push is refused (403) and leaves every ref of the served repository as it was', async () => {
    const clone = cloneDir();
    await gitOk(root, ['clone', '-q', url, clone]);
    await commitFile(clone, 'pushed.txt', 'should not arrive\n', 'a pushed commit');
    const before = await gitOk(served, ['for-each-ref', '--format=%(objectname) %(refname)']);

    // Neither the branch that is not checked out (which a non-bare repository would otherwise
    // accept) nor a new branch may be written.
    const push = await git(clone, ['push', 'origin', 'HEAD:refs/heads/feature', 'HEAD:refs/heads/pushed']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/403/);

    expect(await gitOk(served, ['for-each-ref', '--format=%(objectname) %(refname)'])).toBe(before);
    expect(refMap(before)['refs/heads/feature']).toBe(featureSha);
    expect(refMap(before)['refs/heads/pushed']).toBeUndefined();
  });

  it('answers 404 for any path but the served name, and git cannot clone those', async () => {
    const base = url.slice(0, -`/${NAME}`.length);
    for (const path of ['/other.git/info/refs?service=git-upload-pack', '/iac.gitx/info/refs?service=git-upload-pack', '/']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toContain(`only /${NAME} is served here`);
    }
    const clone = await git(root, ['clone', '-q', `${base}/other.git`, cloneDir()]);
    expect(clone.code).not.toBe(0);
    expect(clone.stderr).toMatch(/404|not found/i);
  });

  it('speaks protocol v2: ls-remote and clone negotiate version 2 (Git-Protocol header passed to http-backend)', async () => {
    const trace = { GIT_TRACE_PACKET: '1' };
    const lsRemote = await git(root, ['-c', 'protocol.version=2', 'ls-remote', url], trace);
    expect(lsRemote.code, lsRemote.stderr).toBe(0);
    expect(lsRemote.stderr).toMatch(/git< version 2/);
    expect(lsRemote.stderr).toMatch(/ls-remote> command=ls-refs/);
    expect(refMap(lsRemote.stdout)).toMatchObject({ 'refs/heads/main': mainSha, 'refs/heads/feature': featureSha });

    const clone = cloneDir();
    const cloned = await git(root, ['-c', 'protocol.version=2', 'clone', '-q', url, clone], trace);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(cloned.stderr).toMatch(/> command=fetch/);
    expect(await gitOk(clone, ['rev-parse', 'HEAD'])).toBe(mainSha);

    // The advertisement itself, as git's client asks for it.
    const response = await fetch(`${url}/info/refs?service=git-upload-pack`, { headers: { 'Git-Protocol': 'version=2' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    expect(await response.text()).toContain('version 2');
  });

  it('still speaks protocol v0 to a client that asks for it', async () => {
    const lsRemote = await git(root, ['-c', 'protocol.version=0', 'ls-remote', url], { GIT_TRACE_PACKET: '1' });
    expect(lsRemote.code, lsRemote.stderr).toBe(0);
    expect(lsRemote.stderr).not.toMatch(/version 2/);
    expect(refMap(lsRemote.stdout)).toMatchObject({ 'refs/heads/main': mainSha, 'refs/heads/feature': featureSha });
  });
});

describe('git http server entry point (dist/dev/cluster/git-http-server.js), as its own process', () => {
  const script = join(repoRoot, 'dist', 'dev', 'cluster', 'git-http-server.js');

  it('writes {port, pid} to the ready file, serves clones on that port, and exits 0 on SIGTERM', async () => {
    expect(existsSync(script), `${script} is missing: run \`make build\` (npx tsc -p tsconfig.build.json) first`).toBe(true);
    const readyFile = join(root, 'git-server.ready.json');
    const child = spawn(process.execPath, [script, '--repo', served, '--name', NAME, '--port', '0', '--ready-file', readyFile], {
      env: gitEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );

    let ready: { port: number; pid: number } | undefined;
    for (let i = 0; i < 200 && !ready; i++) {
      if (child.exitCode !== null) throw new Error(`the git server exited (${child.exitCode}): ${stderr}`);
      if (existsSync(readyFile)) ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { port: number; pid: number };
      else await sleep(50);
    }
    expect(ready, `no ready file after 10s; stderr: ${stderr}`).toBeDefined();
    expect(Object.keys(ready!).sort()).toEqual(['pid', 'port']);
    expect(ready!.pid).toBe(child.pid);
    expect(ready!.port).toBeGreaterThan(0);

    const servedUrl = `http://127.0.0.1:${ready!.port}/${NAME}`;
    const clone = cloneDir();
    await gitOk(root, ['clone', '-q', servedUrl, clone]);
    expect(await gitOk(clone, ['rev-parse', 'HEAD'])).toBe(await gitOk(served, ['rev-parse', 'HEAD']));
    expect(stderr).toContain(`at ${servedUrl}`);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${servedUrl}/info/refs?service=git-upload-pack`)).rejects.toThrow();
  });
});
