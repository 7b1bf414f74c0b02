import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { InputError, ToolMissingError } from '../ui/errors.js';
import { locate } from './locate.js';
import { runTool, runToolOk, ToolFailedError } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** git: change detection (--changed-since) and release pushes. */
export const git: ToolSpec = {
  name: 'git',
  install: 'apt-get install git',
  purpose: 'change detection and release pushes',
  required: true,
  async version(env) {
    return firstLine((await runToolOk(git, ['--version'], { env })).stdout, /^git version\s+/);
  },
};

/** Files under `path` that differ between `ref` and the working tree (deleted ones left out). */
export async function changedFiles(ref: string, path: string, cwd: string): Promise<string[]> {
  const result = await runTool(git, ['diff', '--name-only', '--diff-filter=ACMRT', ref, '--', path], { cwd });
  if (result.exitCode !== 0) {
    throw new InputError(`git cannot compare with '${ref}': ${result.stderr.trim().split('\n')[0]}`, {
      hint: 'pass a commit, branch or tag that exists in this clone (fetch it first in a shallow CI clone)',
    });
  }
  return result.stdout.split('\n').filter(Boolean);
}

/** The commit where HEAD left the first of these refs that exists (the main branch, local or remote). */
export async function mergeBase(refs: string[], cwd: string): Promise<{ ref: string; commit: string } | undefined> {
  for (const ref of refs) {
    const result = await runTool(git, ['merge-base', 'HEAD', ref], { cwd });
    if (result.exitCode === 0) return { ref, commit: result.stdout.trim() };
  }
  return undefined;
}

/** A file's content at a revision; undefined when it does not exist there. */
export async function showFile(revision: string, file: string, cwd: string): Promise<string | undefined> {
  const result = await runTool(git, ['show', `${revision}:${file}`], { cwd });
  if (result.exitCode === 0) return `${result.stdout}\n`;
  if (/does not exist|exists on disk, but not in/.test(result.stderr)) return undefined;
  throw new InputError(`git cannot read ${file} at '${revision}': ${result.stderr.trim().split('\n')[0]}`, {
    hint: 'pass --base a commit, branch or tag that exists in this clone (fetch it first in a shallow CI clone)',
  });
}

export async function revisionExists(ref: string, cwd: string): Promise<boolean> {
  return (await revisionCommit(ref, cwd)) !== undefined;
}

/**
 * Every path a pull request touches since it left `base` (`base...HEAD`): added, changed,
 * deleted, and both sides of a rename (--no-renames lists it as a delete and an add), so nothing can leave or enter a folder unseen.
 */
export async function pathsChangedSince(base: string, cwd: string): Promise<string[]> {
  const result = await runTool(git, ['diff', '--name-status', '-z', '--no-renames', `${base}...HEAD`], { cwd });
  if (result.exitCode !== 0) {
    throw new InputError(`git cannot compare with '${base}': ${result.stderr.trim().split('\n')[0]}`, {
      hint: 'pass the pull request base branch (fetch it first in a shallow CI clone)',
    });
  }
  // -z output alternates status and path: `M\0path\0D\0path\0`.
  const fields = result.stdout.split('\0').filter(Boolean);
  return fields.filter((_, index) => index % 2 === 1);
}

/** Stage everything under these paths (added, changed and deleted files). */
export async function stageAll(paths: string[], cwd: string): Promise<void> {
  await runToolOk(git, ['add', '--all', '--', ...paths], { cwd });
}

/** Staged paths under these paths. */
export async function stagedPaths(paths: string[], cwd: string): Promise<string[]> {
  const result = await runToolOk(git, ['diff', '--cached', '--name-only', '-z', '--', ...paths], { cwd });
  return result.stdout.split('\0').filter(Boolean);
}

/** A `git config` value; undefined when unset. */
export async function configValue(key: string, cwd: string): Promise<string | undefined> {
  const result = await runTool(git, ['config', '--get', key], { cwd });
  return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
}

