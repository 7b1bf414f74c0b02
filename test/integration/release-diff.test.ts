import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { installRoot as repoRoot } from '../../src/paths.js';
import type { ReleaseDiffReport } from '../../src/releases/diff.js';
import { runCli } from '../helpers/cli.js';

/**
 * `biomage release diff --base` offline, with the real helm and git: a scratch repository made of
 * this checkout's charts/ and test/fixtures/release-diff/repo/, committed as the base, then
 * changed in a second commit (or only in the working tree) as a pull request would change it.
 */
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'release-diff');

let root: string;
const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: root, encoding: 'utf8' }).trim();
const edit = (file: string, from: string, to: string) => {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  expect(text, `${file} holds ${from}`).toContain(from);
  writeFileSync(path, text.replace(from, to));
};
const diff = async (...args: string[]) => {
  const run = await runCli(['release', 'diff', '--root', root, ...args]);
  return { ...run, report: run.stdout.startsWith('{') ? (JSON.parse(run.stdout) as { result?: ReleaseDiffReport }).result : undefined };
};
const summary = (report: ReleaseDiffReport | undefined) =>
  report?.objects.map((o) => [o.change, `${o.kind} ${o.namespace ?? ''}/${o.name}`, o.fields.map((f) => f.path)]);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'biomage-release-diff-'));
  cpSync(join(repoRoot, 'charts'), join(root, 'charts'), { recursive: true });
  cpSync(join(FIXTURES, 'repo'), root, { recursive: true });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'base');
  return () => rmSync(root, { recursive: true, force: true });
});

