import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadGithubConfig } from '../../src/config/github.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { validateManifests } from '../../src/tools/kubeconform.js';
import { runCli } from '../helpers/cli.js';

/**
 * `biomage release flux-sync`: the GitRepository and Kustomization that connect a cluster to
 * releases/<env>/, checked against the real Flux schemas (kubeconform, strict) and, for the
 * GitRepository's ignore rules, against git's own gitignore matching.
 */
const github = loadGithubConfig(repoRoot);

const PATHS = ['releases/staging/ui.yaml', 'releases/production/ui.yaml', 'charts/nodejs/Chart.yaml', 'cf/s3.yaml', 'src/cli.ts'];

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** The paths of PATHS that git ignores under these gitignore rules (in a scratch repository). */
function ignoredPaths(ignore: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-flux-ignore-'));
  scratch.push(dir);
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined } });
  expect(git('init', '-q').status).toBe(0);
  writeFileSync(join(dir, '.gitignore'), `${ignore}\n`);
  for (const path of PATHS) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), '');
  }
  // Exit 0: some path is ignored, 1: none is; each ignored path is printed on its own line.
  const result = git('check-ignore', '--no-index', ...PATHS);
  expect([0, 1], result.stderr).toContain(result.status);
  return result.stdout.split('\n').filter(Boolean);
}

type FluxObject = { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> };

/** The objects of a multi-document YAML stream, without empty documents; fails on a syntax error. */
function yamlObjects(text: string): FluxObject[] {
  const documents = [...parseAllDocuments(text)];
  expect(documents.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
  return documents.map((d) => d.toJS() as FluxObject | null).filter((o): o is FluxObject => o !== null);
}

describe.each(['staging', 'production'] as const)('release flux-sync --env %s', (env) => {
  const other = env === 'staging' ? 'production' : 'staging';

  it('prints the GitRepository and Kustomization as YAML that kubeconform finds valid, strictly', async () => {
    const run = await runCli(['release', 'flux-sync', '--env', env]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const objects = yamlObjects(run.stdout);
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'source.toolkit.fluxcd.io/v1 GitRepository flux-system/flux-system',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization flux-system/releases',
    ]);

    const results = await validateManifests({ stdin: run.stdout });
    expect(results.map((r) => [r.kind, r.name, r.status, r.msg])).toEqual([
      ['GitRepository', 'flux-system', 'valid', ''],
      ['Kustomization', 'releases', 'valid', ''],
    ]);
  });

  it('points the GitRepository at infra/github.yaml over SSH with the deploy key, and the Kustomization at releases/<env>', async () => {
    const run = await runCli(['release', 'flux-sync', '--env', env]);
    expect(run.code).toBe(0);
    const [gitRepository, kustomization] = yamlObjects(run.stdout);
    const source = gitRepository!.spec;
    const kustomize = kustomization!.spec;

    expect(source.url).toBe(`ssh://git@github.com/${github.organisation}/${github.repository}.git`);
    expect(source.secretRef).toEqual({ name: 'flux-system' });
    expect(source.ref).toEqual({ branch: github.defaultBranch });

    expect(kustomize.path).toBe(`./releases/${env}`);
    expect(kustomize.prune).toBe(true);
    expect(kustomize.sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
  });

  it(`ignores everything but releases/${env}/ and charts/, as git reads the ignore rules`, async () => {
    const run = await runCli(['release', 'flux-sync', '--env', env, '--json']);
    expect(run.code).toBe(0);
    const [gitRepository] = (JSON.parse(run.stdout) as { result: FluxObject[] }).result;
    const ignore = gitRepository!.spec.ignore as string;
    expect(ignoredPaths(ignore).sort()).toEqual([`releases/${other}/ui.yaml`, 'cf/s3.yaml', 'src/cli.ts'].sort());
  });

  it('gives the same objects as JSON with --json', async () => {
    const run = await runCli(['release', 'flux-sync', '--env', env, '--json']);
    expect(run.code).toBe(0);
    const envelope = JSON.parse(run.stdout) as { ok: boolean; command: string; exitCode: number; result: FluxObject[] };
    expect(envelope).toMatchObject({ ok: true, command: 'release flux-sync', exitCode: 0 });
    const yaml = await runCli(['release', 'flux-sync', '--env', env]);
    expect(envelope.result).toEqual(yamlObjects(yaml.stdout));
    expect(envelope.result.map((o) => o.kind)).toEqual(['GitRepository', 'Kustomization']);
    expect(envelope.result[1]!.spec).toMatchObject({ path: `./releases/${env}`, prune: true });
  });
});

describe('release flux-sync --env development', () => {
  it('exits 2: development runs no cluster fed from releases/, and the message names staging and production', async () => {
    const run = await runCli(['release', 'flux-sync', '--env', 'development']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--env development runs no cluster');
    expect(run.stderr).toContain('staging');
    expect(run.stderr).toContain('production');
  });
});
