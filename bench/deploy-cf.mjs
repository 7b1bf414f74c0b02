// `biomage deploy-cf` against the old CI's way: a sequential loop of
// `aws cloudformation deploy --no-fail-on-empty-changeset`, one template after the other.
// Both deploy every cf/ template into the same emulator, reset to empty before each
// contender's first deploy, then run again with nothing changed. Whole-process wall times;
// medians over the rounds, and the ratios of medians.
//
//   node bench/deploy-cf.mjs [rounds]        (make bench; needs aws-cli on PATH)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medians } from './medians.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
const { startEmulator } = await import(join(root, 'dist', 'tools', 'moto.js'));
const emulator = await startEmulator({ logFile: join(mkdtempSync(join(tmpdir(), 'bench-')), 'emulator.log') });
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_REGION: 'eu-west-1',
  BIOMAGE_ENV: 'development',
  AWS_ENDPOINT_URL: emulator.endpoint,
};
const aws = (...args) => execFileSync('aws', ['--endpoint-url', emulator.endpoint, ...args], { env, encoding: 'utf8' }).trim();

// The old loop deployed templates in the order it was given; give it the dependency order
// (IRSA roles import the other stacks' exports), so that it succeeds at all.
const templates = readdirSync(join(root, 'cf'))
  .filter((f) => f.endsWith('.yaml') && f !== 'parameters.yaml')
  .sort((a, b) => Number(a.startsWith('irsa-')) - Number(b.startsWith('irsa-')) || a.localeCompare(b));
const oldLoop = `
  set -e
  issuer=$(aws --endpoint-url "$AWS_ENDPOINT_URL" eks describe-cluster --name biomage-development --query cluster.identity.oidc.issuer --output text)
  for t in ${templates.join(' ')}; do
    name=\${t%.yaml}
    params="Environment=development"
    case $name in irsa-*) params="$params OIDCProvider=\${issuer#https://}";; esac
    aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation deploy --no-fail-on-empty-changeset \\
      --template-file cf/$t --stack-name biomage-$name-development \\
      --parameter-overrides $params --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM >/dev/null
  done`;

function resetEmulator() {
  execFileSync('curl', ['-s', '-X', 'POST', `${emulator.endpoint}/moto-api/reset`]);
  // Both contenders need the cluster biomage-development and its OIDC provider, as in staging.
  aws('eks', 'create-cluster', '--name', 'biomage-development', '--role-arn', 'arn:aws:iam::123456789012:role/bench', '--resources-vpc-config', 'subnetIds=[]');
}

function timed(file, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const contenders = {
  'biomage deploy-cf': () => timed(join(root, 'bin', 'biomage'), ['deploy-cf', '--json']),
  'aws cloudformation deploy loop': () => timed('bash', ['-c', oldLoop]),
};
const times = {};
try {
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      resetEmulator();
      (times[`${name}: first deploy`] ??= []).push(run());
      (times[`${name}: nothing changed`] ??= []).push(run());
    }
  }
} finally {
  await emulator.stop();
}

const medianOf = medians(times);
const ratio = (phase) => medianOf[`aws cloudformation deploy loop: ${phase}`] / medianOf[`biomage deploy-cf: ${phase}`];
const report = {
  rounds,
  templates: templates.length,
  mediansMs: medianOf,
  speedup: { 'first deploy (loop / biomage)': ratio('first deploy'), 'nothing changed (loop / biomage)': ratio('nothing changed') },
};
for (const [name, ms] of Object.entries(medianOf)) console.log(`${name.padEnd(48)} median ${(ms / 1000).toFixed(2)} s`);
for (const [name, r] of Object.entries(report.speedup)) console.log(`${name.padEnd(48)} ${r.toFixed(1)}x`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'deploy-cf.json'), `${JSON.stringify(report, null, 2)}\n`);