describe('release diff --base', () => {
  it('a commit changing one value of one release: that field of that object, nothing else; exit 3 with --exit-code', async () => {
    edit('releases/staging/ui.yaml', 'replicaCount: 2', 'replicaCount: 3');
    git('commit', '--quiet', '-am', 'ui: three replicas');
    const { code, report, stderr } = await diff('--env', 'staging', '--base', 'HEAD~1', '--exit-code', '--json');
    expect(code, stderr).toBe(3);
    expect(summary(report)).toEqual([['changed', 'Deployment ui/ui-nodejs', ['spec.replicas']]]);
    expect(report?.objects[0]?.fields).toEqual([{ path: 'spec.replicas', before: 2, after: 3 }]);
    // Only ui is rendered: api and credentials have the same HelmRelease and chart at both sides.
    expect(report?.releases.map((r) => [r.release, r.status, r.rendered ?? true])).toEqual([
      ['flux-system/api', 'unchanged', false],
      ['flux-system/credentials', 'unchanged', false],
      ['flux-system/ui', 'changed', true],
    ]);
    expect(report?.notRendered).toBe(2);
    // ui: Deployment, NetworkPolicy, PodDisruptionBudget, Service, ServiceAccount.
    expect(report?.compared).toBe(5);

    // Another environment's releases are untouched: nothing to show, exit 0.
    const production = await diff('--env', 'production', '--base', 'HEAD~1', '--exit-code', '--json');
    expect(production.code).toBe(0);
    expect(production.report?.objects).toEqual([]);
  });

  it('prints the field line and a unified diff of the object on stdout', async () => {
    edit('releases/staging/ui.yaml', 'replicaCount: 2', 'replicaCount: 3');
    const { code, stdout } = await diff('--env', 'staging', '--base', 'main');
    expect(code).toBe(0);
    const commit = git('rev-parse', 'main').slice(0, 12);
    expect(stdout).toContain(`releases/staging/: main@${commit} → working tree, 5 objects compared; 2 releases unchanged, not rendered`);
    expect(stdout).toContain('  HelmRelease flux-system/api (releases/staging/api.yaml:6): unchanged, not rendered\n');
    expect(stdout).toContain('~ changed Deployment ui/ui-nodejs\n    spec.replicas: 2 → 3\n');
    expect(stdout).toContain(`--- Deployment ui/ui-nodejs (main@${commit})\n+++ Deployment ui/ui-nodejs (working tree)\n`);
    expect(stdout).toMatch(/^- {2}replicas: 2\n\+ {2}replicas: 3$/m);
  });

  it('a commit changing the chart: every release that installs it changes, the others do not', async () => {
    edit('charts/nodejs/values.yaml', 'cpu: 250m', 'cpu: 500m');
    git('commit', '--quiet', '-am', 'nodejs chart: more CPU');
    const { code, report } = await diff('--env', 'staging', '--base', 'HEAD~1', '--exit-code', '--json');
    expect(code).toBe(3);
    const path = 'spec.template.spec.containers[name=nodejs].resources.requests.cpu';
    expect(summary(report)).toEqual([
      ['changed', 'Deployment api/api-nodejs', [path]],
      ['changed', 'Deployment ui/ui-nodejs', [path]],
    ]);
    expect(report?.objects[0]?.fields[0]).toEqual({ path, before: '250m', after: '500m' });
    expect(report?.releases.find((r) => r.release === 'flux-system/credentials')?.status).toBe('unchanged');
  });

  it('a change to a chart file that renders nothing different: the releases of that chart are rendered and unchanged, the others not rendered', async () => {
    edit('charts/nodejs/README.md', '# ', '# The ');
    git('commit', '--quiet', '-am', 'nodejs chart: README');
    const { code, report } = await diff('--env', 'staging', '--base', 'HEAD~1', '--exit-code', '--json');
    expect(code).toBe(0);
    expect(report?.releases.map((r) => [r.release, r.status, r.objects, r.rendered ?? true])).toEqual([
      ['flux-system/api', 'unchanged', 5, true],
      ['flux-system/credentials', 'unchanged', 0, false],
      ['flux-system/ui', 'unchanged', 5, true],
    ]);
  });

  it('uncommitted and untracked changes to a chart are seen: a changed template, a new one', async () => {
    edit('charts/credentials/templates/secret.yaml', 'kind: Secret', 'kind: Secret\nimmutable: true');
    writeFileSync(
      join(root, 'charts/credentials/templates/configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  mode: strict\n',
    );
    const { code, report } = await diff('--env', 'staging', '--base', 'main', '--exit-code', '--json');
    expect(code).toBe(3);
    expect(summary(report)).toEqual([
      ['added', 'ConfigMap api/api-credentials-settings', []],
      ['changed', 'Secret api/api-credentials', ['immutable']],
    ]);
    expect(report?.notRendered).toBe(2);
  });

  it('a values file changed in the working tree: the release that names it is rendered, with the base’s file at the base', async () => {
    mkdirSync(join(root, 'charts/values'));
    writeFileSync(join(root, 'charts/values/ui-staging.yaml'), 'resources:\n  requests:\n    cpu: 300m\n');
    edit('releases/staging/ui.yaml', '      sourceRef:', '      valuesFiles:\n        - charts/values/ui-staging.yaml\n      sourceRef:');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'ui: a values file');
    writeFileSync(join(root, 'charts/values/ui-staging.yaml'), 'resources:\n  requests:\n    cpu: 400m\n');
    const { code, report } = await diff('--env', 'staging', '--base', 'main', '--exit-code', '--json');
    expect(code).toBe(3);
    const path = 'spec.template.spec.containers[name=nodejs].resources.requests.cpu';
    expect(summary(report)).toEqual([['changed', 'Deployment ui/ui-nodejs', [path]]]);
    expect(report?.objects[0]?.fields[0]).toEqual({ path, before: '300m', after: '400m' });
    expect(report?.notRendered).toBe(2);
  });

  it('nothing changed: no release is rendered, no differences', async () => {
    const { code, report, stdout } = await diff('--env', 'staging', '--base', 'main', '--exit-code', '--json');
    expect(code, stdout).toBe(0);
    expect(report).toMatchObject({ compared: 0, notRendered: 3, objects: [] });
    expect(report?.releases.every((r) => r.status === 'unchanged' && r.rendered === false)).toBe(true);
  });

  it('a release added in the working tree is all added, one removed is all removed', async () => {
    cpSync(join(root, 'releases/production/ui.yaml'), join(root, 'releases/production/api.yaml'));
    edit('releases/production/api.yaml', 'name: ui\n', 'name: api\n');
    edit('releases/production/api.yaml', 'targetNamespace: ui', 'targetNamespace: api');
    edit('releases/production/api.yaml', 'releaseName: ui', 'releaseName: api');
    git('rm', '--quiet', 'releases/production/ui.yaml');
    const { code, report } = await diff('--env', 'production', '--base', 'main', '--exit-code', '--json');
    expect(code).toBe(3);
    expect(report?.releases.map((r) => [r.release, r.status, r.objects])).toEqual([
      ['flux-system/api', 'added', 5],
      ['flux-system/ui', 'removed', 5],
    ]);
    expect(report?.objects.filter((o) => o.namespace === 'api').every((o) => o.change === 'added')).toBe(true);
    expect(report?.objects.filter((o) => o.namespace === 'ui').every((o) => o.change === 'removed')).toBe(true);
  });

  it('a Secret’s changed value shows as a changed key, never as the value (text or --json)', async () => {
    edit('releases/staging/credentials.yaml', 'password: correct-horse-battery-staple', 'password: tr0ub4dor-and-3');
    const text = await diff('--env', 'staging', '--base', 'main');
    const json = await diff('--env', 'staging', '--base', 'main', '--json');
    for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain('correct-horse-battery-staple');
      expect(output).not.toContain('tr0ub4dor-and-3');
    }
    expect(text.stdout).toContain('~ changed Secret api/api-credentials\n    stringData.password: "(hidden)" → "(hidden, changed)"');
    expect(text.stdout).toMatch(/^- {2}password: \(hidden\)\n\+ {2}password: \(hidden, changed\)\n {3}username: \(hidden\)$/m);
  });

  it('a release whose chart comes from a chart repository is compared as its HelmRelease (its objects cannot be rendered offline)', async () => {
    const podinfo = (version: string) =>
      readFileSync(join(root, 'releases/staging/ui.yaml'), 'utf8')
        .replace('name: ui\n', 'name: podinfo\n')
        .replace('releaseName: ui', 'releaseName: podinfo')
        .replace('chart: ./charts/nodejs', `chart: podinfo\n      version: ${version}`)
        .replace('kind: GitRepository\n        name: flux-system', 'kind: HelmRepository\n        name: podinfo');
    writeFileSync(join(root, 'releases/staging/podinfo.yaml'), podinfo('6.7.0'));
    git('add', '--all');
    git('commit', '--quiet', '-m', 'podinfo 6.7.0');
    const unchanged = await diff('--env', 'staging', '--base', 'main', '--exit-code', '--json');
    expect(unchanged.code).toBe(0);
    expect(unchanged.report?.releases.find((r) => r.release === 'flux-system/podinfo')).toMatchObject({ status: 'unchanged', note: expect.stringContaining('only the HelmRelease is compared') });
    writeFileSync(join(root, 'releases/staging/podinfo.yaml'), podinfo('6.8.0'));
    const { code, report } = await diff('--env', 'staging', '--base', 'main', '--exit-code', '--json');
    expect(code).toBe(3);
    expect(report?.objects.map((o) => [o.kind, o.name, o.fields])).toEqual([['HelmRelease', 'podinfo', [{ path: 'spec.chart.spec.version', before: '6.7.0', after: '6.8.0' }]]]);
  });

  it('leaves the clone as it was: no index change, no worktree registered, nothing untracked', async () => {
    edit('releases/staging/ui.yaml', 'replicaCount: 2', 'replicaCount: 3');
    const before = { status: git('status', '--porcelain'), worktrees: git('worktree', 'list', '--porcelain'), index: readFileSync(join(root, '.git', 'index')) };
    await diff('--env', 'staging', '--base', 'main');
    expect(git('status', '--porcelain')).toBe(before.status);
    expect(git('worktree', 'list', '--porcelain')).toBe(before.worktrees);
    expect(readFileSync(join(root, '.git', 'index')).equals(before.index)).toBe(true);
  });
});

