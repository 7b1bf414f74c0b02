import { runToolOk } from './run.js';
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
