// How deploy-cf and check grow with the platform: today's cf/, the platform fixture
// (test/fixtures/platform, about 25 templates of GUIDE §7's shape), and a generated platform of 100
// templates (the fixture's templates again under other names). For each size:
//   - `biomage deploy-cf` against a sequential loop of `aws cloudformation deploy`, given the
//     dependency order and the same parameter values (the obvious alternative: what the old CI
//     ran), each from an emptied twin (the development cluster and eksctl's stack set up first),
//     then each again with nothing changed;
//   - `biomage check` against cfn-lint run once per template (the old CI's lint step).
// Whole-process wall times, interleaved by round; medians and ratios of medians.
//
//   node bench/platform-scale.mjs [rounds] [size…]     (make bench; needs aws-cli on PATH)
//   sizes: cf, fixture, 100 (default: all three)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emulatorEnv, plansInDeployOrder } from './emulator-runs.mjs';
import { medians } from './medians.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
const sizes = process.argv.slice(3).length ? process.argv.slice(3) : ['cf', 'fixture', '100'];
const dist = (module) => import(pathToFileURL(join(repo, 'dist', module)).href);
const { startEmulator } = await dist('tools/moto.js');
const { registerDevCluster } = await dist('dev/twin-stacks.js');

/**
 * A repository of its own for one platform size: the tracked files and the built CLI (biomage
 * works on the repository its code lives in), node_modules and .tools shared by symlink, and cf/
 * replaced by the platform's templates.
 */
function repositoryWith(templatesDir, rename = []) {
  const root = mkdtempSync(join(tmpdir(), 'bench-platform-'));
  execFileSync('bash', ['-c', `git -C "${repo}" archive HEAD | tar -x -C "${root}"`]);
  cpSync(join(repo, 'dist'), join(root, 'dist'), { recursive: true });
  for (const shared of ['node_modules', '.tools']) symlinkSync(join(repo, shared), join(root, shared));
  rmSync(join(root, 'cf'), { recursive: true, force: true });
  mkdirSync(join(root, 'cf'));
  for (const copy of rename.length ? rename : [identity]) {
    for (const file of readdirSync(templatesDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'parameters.yaml')) {
      writeFileSync(join(root, 'cf', copy.file(file)), copy.text(readFileSync(join(templatesDir, file), 'utf8')));
    }
  }
  const parameters = join(templatesDir, 'parameters.yaml');
  const text = (() => {
    try {
      return readFileSync(parameters, 'utf8');
    } catch {
      return '';
    }
  })();
  writeFileSync(join(root, 'cf', 'parameters.yaml'), (rename.length ? rename : [identity]).map((copy) => copy.parameters(text)).join('\n'));
  return root;
}

const identity = { file: (f) => f, text: (t) => t, parameters: (t) => t };

/**
 * Copy k of the fixture: every name this platform owns gets its own prefix and suffix
 * (`biomage-…` → `biomage<k>-…`, `…-${Environment}` → `…-${Environment}-c<k>`, the domains
 * `c<k>.<domain>`), so copies never collide on a stack, export or resource name; eksctl's exports
 * stay as they are.
 */
const EKSCTL_EXPORT = 'eksctl-biomage-${Environment}-cluster';
const renamed = (k) => (t) =>
  t
    .replaceAll(EKSCTL_EXPORT, '\u0000')
    .replace(/(?<!eksctl-)biomage(?=[-/_])/g, `biomage${k}`)
    .replaceAll('${Environment}', `\${Environment}-c${k}`)
    .replaceAll('\u0000', EKSCTL_EXPORT);
const copyNumber = (k) => ({
  file: (f) => f.replace(/\.ya?ml$/, `-c${k}.yaml`),
  text: renamed(k),
  parameters: (t) => renamed(k)(t.replace(/^([A-Za-z0-9][A-Za-z0-9-]*):/gm, `$1-c${k}:`)).replace(/\bcellenics\.(localhost|example)\b/g, `c${k}.cellenics.$1`),
});

const fixtureDir = join(repo, 'test', 'fixtures', 'platform', 'cf');
const fixtureCount = readdirSync(fixtureDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'parameters.yaml').length;
const platforms = {
  cf: () => repositoryWith(join(repo, 'cf')),
  fixture: () => repositoryWith(fixtureDir),
  100: () => repositoryWith(fixtureDir, Array.from({ length: Math.ceil(100 / fixtureCount) }, (_, k) => copyNumber(k + 1))),
};

