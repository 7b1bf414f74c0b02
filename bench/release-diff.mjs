// `biomage release diff --base` against the obvious alternative: check the base out into a git
// worktree, `helm template` every release of the environment at both sides with its values, and
// `diff -u` the two whole streams. Four changes, each one commit on a scratch repository (this
// checkout's charts/ and test/fixtures/release-diff/repo/): one value of one release, the nodejs
// chart (two of the three releases install it), nothing that reaches a release (a README), and
// one value of one release among twelve. Interleaved runs (A B A B ...) so machine drift hits
// both alike; reports the median wall time of each, the ratio, the objects compared, the
// releases biomage did not render (same inputs at both sides) and how much each output says.
// The alternative runs inside this already started Node (no start-up, its YAML parser loaded);
// biomage pays both, as it does from a shell.
//
// BIOMAGE_BASELINE=<another checkout>/bin/biomage adds that build as a third side (a before/after
// of a change to biomage itself, in the same interleaved run).
//
//   node bench/release-diff.mjs [runs]        (make bench)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { medians } from './medians.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const helm = join(root, '.tools', 'bin', 'helm');
const env = 'staging';

/** The fixture's repository; `services` more releases of the nodejs chart (copies of api under other names), for the scale case. */
function scratchRepository(services = 0) {
  const repo = mkdtempSync(join(tmpdir(), 'biomage-bench-release-diff-'));
  cpSync(join(root, 'charts'), join(repo, 'charts'), { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'release-diff', 'repo'), repo, { recursive: true });
  const api = readFileSync(join(repo, 'releases', env, 'api.yaml'), 'utf8');
  for (let i = 1; i <= services; i++) {
    const name = `service-${i}`;
    const release = api.replace('name: api\n', `name: ${name}\n`).replace('targetNamespace: api', `targetNamespace: ${name}`).replace('releaseName: api', `releaseName: ${name}`);
    writeFileSync(join(repo, 'releases', env, `${name}.yaml`), release);
  }
  const git = (...args) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', ...args], { cwd: repo, encoding: 'utf8' });
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'base');
  return { repo, git };
}

// [file, from, to, more releases]: the fixture has three releases; the last case has twelve.
const edits = {
  'one value of one release': [`releases/${env}/ui.yaml`, 'replicaCount: 2', 'replicaCount: 3'],
  'the nodejs chart': ['charts/nodejs/values.yaml', 'cpu: 250m', 'cpu: 500m'],
  'no change to any release': ['charts/README.md', '# ', '# Charts: '],
  'one value of one of twelve releases': [`releases/${env}/ui.yaml`, 'replicaCount: 2', 'replicaCount: 3', 9],
};
const baseline = process.env.BIOMAGE_BASELINE;

/** The alternative, as a shell pipeline would do it: a worktree of the base, helm template per release per side, diff -u. */
function templateTwiceAndDiff(repo) {
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-bench-alt-'));
  const base = join(scratch, 'base');
  execFileSync('git', ['worktree', 'add', '--quiet', '--detach', base, 'HEAD~1'], { cwd: repo });
  try {
    const render = (tree, out) => {
      const folder = join(tree, 'releases', env);
      const streams = [];
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()) {
        const release = parse(readFileSync(join(folder, file), 'utf8'));
        const values = join(scratch, `${out}-${file}`);
        writeFileSync(values, JSON.stringify(release.spec.values ?? {}));
        const namespace = release.spec.targetNamespace ?? release.metadata.namespace;
        const name = release.spec.releaseName ?? `${namespace}-${release.metadata.name}`;
        const chart = join(tree, release.spec.chart.spec.chart);
        streams.push(execFileSync(helm, ['template', name, chart, '--namespace', namespace, '--no-hooks', '-f', values], { encoding: 'utf8' }));
      }
      writeFileSync(join(scratch, out), streams.join('---\n'));
    };
    render(base, 'base.yaml');
    render(repo, 'head.yaml');
    const diff = spawnSync('diff', ['-u', join(scratch, 'base.yaml'), join(scratch, 'head.yaml')], { encoding: 'utf8' });
    return diff.stdout;
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', base], { cwd: repo });
    rmSync(scratch, { recursive: true, force: true });
  }
}

const report = { runs, env, cases: {} };
for (const [label, [file, from, to, services]] of Object.entries(edits)) {
  const { repo, git } = scratchRepository(services);
  const path = join(repo, file);
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
  git('commit', '--quiet', '-am', label);
  let biomage;
  let alternative;
  const releaseDiff = (bin) => {
    const run = spawnSync(bin, ['release', 'diff', '--env', env, '--base', 'HEAD~1', '--root', repo, '--json'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${bin} release diff exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout).result;
  };
  const sides = {
    'biomage release diff --base': () => {
      biomage = releaseDiff(join(root, 'bin', 'biomage'));
    },
    'helm template ×2 + diff -u': () => {
      alternative = templateTwiceAndDiff(repo);
    },
    ...(baseline ? { 'baseline biomage': () => releaseDiff(baseline) } : {}),
  };
  const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
  for (let i = -1; i < runs; i++) {
    for (const [name, run] of Object.entries(sides)) {
      const started = process.hrtime.bigint();
      run();
      if (i >= 0) times[name].push(Number(process.hrtime.bigint() - started) / 1e6); // round -1 warms caches
    }
  }
  const medianOf = medians(times);
  const changedLines = alternative.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l)).length;
  report.cases[label] = {
    mediansMs: medianOf,
    'biomage / alternative': medianOf['biomage release diff --base'] / medianOf['helm template ×2 + diff -u'],
    ...(baseline ? { 'biomage / baseline': medianOf['biomage release diff --base'] / medianOf['baseline biomage'] } : {}),
    releases: biomage.releases.length,
    releasesNotRendered: biomage.notRendered ?? 0,
    objectsCompared: biomage.compared,
    objectsChanged: biomage.objects.length,
    fieldsChanged: biomage.objects.reduce((sum, o) => sum + o.fields.length, 0),
    alternativeChangedLines: changedLines,
  };
  rmSync(repo, { recursive: true, force: true });
  const c = report.cases[label];
  console.log(`${label}:`);
  for (const [name, ms] of Object.entries(medianOf)) console.log(`  ${name.padEnd(28)} median ${ms.toFixed(0)} ms`);
  const versusBaseline = baseline ? `, biomage / baseline ${c['biomage / baseline'].toFixed(2)}x` : '';
  console.log(`  biomage / alternative ${c['biomage / alternative'].toFixed(2)}x${versusBaseline}`);
  console.log(
    `  biomage: ${c.releases} releases, ${c.releasesNotRendered} not rendered (same inputs), ${c.objectsCompared} objects compared, ${c.objectsChanged} changed (${c.fieldsChanged} fields); diff -u: ${c.alternativeChangedLines} changed lines, no object or field named`,
  );
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'release-diff.json'), `${JSON.stringify(report, null, 2)}\n`);
