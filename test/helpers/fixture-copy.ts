import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installRoot as repoRoot } from '../../src/paths.js';

/** A copy of a fixture tree under test/fixtures/, so a test can edit it. */
export function copyFixture(fixture: string): string {
  const root = mkdtempSync(join(tmpdir(), `biomage-${fixture.replace(/\W+/g, '-')}-`));
  cpSync(join(repoRoot, 'test', 'fixtures', fixture), root, { recursive: true });
  return root;
}

/** Make `root` a git repository with everything in it committed (for --changed-since). */
export function commitAll(root: string): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'fixtures');
}
