import { InputError } from '../ui/errors.js';
import { runTool, runToolOk } from './run.js';
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
  return (await runTool(git, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd })).exitCode === 0;
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