const logDir = mkdtempSync(join(tmpdir(), 'bench-'));
let emulator;
const target = { region: 'eu-west-1', endpoint: '', local: true };
const env = emulatorEnv();

/**
 * A new, empty twin with what exists before cf/: the development cluster, its OIDC provider and
 * eksctl's stack. A new emulator rather than moto's reset: after a reset moto no longer answers
 * AWS's public SSM parameters (/aws/service/...), which AWS::SSM::Parameter::Value defaults read.
 */
async function resetTwin() {
  await emulator?.stop();
  emulator = await startEmulator({ logFile: join(logDir, 'emulator.log') });
  target.endpoint = emulator.endpoint;
  env.AWS_ENDPOINT_URL = emulator.endpoint;
  await registerDevCluster(target);
}

/** The old CI's loop: one `aws cloudformation deploy` after the other, in dependency order, with biomage's parameter values. */
async function loopScript(root) {
  const order = await plansInDeployOrder(root, target);
  const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  return [
    'set -e',
    ...order.map(
      (p) =>
        `aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation deploy --no-fail-on-empty-changeset --template-file ${quote(p.template.file)} ` +
        `--stack-name ${p.stackName} --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND ` +
        `--parameter-overrides ${p.parameters.map((v) => quote(`${v.ParameterKey}=${v.ParameterValue}`)).join(' ')} >/dev/null || { echo "${p.stackName} failed:" >&2; ` +
        `aws --endpoint-url "$AWS_ENDPOINT_URL" cloudformation describe-stack-events --stack-name ${p.stackName} --output text ` +
        `--query 'StackEvents[?ends_with(ResourceStatus, \`FAILED\`)].[LogicalResourceId,ResourceStatusReason]' >&2; exit 1; }`,
    ),
  ].join('\n');
}

function timed(file, args, cwd, okStatuses = [0]) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!okStatuses.includes(result.status)) {
    // The lines that say what failed, wherever they are in a long progress log.
    const failures = result.stderr.split('\n').filter((line) => /FAILED|failed|reason:|error/i.test(line)).slice(0, 20).join('\n');
    throw new Error(`${file} ${args.join(' ').slice(0, 300)} exited ${result.status}:\n${failures}\n--- the end of its error output:\n${result.stderr.slice(-600)}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const report = { rounds, sizes: {} };
try {
  for (const size of sizes) {
    const root = platforms[size]();
    const templates = readdirSync(join(root, 'cf')).filter((f) => /\.ya?ml$/.test(f) && f !== 'parameters.yaml');
    await resetTwin();
    const loop = await loopScript(root);
    const contenders = {
      'biomage deploy-cf': () => timed(join(root, 'bin', 'biomage'), ['deploy-cf', '--json', '--concurrency', '8'], root),
      'aws cloudformation deploy loop': () => timed('bash', ['-c', loop], root),
    };
    const times = {};
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        await resetTwin();
        (times[`${name}: first deploy`] ??= []).push(run());
        (times[`${name}: nothing changed`] ??= []).push(run());
      }
      (times['biomage check'] ??= []).push(timed(join(root, 'bin', 'biomage'), ['check'], root, [0, 3]));
      const files = templates.map((f) => `cf/${f}`);
      (times['cfn-lint per template'] ??= []).push(
        files.reduce((sum, f) => sum + timed(join(repo, '.tools', 'venv', 'bin', 'cfn-lint'), ['--regions', 'eu-west-1', '--', f], root, [0, 2, 4, 6, 8, 10, 12, 14]), 0),
      );
    }
    const m = medians(times);
    const ratio = (phase) => m[`aws cloudformation deploy loop: ${phase}`] / m[`biomage deploy-cf: ${phase}`];
    report.sizes[size] = {
      templates: templates.length,
      mediansMs: m,
      ratios: {
        'first deploy (loop / biomage)': ratio('first deploy'),
        'nothing changed (loop / biomage)': ratio('nothing changed'),
        'lint (cfn-lint per template / biomage check)': m['cfn-lint per template'] / m['biomage check'],
      },
    };
    console.log(`\n${size}: ${templates.length} templates`);
    for (const [name, ms] of Object.entries(m)) console.log(`  ${name.padEnd(48)} median ${(ms / 1000).toFixed(2)} s`);
    for (const [name, r] of Object.entries(report.sizes[size].ratios)) console.log(`  ${name.padEnd(48)} ${r.toFixed(1)}x`);
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await emulator?.stop();
}
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(join(repo, 'bench', 'results', 'platform-scale.json'), `${JSON.stringify(report, null, 2)}\n`);
