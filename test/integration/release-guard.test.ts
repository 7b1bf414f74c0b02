import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathsChangedSince } from '../../src/tools/git.js';

describe('paths a pull request changes (the input of the releases/ guard)', () => {
  it('lists added, changed and deleted files, and both sides of a rename, since the merge base', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'biomage-guard-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: repo });
    git('init', '-q', '-b', 'main');
    mkdirSync(join(repo, 'releases', 'staging'), { recursive: true });
    writeFileSync(join(repo, 'releases', 'staging', 'api.yaml'), 'kind: HelmRelease\n');
    writeFileSync(join(repo, 'releases', 'staging', 'ui.yaml'), 'kind: HelmRelease\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'pr');
    renameSync(join(repo, 'releases', 'staging', 'api.yaml'), join(repo, 'docs-api.yaml'));
    git('add', '-A');
    git('commit', '-qm', 'move a release out of releases/');
    // A commit on main after the branch point is not the pull request's change.
    git('checkout', '-q', 'main');
    writeFileSync(join(repo, 'releases', 'staging', 'ui.yaml'), 'kind: HelmRelease # from CI\n');
    git('commit', '-qam', 'CI release');
    git('checkout', '-q', 'pr');

    expect((await pathsChangedSince('main', repo)).sort()).toEqual(['docs-api.yaml', 'releases/staging/api.yaml']);
  });
});