describe('release diff --base: bad input exits 2 and compares nothing', () => {
  it('a base that does not exist is named', async () => {
    const { code, stderr, stdout } = await diff('--env', 'staging', '--base', 'origin/no-such-branch');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('error: --base origin/no-such-branch: no such commit, branch or tag in this clone');
    expect(stderr).toContain('fetch the base branch first');
  });

  it.each(['values-rejected', 'invalid-release'])('test/fixtures/release-diff/bad/%s', async (name) => {
    cpSync(join(FIXTURES, 'bad', name), root, { recursive: true });
    const { code, stderr } = await diff('--env', 'staging', '--base', 'main', '--exit-code');
    expect(code).toBe(2);
    const expectedFile = join(FIXTURES, 'bad', name, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, stderr);
    expect(stderr).toBe(readFileSync(expectedFile, 'utf8'));
  });
});

describe('release diff against a cluster: no cluster to compare with exits 2', () => {
  it('development without the local cluster running names the way out (start it, or --base)', async () => {
    const { code, stderr } = await runCli(['release', 'diff', '--root', root, '--env', 'development'], { BIOMAGE_STATE_DIR: join(root, '.state') });
    expect(code).toBe(2);
    expect(stderr).toContain('error: the local cluster is not running, so there is no cluster to compare releases/development/ with');
    expect(stderr).toContain('--base <ref>');
  });

  it('a kubeconfig that does not exist, or lacks the context biomage-<env> (test/fixtures/release-diff/kubeconfig-other-context.yaml)', async () => {
    const missing = await runCli(['release', 'diff', '--root', root, '--env', 'staging'], { KUBECONFIG: join(root, 'no-such-kubeconfig') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`error: cannot read the kubeconfig ${join(root, 'no-such-kubeconfig')}`);
    expect(missing.stderr).toContain('biomage kubeconfig --env staging');
    const other = await runCli(['release', 'diff', '--root', root, '--env', 'staging'], { KUBECONFIG: join(FIXTURES, 'kubeconfig-other-context.yaml') });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('has no context biomage-staging with a cluster');
  });
});