/**
 * Commit what is staged under these paths only (anything else staged stays staged, uncommitted);
 * `identity` is used when the clone has none configured (a CI runner). Returns the new commit.
 */
export async function commitPaths(
  message: string,
  paths: string[],
  cwd: string,
  identity?: { name: string; email: string },
): Promise<string> {
  const who = identity ? ['-c', `user.name=${identity.name}`, '-c', `user.email=${identity.email}`] : [];
  await runToolOk(git, [...who, 'commit', '--quiet', '--file', '-', '--', ...paths], { cwd, input: message });
  return (await runToolOk(git, ['rev-parse', 'HEAD'], { cwd })).stdout.trim();
}

export type PushOutcome = { pushed: true } | { pushed: false; reason: 'behind' };

/**
 * Push HEAD to a branch of a remote, never forced. A rejection because the remote moved on
 * (someone else pushed first) is an outcome the caller handles by rebasing; any other failure
 * (authentication, protection rules, network) is an error.
 */
export async function pushHead(remote: string, branch: string, cwd: string): Promise<PushOutcome> {
  const result = await runTool(git, ['push', '--porcelain', remote, `HEAD:refs/heads/${branch}`], { cwd });
  if (result.exitCode === 0) return { pushed: true };
  // --porcelain reports a rejected ref as `!\tHEAD:refs/heads/main\t[rejected] (fetch first)`.
  // A push that lost the race after that check is refused by the remote as it moves the ref
  // (`[remote rejected] (failed to update ref)`, with `cannot lock ref … but expected …`).
  const behind = /^!\t.*\[rejected\] \((fetch first|non-fast-forward)\)/m.test(result.stdout);
  const lostRace = /^!\t.*\[remote rejected\]/m.test(result.stdout) && /cannot lock ref|failed to update ref|incorrect old value/.test(result.stdout + result.stderr);
  if (behind || lostRace) return { pushed: false, reason: 'behind' };
  throw new ToolFailedError(git.name, result.exitCode, result.stderr || result.stdout);
}

export type RebaseOutcome = { rebased: true } | { rebased: false; conflicts: string[] };

/**
 * Fetch the branch and replay the local commits on top of it. On a conflict the rebase is
 * aborted, leaving the clone as it was, and the conflicting paths are returned.
 */
export async function rebaseOnRemote(remote: string, branch: string, cwd: string): Promise<RebaseOutcome> {
  await runToolOk(git, ['fetch', '--quiet', remote, `refs/heads/${branch}`], { cwd });
  const result = await runTool(git, ['rebase', '--quiet', 'FETCH_HEAD'], { cwd });
  if (result.exitCode === 0) return { rebased: true };
  const conflicts = (await runTool(git, ['diff', '--name-only', '--diff-filter=U'], { cwd })).stdout.split('\n').filter(Boolean);
  await runTool(git, ['rebase', '--abort'], { cwd });
  if (!conflicts.length) throw new ToolFailedError(git.name, result.exitCode, result.stderr || result.stdout);
  return { rebased: false, conflicts };
}

/** Untracked files under a path (ignored ones left out). */
export async function untrackedFiles(path: string, cwd: string): Promise<string[]> {
  const result = await runToolOk(git, ['ls-files', '--others', '--exclude-standard', '-z', '--', path], { cwd });
  return result.stdout.split('\0').filter(Boolean);
}

/** The commit a revision names; undefined when there is none. */
export async function revisionCommit(ref: string, cwd: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await runTool(git, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, env });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** The branch HEAD is on; undefined when HEAD is detached. */
export async function currentBranch(cwd: string): Promise<string | undefined> {
  const result = await runTool(git, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd });
  return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
}

/**
 * One request to `git http-backend`, git's smart-HTTP CGI program: the CGI variables go in as
 * the environment, the request body on stdin, the CGI response (headers, blank line, body) comes
 * out on stdout. Streams, not buffers: a clone can be large. The local dev cluster's git server
 * (src/dev/cluster/git-http-server.ts) runs one per request.
 */
