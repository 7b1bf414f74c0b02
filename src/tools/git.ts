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
