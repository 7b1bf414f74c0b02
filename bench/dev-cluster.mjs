// Start-up of the local cluster. `biomage dev cluster up` (control plane, Flux CRDs, kwok nodes,
// three controllers and the git server, each checked healthy) against the obvious alternative
// it wraps: `kwokctl create cluster` alone (a bare control plane, nothing installed), with the
// same binaries and configuration. Interleaved (A B A B ...), each followed by its teardown;
// reports medians and the ratio of medians. Needs `make tools-e2e`.
//
//   node bench/dev-cluster.mjs [runs]        (make bench-e2e)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medians } from './medians.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const bin = join(root, '.tools', 'bin');
const scratch = mkdtempSync(join(tmpdir(), 'biomage-bench-cluster-'));
const env = { ...process.env, BIOMAGE_STATE_DIR: join(scratch, 'state') };
delete env.BIOMAGE_ENV;

const run = (file, args, extraEnv = {}) => {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: root, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: result.stdout };
};
const biomage = (...args) => run(join(root, 'bin', 'biomage'), args);

// kwokctl alone, from the configuration `dev cluster up` writes (read from its first run).
const kwokDir = join(scratch, 'kwok');
const kwokctl = (...args) => run(join(bin, 'kwokctl'), args, { KWOK_WORKDIR: kwokDir });

const times = { 'biomage dev cluster up': [], 'biomage: API server ready': [], 'kwokctl create cluster': [] };
let kwokConfig;
try {
  for (let i = -1; i < runs; i++) {
    const up = biomage('dev', 'cluster', 'up', '--json');
    const report = JSON.parse(up.stdout).result;
    kwokConfig ??= (() => {
      const file = join(scratch, 'kwokctl.json');
      writeFileSync(file, readFileSync(join(env.BIOMAGE_STATE_DIR, 'cluster', 'kwokctl.yaml'), 'utf8'));
      return file;
    })();
    biomage('dev', 'cluster', 'down');
    const bare = kwokctl('--config', kwokConfig, '--name', 'bench', 'create', 'cluster', '--kubeconfig', join(scratch, 'kubeconfig'), '--wait', '60s');
    kwokctl('--name', 'bench', 'delete', 'cluster', '--kubeconfig', join(scratch, 'kubeconfig'));
    if (i < 0) continue; // the first round warms the file cache
    times['biomage dev cluster up'].push(up.ms);
    times['biomage: API server ready'].push(report.timings.apiServerMs);
    times['kwokctl create cluster'].push(bare.ms);
  }
} finally {
  spawnSync(join(root, 'bin', 'biomage'), ['dev', 'cluster', 'down'], { env });
  rmSync(scratch, { recursive: true, force: true });
}

const medianOf = medians(times);
const report = {
  runs,
  mediansMs: medianOf,
  ratios: {
    'dev cluster up / kwokctl create cluster': medianOf['biomage dev cluster up'] / medianOf['kwokctl create cluster'],
  },
};
for (const [name, ms] of Object.entries(medianOf)) console.log(`${name.padEnd(28)} median ${(ms / 1000).toFixed(2)} s`);
for (const [name, r] of Object.entries(report.ratios)) console.log(`${name.padEnd(40)} ${r.toFixed(2)}x`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'dev-cluster.json'), `${JSON.stringify(report, null, 2)}\n`);