export function spawnHttpBackend(cgi: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv = process.env): ChildProcessByStdio<Writable, Readable, Readable> {
  const found = locate(git.name, env);
  if (!found) throw new ToolMissingError(git.name, 'git is not installed', { hint: `install it with: ${git.install}` });
  return spawn(found.path, ['http-backend'], { env: { PATH: env.PATH, HOME: env.HOME, ...cgi }, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The files directly under `folder` at a revision (paths from the repository's root); empty when it has none. */
export async function filesAt(revision: string, folder: string, cwd: string): Promise<string[]> {
  const result = await runTool(git, ['ls-tree', '--name-only', revision, '--', `${folder.replace(/\/+$/, '')}/`], { cwd });
  if (result.exitCode !== 0) {
    throw new InputError(`git cannot list ${folder} at '${revision}': ${result.stderr.trim().split('\n')[0]}`, {
      hint: 'fetch the branch into this clone (git fetch), then rerun',
    });
  }
  return result.stdout.split('\n').filter(Boolean);
}

/** One entry of a revision's tree: a file (`blob`), a symbolic link (`blob`, mode 120000) or a submodule (`commit`). */
export interface TreeEntry {
  mode: string;
  type: 'blob' | 'commit';
  /** The object id: SHA-1 (40 hex digits) or, in a SHA-256 repository, 64. */
  oid: string;
  /** From the repository's root. */
  path: string;
}

/** Every file under these paths at a revision, recursively, from one `git ls-tree` (folders themselves left out). */
export async function treeEntries(revision: string, paths: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<TreeEntry[]> {
  const listed = await runToolOk(git, ['ls-tree', '-r', '-z', '--full-tree', revision, '--', ...paths], { cwd, env });
  const entries: TreeEntry[] = [];
  for (const line of listed.stdout.split('\0').filter(Boolean)) {
    const match = /^(\d+) (blob|commit) ([0-9a-f]+)\t(.+)$/s.exec(line);
    if (match?.[1] && match[2] && match[3] && match[4]) entries.push({ mode: match[1], type: match[2] as TreeEntry['type'], oid: match[3], path: match[4] });
  }
  return entries;
}

/** A blob's content (a file at a revision, by its object id from `treeEntries`), as text. */
export async function blobText(oid: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return `${(await runToolOk(git, ['cat-file', 'blob', oid], { cwd, env })).stdout}\n`;
}

/**
 * Start an export of `revision` into `dest`, through a throw-away index: the clone's index, HEAD
 * and working tree are never touched, and nothing is left in .git (a `git worktree` would
 * register itself there). The index is read at once, while the caller works out which files it
 * needs; `write` then writes those (`dest/<path>`, names from `treeEntries`): two git runs however
 * many files. `settled` resolves once no git run of the export is left, whatever failed.
 */
export function startExport(revision: string, dest: string, cwd: string, env: NodeJS.ProcessEnv = process.env): { write(files: string[]): Promise<void>; settled(): Promise<void> } {
  const indexEnv = { ...env, GIT_INDEX_FILE: `${dest}/.export-index` };
  const indexed = runToolOk(git, ['read-tree', revision], { cwd, env: indexEnv });
  let written: Promise<unknown> = indexed;
  // Awaited by write or settled; never an unhandled rejection meanwhile.
  indexed.catch(() => undefined);
  return {
    write(files) {
      const run = (async () => {
        await indexed;
        if (files.length) await runToolOk(git, ['checkout-index', '--force', '-z', '--stdin', `--prefix=${dest}/`], { cwd, env: indexEnv, input: files.map((f) => `${f}\0`).join('') });
      })();
      written = run;
      return run;
    },
    async settled() {
      await Promise.allSettled([indexed, written]);
    },
  };
}
