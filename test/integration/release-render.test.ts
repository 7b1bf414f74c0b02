import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installRoot as repoRoot } from '../../src/paths.js';
import { renderChart } from '../../src/tools/helm.js';
import { validateManifests } from '../../src/tools/kubeconform.js';
import { runCli } from '../helpers/cli.js';

/**
 * `biomage release render` against golden files, with the real helm and kubeconform:
 * test/fixtures/release-render/good/<case>/ holds args.json (its --template relative to the case
 * folder), maybe a .flux.ci, and expected.yaml; bad/<case>/ holds expected.txt, the exact error.
 * UPDATE_GOLDEN=1 rewrites the expected files.
 */
const fixtures = join(repoRoot, 'test', 'fixtures', 'release-render');
const update = process.env.UPDATE_GOLDEN === '1';
const cases = (kind: string) => readdirSync(join(fixtures, kind)).sort();

/** A checkout of this repository with what render reads: the charts and infra/github.yaml. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'biomage-render-'));
  cpSync(join(repoRoot, 'charts'), join(root, 'charts'), { recursive: true });
  mkdirSync(join(root, 'releases', 'staging'), { recursive: true });
  // A release already there, which a failed render must leave as it was.
  writeFileSync(join(root, 'releases', 'staging', 'ui.yaml'), '# the release before\n');
  return root;
}

function args(caseDir: string, root: string): string[] {
  const list = JSON.parse(readFileSync(join(caseDir, 'args.json'), 'utf8')) as string[];
  const at = list.indexOf('--template');
  list[at + 1] = resolve(caseDir, list[at + 1]!);
  return ['release', 'render', '--root', root, ...list];
}

/** Every file under releases/, with its content. */
function releases(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const env of readdirSync(join(root, 'releases'))) {
    for (const file of readdirSync(join(root, 'releases', env))) files[`${env}/${file}`] = readFileSync(join(root, 'releases', env, file), 'utf8');
  }
  return files;
}

function golden(file: string, actual: string): void {
  if (update || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('release render: good templates', () => {
  it.each(cases('good'))('%s renders the golden release, and a second run changes nothing', async (name) => {
    const caseDir = join(fixtures, 'good', name);
    const root = checkout();
    const run = await runCli(args(caseDir, root), { CI: 'true', GITHUB_REPOSITORY: undefined });
    expect(run.stderr).toMatch(/^wrote releases\//);
    expect(run.code).toBe(0);
    const written = Object.entries(releases(root)).filter(([, text]) => text !== '# the release before\n');
    expect(written).toHaveLength(1);
    golden(join(caseDir, 'expected.yaml'), written[0]![1]);

    const again = await runCli([...args(caseDir, root), '--json'], { CI: 'true', GITHUB_REPOSITORY: undefined });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).result).toMatchObject({ changed: false, written: false });
  });

  it('--dry-run reports the file it would write and writes nothing', async () => {
    const root = checkout();
    const before = releases(root);
    const run = await runCli([...args(join(fixtures, 'good', 'minimal'), root), '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^would write releases\/staging\/api\.yaml/);
    expect(releases(root)).toEqual(before);
  });
});

describe('release render: bad input exits 2 with a clear message and writes nothing', () => {
  it.each(cases('bad'))('%s', async (name) => {
    const caseDir = join(fixtures, 'bad', name);
    const root = checkout();
    const before = releases(root);
    const run = await runCli(args(caseDir, root), { CI: 'true', GITHUB_REPOSITORY: undefined });
    expect(run.code).toBe(2);
    golden(join(caseDir, 'expected.txt'), run.stderr.replaceAll(root, '<root>'));
    expect(releases(root)).toEqual(before);
  });
});

/**
 * Every release, the golden ones and whatever CI has written to releases/, through the real
 * helm (with the release's values) and kubeconform's strict schemas, independently of render.
 */
describe('releases render through helm and kubeconform (strict)', () => {
  const golden = cases('good').map((name) => join(fixtures, 'good', name, 'expected.yaml'));
  const committed = readdirSync(join(repoRoot, 'releases'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(repoRoot, 'releases', d.name)).filter((f) => f.endsWith('.yaml')).map((f) => join(repoRoot, 'releases', d.name, f)));
  it.each([...golden, ...committed].map((file) => [file.slice(repoRoot.length + 1), file]))('%s', async (_name, file) => {
    const release = parse(readFileSync(file, 'utf8')) as { metadata: { name: string }; spec: { targetNamespace?: string; chart: { spec: { chart: string } }; values?: unknown } };
    const rendered = await renderChart({
      chartDir: release.spec.chart.spec.chart.replace(/^\.\//, ''),
      releaseName: release.metadata.name,
      namespace: release.spec.targetNamespace ?? 'flux-system',
      values: JSON.stringify(release.spec.values ?? {}),
      cwd: repoRoot,
    });
    if (!rendered.ok) throw new Error(rendered.message);
    const results = await validateManifests({ stdin: `${readFileSync(file, 'utf8')}\n---\n${rendered.manifests}` });
    expect(results.length).toBeGreaterThan(3);
    expect(results.filter((r) => r.status !== 'valid')).toEqual([]);
  });
});
