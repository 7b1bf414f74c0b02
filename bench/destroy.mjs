// How long taking the twin down takes: `biomage destroy` of every stack against the obvious
// alternative, deleting the same stacks one at a time with `aws cloudformation delete-stack` then
// `aws cloudformation wait stack-delete-complete`, importers first (the order destroy works out).
// For today's cf/ and the platform fixture (test/fixtures/platform, GUIDE §7's shape). Each run
// starts from a new twin (the development cluster and eksctl's stack, then `biomage deploy-cf`,
// untimed); only the teardown is timed, as a whole process, interleaved by round. Medians and the
// ratio of medians; what destroy reported as kept is printed too.
//
//   node bench/destroy.mjs [rounds] [size…]     (make bench; needs dist/ built and aws-cli on PATH)
//   sizes: cf, fixture (default: both)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emulatorEnv, plansInDeployOrder } from './emulator-runs.mjs';
import { medians } from './medians.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
const sizes = process.argv.slice(3).length ? process.argv.slice(3) : ['cf', 'fixture'];
const dist = (module) => import(pathToFileURL(join(repo, 'dist', module)).href);
const { startEmulator } = await dist('tools/moto.js');
const { registerDevCluster } = await dist('dev/twin-stacks.js');
const { awsClient } = await dist('aws/clients.js');
const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');

/** A repository of its own (tracked files, the built CLI, shared node_modules and .tools) with cf/ replaced by `templatesDir`. */
function repositoryWith(templatesDir) {
  const root = mkdtempSync(join(tmpdir(), 'bench-destroy-'));
  execFileSync('bash', ['-c', `git -C "${repo}" archive HEAD | tar -x -C "${root}"`]);
  cpSync(join(repo, 'dist'), join(root, 'dist'), { recursive: true });
  for (const shared of ['node_modules', '.tools']) symlinkSync(join(repo, shared), join(root, shared));
  if (templatesDir !== join(repo, 'cf')) {
    rmSync(join(root, 'cf'), { recursive: true, force: true });
    cpSync(templatesDir, join(root, 'cf'), { recursive: true });
  }
  return root;
}

const platforms = { cf: () => repositoryWith(join(repo, 'cf')), fixture: () => repositoryWith(join(repo, 'test', 'fixtures', 'platform', 'cf')) };

const logDir = mkdtempSync(join(tmpdir(), 'bench-'));
let emulator;
const target = { region: 'eu-west-1', endpoint: '', local: true };
const env = emulatorEnv();

/** A new twin with cf/ deployed by biomage itself (untimed). */
async function deployedTwin(root) {
  await emulator?.stop();
  emulator = await startEmulator({ logFile: join(logDir, 'emulator.log') });
  target.endpoint = emulator.endpoint;
  env.AWS_ENDPOINT_URL = emulator.endpoint;
  await registerDevCluster(target);
  timed(join(root, 'bin', 'biomage'), ['deploy-cf', '--json', '--concurrency', '8'], root);
}

/** The loop: each stack deleted and waited for before the next, importers before exporters. */
async function loopScript(root) {
  const order = await plansInDeployOrder(root, target);
  return [
    'set -e',
    ...order
      .reverse()
      .map(
        (p) =>
          `aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation delete-stack --stack-name ${p.stackName} && ` +
          `aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation wait stack-delete-complete --stack-name ${p.stackName}`,
      ),
  ].join('\n');
}

function run(file, args, cwd) {
  const result = spawnSync(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ').slice(0, 200)} exited ${result.status}:\n${result.stderr.slice(-1500)}`);
  return result;
}

function timed(file, args, cwd) {
  const started = process.hrtime.bigint();
  run(file, args, cwd);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Stacks of the environment left after a teardown (eksctl's is expected to stay). */
async function remainingStacks() {
  const cfn = awsClient(CloudFormationClient, target);
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({}));
  cfn.destroy();
  return Stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE').map((s) => s.StackName);
}

const report = { rounds, sizes: {} };
try {
  for (const size of sizes) {
    const root = platforms[size]();
    const templates = readdirSync(join(root, 'cf')).filter((f) => /\.ya?ml$/.test(f) && f !== 'parameters.yaml');
    await deployedTwin(root);
    const loop = await loopScript(root);
    let retained;
    const contenders = {
      'biomage destroy': () => {
        const started = process.hrtime.bigint();
        const result = run(join(root, 'bin', 'biomage'), ['destroy', '--json', '--concurrency', '8'], root);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        retained = JSON.parse(result.stdout).result.retained;
        return ms;
      },
      'aws delete-stack + wait loop': () => timed('bash', ['-c', loop], root),
    };
    const times = {};
    for (let round = 0; round < rounds; round++) {
      for (const [name, contender] of Object.entries(contenders)) {
        await deployedTwin(root);
        (times[name] ??= []).push(contender());
        const left = await remainingStacks();
        if (left.join() !== 'eksctl-biomage-development-cluster') throw new Error(`${name} left stacks behind: ${left.join(', ')}`);
      }
    }
    const m = medians(times);
    report.sizes[size] = { templates: templates.length, mediansMs: m, ratio: m['aws delete-stack + wait loop'] / m['biomage destroy'], retained };
    console.log(`\n${size}: ${templates.length} stacks`);
    for (const [name, ms] of Object.entries(m)) console.log(`  ${name.padEnd(32)} median ${(ms / 1000).toFixed(2)} s`);
    console.log(`  ${'loop / biomage'.padEnd(32)} ${report.sizes[size].ratio.toFixed(1)}x`);
    console.log(`  kept by destroy: ${retained.length ? retained.map((r) => `${r.type} ${r.physicalId} [${r.policy}]`).join('; ') : 'nothing'}`);
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await emulator?.stop();
}
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(join(repo, 'bench', 'results', 'destroy.json'), `${JSON.stringify(report, null, 2)}\n`);
