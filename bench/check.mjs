// `biomage check` over the whole repository against running the same linters one file at a time,
// as the old CI did: cfn-lint per template, helm lint and helm template | kubeconform per chart,
// kubeconform per release file, actionlint per workflow. Both sides run interleaved (A B A B ...)
// so machine drift hits both alike; reports the median wall time of each and the ratio.
//
//   node bench/check.mjs [runs]        (make bench)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medians } from './medians.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const bin = (name) => join(root, '.tools', 'bin', name);
const cfnLint = join(root, '.tools', 'venv', 'bin', 'cfn-lint');
const schemas = join(root, '.tools', 'schemas');
const kubeconform = [
  '-strict', '-summary=false',
  '-schema-location', join(schemas, 'kubernetes', '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
  '-schema-location', join(schemas, '{{ .Group }}', '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
];

const list = (dir, pattern) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => pattern.test(f)).sort().map((f) => `${dir}/${f}`) : []);
const dirs = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${dir}/${e.name}`) : []);
const templates = [...list('cf', /\.ya?ml$/), ...list('infra', /^cf-.*\.ya?ml$/)];
const charts = [...dirs('charts'), ...dirs('infra/charts')].filter((d) => existsSync(join(root, d, 'Chart.yaml')));
const releases = dirs('releases').flatMap((d) => list(d, /\.ya?ml$/));
const workflows = list('.github/workflows', /\.ya?ml$/);

// The per-file pipeline, as shell commands; each one a separate process tree like a CI step.
const perFile = [
  ...templates.map((t) => `${cfnLint} --regions eu-west-1 -- ${t}`),
  ...charts.flatMap((c) => [`${bin('helm')} lint ${c}`, `${bin('helm')} template ${c} | ${bin('kubeconform')} ${kubeconform.join(' ')} -`]),
  ...releases.map((r) => `${bin('kubeconform')} ${kubeconform.join(' ')} ${r}`),
  ...workflows.map((w) => `${bin('actionlint')} ${w}`),
];

const sides = {
  'biomage check': () => spawnSync(join(root, 'bin', 'biomage'), ['check'], { cwd: root, stdio: 'ignore' }).status,
  'per-file linters': () => perFile.reduce((worst, cmd) => Math.max(worst, spawnSync('bash', ['-c', cmd], { cwd: root, stdio: 'ignore' }).status ?? 1), 0),
};

const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
for (let i = -1; i < runs; i++) {
  for (const [name, run] of Object.entries(sides)) {
    const started = process.hrtime.bigint();
    const status = run();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (name === 'biomage check' && status !== 0 && status !== 3) throw new Error(`biomage check exited ${status}`);
    if (i >= 0) times[name].push(ms); // the first round warms the file cache
  }
}

const medianOf = medians(times);
const report = {
  runs,
  inputs: { templates: templates.length, charts: charts.length, releases: releases.length, workflows: workflows.length, perFileProcesses: perFile.length },
  mediansMs: medianOf,
  'per-file / biomage check': medianOf['per-file linters'] / medianOf['biomage check'],
};
for (const [name, ms] of Object.entries(medianOf)) console.log(`${name.padEnd(18)} median ${(ms / 1000).toFixed(2)} s`);
console.log(`per-file / biomage check  ${report['per-file / biomage check'].toFixed(2)}x  (${JSON.stringify(report.inputs)})`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'check.json'), `${JSON.stringify(report, null, 2)}\n`);
