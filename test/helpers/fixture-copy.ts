import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { DeployCfReport } from '../../src/cf/deploy-command.js';
import { deployCfCommand } from '../../src/commands/deploy-cf.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { testContext } from './context.js';

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

/**
 * deploy-cf of a copy of a fixture tree into the test file's emulator, in-process, with the
 * report by stack; and `edit` to change a template of the copy between deploys.
 */
export function fixtureDeployer(fixture: string, emulatorEndpoint: () => string) {
  const root = copyFixture(fixture);
  return {
    root,
    deploy: async () => {
      const c = testContext('deploy-cf', { endpointUrl: emulatorEndpoint(), json: true });
      const code = await deployCfCommand(c.ctx, { paths: [], force: false, concurrency: 4, root });
      const report = (JSON.parse(c.stdout()) as { result: DeployCfReport }).result;
      return { code, stderr: c.stderr(), by: Object.fromEntries(report.stacks.map((s) => [s.stack, s])) };
    },
    edit: (file: string, from: string, to: string) => {
      const path = join(root, 'cf', file);
      const text = readFileSync(path, 'utf8');
      expect(text).toContain(from);
      writeFileSync(path, text.replace(from, to));
    },
  };
}
