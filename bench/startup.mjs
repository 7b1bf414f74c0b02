// Start-up cost of `biomage --help` against bare node, and against what loading the SDKs eagerly
// would cost. Runs the three commands interleaved (A B C A B C ...) so machine drift hits all of
// them alike, and reports the median wall time of each and the ratios of medians.
//
//   node bench/startup.mjs [runs]        (make bench)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medians } from './medians.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 25);
const node = process.execPath;

// What `biomage --help` would cost if cli.ts imported every command's dependencies up front.
const eager = `
  await Promise.all(['@aws-sdk/client-cloudformation', '@aws-sdk/client-eks', '@aws-sdk/client-iam',
    '@aws-sdk/client-sts', '@kubernetes/client-node', 'zod', 'execa'].map((m) => import(m)));
  const { main } = await import('./dist/cli.js');
  process.exitCode = await main(['--help']);`;

const commands = {
  'node -e 0': [node, ['-e', '0']],
  // As typed: the launcher chooses its Node (the pinned one in .tools/node where the machine's is too old).
  'biomage --help': [join(root, 'bin', 'biomage'), ['--help']],
  'eager imports + --help': [node, ['--input-type=module', '-e', eager]],
};

const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let i = -1; i < runs; i++) {
  for (const [name, [file, args]] of Object.entries(commands)) {
    const started = process.hrtime.bigint();
    const result = spawnSync(file, args, { cwd: root, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    if (i >= 0) times[name].push(ms); // the first round warms the file cache
  }
}

const medianOf = medians(times);
const base = medianOf['node -e 0'];
const lazy = medianOf['biomage --help'];
const report = {
  runs,
  node: process.version,
  mediansMs: medianOf,
  ratios: {
    'biomage --help / node -e 0': lazy / base,
    'eager / biomage --help': medianOf['eager imports + --help'] / lazy,
  },
};

for (const [name, ms] of Object.entries(medianOf)) console.log(`${name.padEnd(24)} median ${ms.toFixed(1)} ms`);
for (const [name, r] of Object.entries(report.ratios)) console.log(`${name.padEnd(28)} ${r.toFixed(2)}x`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'startup.json'), `${JSON.stringify(report, null, 2)}\n`);
