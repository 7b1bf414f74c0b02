import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './ui/errors.js';

/**
 * What makes a folder this repository: its CloudFormation templates (cf/) and its cluster's
 * config (infra/cluster.yaml). Every clone of it has both, and a service repository has neither.
 * Not .git (CI may work on an export) and not package.json (biomage's own, and any Node service's).
 */
export const REPOSITORY_MARKERS = { folder: 'cf', file: join('infra', 'cluster.yaml') } as const;

/** How people read the markers in messages. */
export const MARKERS_TEXT = 'cf/ and infra/cluster.yaml';

/** Where the repository came from: --root, BIOMAGE_ROOT, or found upward from the working directory. */
export type RootSource = 'flag' | 'env' | 'cwd';

export interface RootRequest {
  /** --root or BIOMAGE_ROOT, taken as given (relative to cwd); no marker is required of it. */
  given?: string;
  /** Which of the two gave it, for messages; `flag` when unsaid. */
  source?: Exclude<RootSource, 'cwd'>;
  /** Where the search upward starts when nothing was given. */
  cwd: string;
}

export function isRepositoryRoot(dir: string): boolean {
  return kind(join(dir, REPOSITORY_MARKERS.folder)) === 'folder' && kind(join(dir, REPOSITORY_MARKERS.file)) === 'file';
}

/** The nearest folder at or above `start` that holds the markers, as git finds .git. */
export function findRepositoryRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (isRepositoryRoot(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The repository a command works on: --root (or BIOMAGE_ROOT) when given, else the nearest
 * folder holding cf/ and infra/cluster.yaml at or above the working directory. Never biomage's
 * own installation: a linked biomage run inside another clone works on that clone.
 * Throws a UsageError (exit 2) when there is none.
 */
export function resolveRepositoryRoot(request: RootRequest): string {
  if (request.given !== undefined) {
    const root = resolve(request.cwd, request.given);
    if (kind(root) !== 'folder') {
      const named = request.source === 'env' ? `BIOMAGE_ROOT=${request.given}` : `--root ${request.given}`;
      throw new UsageError(`${named} is not a folder`, { hint: 'name the clone of the Cellenics infrastructure repository to work on (the folder that holds cf/ and infra/)' });
    }
    return root;
  }
  const found = findRepositoryRoot(request.cwd);
  if (found) return found;
  throw new UsageError(`${resolve(request.cwd)} is not inside a Cellenics infrastructure repository: no folder from there up to / holds ${MARKERS_TEXT}`, {
    hint: 'run biomage inside a clone of the repository, or name one with --root <dir> (or BIOMAGE_ROOT)',
  });
}

function kind(path: string): 'file' | 'folder' | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isDirectory() ? 'folder' : stat?.isFile() ? 'file' : undefined;
}
