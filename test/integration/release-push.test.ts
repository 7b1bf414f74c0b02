import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * `biomage release push` against a local bare repository standing in for GitHub, with a second
 * clone playing another service's pipeline that pushes at the worst moment: from the first
 * clone's pre-push hook, after its commit and before its push lands.
 */
const IDENTITY = ['-c', 'user.name=pipeline', '-c', 'user.email=pipeline@example.invalid'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_DIR: undefined } }).trim();
}

function release(service: string, tag: string, sha = 'a'.repeat(40)): string {
  return [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    `  name: ${service}`,
    '  namespace: flux-system',
    '  annotations:',
    `    biomage.io/source-commit: ${sha}`,
    `    biomage.io/source-repository: org/${service}`,
    `    biomage.io/image: registry.example.org/${service}:${tag}`,
    '',
  ].join('\n');
}

/** origin.git with main, and two clones of it: `ours` runs biomage, `theirs` is another pipeline. */
function repositories(): { origin: string; ours: string; theirs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-push-'));
  const origin = join(dir, 'origin.git');
  git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
  const seed = join(dir, 'seed');
  git(dir, 'clone', '-q', origin, seed);
  mkdirSync(join(seed, 'releases', 'staging'), { recursive: true });
  mkdirSync(join(seed, 'infra'));
  writeFileSync(join(seed, 'infra', 'github.yaml'), 'organisation: org\nrepository: iac\ndefaultBranch: main\n');
  writeFileSync(join(seed, 'releases', 'staging', 'README.md'), 'written by CI\n');
  writeFileSync(join(seed, 'releases', 'staging', 'ui.yaml'), release('ui', '1.0.0'));
  writeFileSync(join(seed, 'README.md'), 'iac\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-qm', 'seed');
  git(seed, 'push', '-q', 'origin', 'HEAD:main');
  const ours = join(dir, 'ours');
  const theirs = join(dir, 'theirs');
  git(dir, 'clone', '-q', origin, ours);
  git(dir, 'clone', '-q', origin, theirs);
  return { origin, ours, theirs };
}

/** Make `theirs` commit a file and push it from inside `ours`'s first push. */
function pushFromTheirsDuringOurPush(ours: string, theirs: string, file: string, content: string): void {
  writeFileSync(join(theirs, file), content);
  const hook = join(ours, '.git', 'hooks', 'pre-push');
  writeFileSync(
    hook,
    [
      '#!/bin/sh',
      // Once: the retried push must go through.
      `[ -f "${hook}.done" ] && exit 0`,
      `touch "${hook}.done"`,
      `cd "${theirs}" || exit 1`,
      'unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE',
      `git ${IDENTITY.join(' ')} commit -qam "release(staging): their release" >/dev/null && git push -q origin HEAD:main`,
      '',
    ].join('\n'),
  );
  chmodSync(hook, 0o755);
}

const push = (root: string, ...extra: string[]) => runCli(['release', 'push', '--env', 'staging', '--root', root, '--json', ...extra], { CI: 'true' });

describe('release push', () => {
  it('rebases onto a commit pushed while it was pushing, and keeps that commit', async () => {
    const { origin, ours, theirs } = repositories();
    writeFileSync(join(theirs, 'releases', 'staging', 'api.yaml'), release('api', '2.0.0'));
    git(theirs, 'add', '.');
    pushFromTheirsDuringOurPush(ours, theirs, 'releases/staging/api.yaml', release('api', '2.0.1'));
    writeFileSync(join(ours, 'releases', 'staging', 'ui.yaml'), release('ui', '1.1.0', 'b'.repeat(40)));

    const run = await push(ours);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout).result;
    expect(result).toMatchObject({ files: ['releases/staging/ui.yaml'], attempts: 2, rebases: 1 });

    // What the remote holds: our release on top of theirs, both files at their new versions.
    const log = git(origin, 'log', '--format=%s', 'main').split('\n');
    expect(log).toEqual(['release(staging): ui 1.1.0', 'release(staging): their release', 'seed']);
    expect(git(origin, 'rev-parse', 'main')).toBe(result.commit);
    expect(git(origin, 'show', 'main:releases/staging/api.yaml')).toContain('api:2.0.1');
    expect(git(origin, 'show', 'main:releases/staging/ui.yaml')).toContain('ui:1.1.0');
    expect(git(origin, 'log', '-1', '--format=%b', 'main')).toContain(`ui: registry.example.org/ui:1.1.0 from org/ui@${'b'.repeat(40)}`);
  });

  it('stops without pushing when the other pipeline changed the same release (exit 1)', async () => {
    const { origin, ours, theirs } = repositories();
    pushFromTheirsDuringOurPush(ours, theirs, 'releases/staging/ui.yaml', release('ui', '9.9.9'));
    writeFileSync(join(ours, 'releases', 'staging', 'ui.yaml'), release('ui', '1.1.0'));

    const run = await push(ours);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error.message).toMatch(/changed releases\/staging\/ui\.yaml since this release was rendered; nothing was pushed/);
    // The other pipeline's release stays; ours is kept locally, unpushed, and the clone is not mid-rebase.
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).toBe('release(staging): their release');
    expect(git(ours, 'log', '-1', '--format=%s')).toBe('release(staging): ui 1.1.0');
    expect(git(ours, 'status', '--porcelain')).toBe('');
  });

  it('commits only releases/<env>/: other changes in the clone stay uncommitted', async () => {
    const { origin, ours } = repositories();
    writeFileSync(join(ours, 'README.md'), 'edited\n');
    git(ours, 'add', 'README.md');
    writeFileSync(join(ours, 'releases', 'staging', 'worker.yaml'), release('worker', '3.0.0'));

    const run = await push(ours);
    expect(run.code).toBe(0);
    expect(git(origin, 'show', '--name-only', '--format=', 'main')).toBe('releases/staging/worker.yaml');
    expect(git(ours, 'status', '--porcelain')).toBe('M  README.md');
  });

  it('with nothing changed, pushes nothing', async () => {
    const { origin, ours } = repositories();
    const before = git(origin, 'rev-parse', 'main');
    const run = await push(ours);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).result).toMatchObject({ files: [], attempts: 0 });
    expect(git(origin, 'rev-parse', 'main')).toBe(before);
  });

  it('--dry-run shows the commit and changes nothing', async () => {
    const { origin, ours } = repositories();
    const before = git(origin, 'rev-parse', 'main');
    writeFileSync(join(ours, 'releases', 'staging', 'ui.yaml'), release('ui', '1.2.0'));
    const run = await push(ours, '--dry-run');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).result).toMatchObject({ files: ['releases/staging/ui.yaml'], message: expect.stringMatching(/^release\(staging\): ui 1\.2\.0\n/) });
    expect(git(origin, 'rev-parse', 'main')).toBe(before);
    expect(git(ours, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(ours, 'status', '--porcelain')).toBe('M releases/staging/ui.yaml');
  });

  it('to production, needs --yes when nobody can confirm (exit 2, nothing committed)', async () => {
    const { origin, ours } = repositories();
    mkdirSync(join(ours, 'releases', 'production'));
    writeFileSync(join(ours, 'releases', 'production', 'ui.yaml'), release('ui', '1.2.0'));
    const before = git(origin, 'rev-parse', 'main');
    const run = await runCli(['release', 'push', '--env', 'production', '--root', ours], { CI: 'true' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not confirmed/);
    expect(git(ours, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(origin, 'rev-parse', 'main')).toBe(before);
  });
});
