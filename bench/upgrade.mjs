// A Kubernetes upgrade (1.35 -> 1.36) through `biomage plan` and `deploy-infra`, against the
// emulator with its recorded EKS catalogue, eksctl's upgrades done by the recording fake eksctl
// (test/fixtures/fake-eksctl), which makes them in the emulator through the EKS API. Compared in
// the same run, interleaved by round:
//   - `plan` of the upgrade (with its pre-flight: every chart and release rendered by helm and
//     validated by kubeconform) against `plan` of the same cluster already at 1.36 (no pre-flight):
//     what the pre-flight costs;
//   - `deploy-infra` of the whole upgrade against the rerun after a failure injected at the last
//     node group (the resumed run, with the finished steps unchanged): what resuming saves.
// The cluster commands refuse the twin's `development` and the emulator's endpoint for staging, so
// they run in-process from dist/ (`make build` first), with the AWS target aimed at the emulator,
// as the integration tests do. The configure phase after the cluster phase stops at the missing
// kubeconfig context and is not counted. Each step's own time comes from the report (--json).
//
//   node bench/upgrade.mjs [rounds]
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, medians } from './medians.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 3);
const dist = (module) => import(pathToFileURL(join(repo, 'dist', module)).href);
const { startEmulator } = await dist('tools/moto.js');
const { awsClient } = await dist('aws/clients.js');
const { createContext, parseGlobalOptions } = await dist('context.js');
const { outputFor } = await dist('ui/output.js');
const { planCommand } = await dist('commands/plan.js');
const { deployInfraCommand } = await dist('commands/deploy-infra.js');
const eksSdk = await import('@aws-sdk/client-eks');
const iamSdk = await import('@aws-sdk/client-iam');

/** A toolchain folder with the real kubeconform, helm and schemas, and the recording fake eksctl. */
function fakeTools(fail) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-upgrade-tools-'));
  const real = join(repo, '.tools');
  mkdirSync(join(dir, 'bin'));
  for (const tool of ['kubeconform', 'helm']) symlinkSync(join(real, 'bin', tool), join(dir, 'bin', tool));
  symlinkSync(join(real, 'schemas'), join(dir, 'schemas'));
  const script = join(repo, 'test', 'fixtures', 'fake-eksctl', 'fake-eksctl.cjs');
  writeFileSync(join(dir, 'bin', 'eksctl'), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
  writeFileSync(join(dir, 'calls.jsonl'), '');
  return {
    ...process.env,
    BIOMAGE_TOOLS_DIR: dir,
    PATH: '/usr/bin:/bin',
    FAKE_EKSCTL_LOG: join(dir, 'calls.jsonl'),
    FAKE_EKSCTL_REAL: join(real, 'bin', 'eksctl'),
    FAKE_EKSCTL_NODE_MODULES: join(repo, 'node_modules'),
    ...(fail ? { FAKE_EKSCTL_FAIL: fail } : {}),
    BIOMAGE_STATE_DIR: join(dir, 'state'),
    KUBECONFIG: '/nonexistent/bench/kubeconfig',
    CI: 'true',
  };
}

/** A staging cluster as deploy-infra leaves it, at `version`, with its node groups and add-ons of that version. */
async function seed(target, version) {
  const eks = awsClient(eksSdk.EKSClient, target);
  const iam = awsClient(iamSdk.IAMClient, target);
  const name = 'biomage-staging';
  const { cluster } = await eks.send(
    new eksSdk.CreateClusterCommand({
      name,
      version,
      roleArn: `arn:aws:iam::123456789012:role/eksctl-${name}-cluster-ServiceRole`,
      resourcesVpcConfig: { subnetIds: [] },
      upgradePolicy: { supportType: 'STANDARD' },
    }),
  );
  await eks.send(
    new eksSdk.UpdateClusterConfigCommand({ name, logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }] } }),
  );
  await iam.send(new iamSdk.CreateOpenIDConnectProviderCommand({ Url: cluster.identity.oidc.issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] }));
  const labels = (group, pool) => ({ 'biomage.net/pool': pool, 'alpha.eksctl.io/cluster-name': name, 'alpha.eksctl.io/nodegroup-name': group });
  const groups = [
    { nodegroupName: 'general-1', instanceTypes: ['m6i.large'], diskSize: 50, labels: labels('general-1', 'general'), scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 } },
    {
      nodegroupName: 'worker-1',
      instanceTypes: ['r6i.xlarge'],
      diskSize: 100,
      labels: labels('worker-1', 'worker'),
      taints: [{ key: 'biomage.net/pool', value: 'worker', effect: 'NO_SCHEDULE' }],
      scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 4 },
    },
  ];
  for (const group of groups) {
    await eks.send(
      new eksSdk.CreateNodegroupCommand({
        clusterName: name,
        nodeRole: `arn:aws:iam::123456789012:role/${group.nodegroupName}`,
        subnets: ['subnet-0a0000000000000a1'],
        amiType: 'AL2023_x86_64_STANDARD',
        capacityType: 'ON_DEMAND',
        updateConfig: { maxUnavailable: 1 },
        ...group,
      }),
    );
  }
  const addons = version === '1.35'
    ? { 'vpc-cni': 'v1.21.1-eksbuild.3', coredns: 'v1.13.2-eksbuild.1', 'kube-proxy': 'v1.35.2-eksbuild.4', 'aws-ebs-csi-driver': 'v1.58.0-eksbuild.1' }
    : { 'vpc-cni': 'v1.22.3-eksbuild.1', coredns: 'v1.14.3-eksbuild.3', 'kube-proxy': 'v1.36.0-eksbuild.14', 'aws-ebs-csi-driver': 'v1.66.0-eksbuild.1' };
  for (const [addonName, addonVersion] of Object.entries(addons)) await eks.send(new eksSdk.CreateAddonCommand({ clusterName: name, addonName, addonVersion }));
  eks.destroy();
  iam.destroy();
}

/** One in-process command with its output captured; resolves to its wall time, the report and the error. */
async function run(command, target, env, call) {
  let stdout = '';
  const io = { stdout: { write: (s) => (stdout += s) }, stderr: { write: () => {} }, stdin: { isTTY: false }, env };
  const globals = parseGlobalOptions({ env: 'staging', region: target.region, yes: true, json: true });
  const ctx = createContext(command, globals, outputFor({ json: true, verbose: false, color: false }, io), io, repo);
  const started = performance.now();
  const error = await call(ctx).then(() => undefined, (e) => e);
  const ms = performance.now() - started;
  const document = stdout ? JSON.parse(stdout) : undefined;
  return { ms, report: document?.result, error };
}

const emulator = await startEmulator({ logFile: join(mkdtempSync(join(tmpdir(), 'bench-upgrade-')), 'emulator.log') });
const regions = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1', 'sa-east-1', 'ap-south-1', 'eu-south-1'];
let next = 0;
const fresh = () => ({ region: regions[next++], endpoint: emulator.endpoint, local: true });
const times = { 'plan (upgrade, pre-flight)': [], 'plan (no upgrade)': [], 'deploy-infra (whole upgrade)': [], 'deploy-infra (rerun after a failure)': [] };
const stepTimes = {};
let resumedSteps;
try {
  for (let round = 0; round < rounds; round++) {
    if (next + 5 > regions.length) throw new Error('add regions: five per round');
    const upgrade = fresh();
    const settled = fresh();
    const whole = fresh();
    const failing = fresh();
    await seed(upgrade, '1.35');
    await seed(settled, '1.36');
    await seed(whole, '1.35');
    await seed(failing, '1.35');

    const planned = await run('plan', upgrade, fakeTools(), (ctx) => planCommand(ctx, { target: upgrade }));
    if (planned.error || !planned.report.upgrade) throw new Error(`plan of the upgrade: ${planned.error?.message ?? 'no upgrade planned'}`);
    times['plan (upgrade, pre-flight)'].push(planned.ms);
    const plain = await run('plan', settled, fakeTools(), (ctx) => planCommand(ctx, { target: settled }));
    if (plain.error || plain.report.upgrade) throw new Error(`plan without upgrade: ${plain.error?.message ?? 'an upgrade planned'}`);
    times['plan (no upgrade)'].push(plain.ms);

    const deploy = (target, env) => run('deploy-infra', target, env, (ctx) => deployInfraCommand(ctx, { action: 'deploy-and-configure', target }));
    const full = await deploy(whole, fakeTools());
    if (!/^the cluster steps completed/.test(full.error?.message ?? '')) throw new Error(`whole upgrade: ${full.error?.message}`);
    times['deploy-infra (whole upgrade)'].push(full.ms);
    const first = await deploy(failing, fakeTools('upgrade nodegroup worker-1'));
    if (!/^step \d+ of \d+ failed \(roll node group worker-1/.test(first.error?.message ?? '')) throw new Error(`injected failure: ${first.error?.message}`);
    const rerun = await deploy(failing, fakeTools());
    if (!/^the cluster steps completed \(\d+ of \d+ ran, \d+ unchanged\)/.test(rerun.error?.message ?? '')) throw new Error(`rerun: ${rerun.error?.message}`);
    times['deploy-infra (rerun after a failure)'].push(rerun.ms);
    resumedSteps = rerun.error.message.replace(/, then the configure phase failed.*$/, '');

    // Each step's own time, from the cluster phase's report (deployCluster: what deploy-infra runs first).
    const steps = fresh();
    await seed(steps, '1.35');
    const { deployCluster } = await dist('cluster/deploy.js');
    const io = { stdout: { write: () => {} }, stderr: { write: () => {} }, stdin: { isTTY: false }, env: fakeTools() };
    const ctx = createContext('deploy-infra', parseGlobalOptions({ env: 'staging', region: steps.region, yes: true }), outputFor({ json: false, verbose: false, color: false }, io), io, repo);
    const { report } = await deployCluster(ctx, { target: steps });
    for (const step of report.steps) (stepTimes[step.description] ??= []).push(step.milliseconds ?? 0);
  }
} finally {
  await emulator.stop();
}

const m = medians(times);
const ratio = (a, b) => (m[a] / m[b]).toFixed(2);
const lines = [
  `Kubernetes upgrade 1.35 -> 1.36 against the emulator, ${rounds} round(s), medians:`,
  ...Object.entries(m).map(([k, v]) => `  ${k.padEnd(40)} ${(v / 1000).toFixed(2)} s`),
  `  plan: upgrade / no upgrade                 ${ratio('plan (upgrade, pre-flight)', 'plan (no upgrade)')}x (the pre-flight's cost)`,
  `  deploy-infra: rerun / whole upgrade        ${ratio('deploy-infra (rerun after a failure)', 'deploy-infra (whole upgrade)')}x (${resumedSteps})`,
  '  steps of the whole upgrade (median ms each):',
  ...Object.entries(stepTimes).map(([k, v]) => `    ${String(Math.round(median(v))).padStart(6)}  ${k}`),
];
console.log(lines.join('\n'));
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(join(repo, 'bench', 'results', 'upgrade.json'), JSON.stringify({ rounds, medians: m, steps: Object.fromEntries(Object.entries(stepTimes).map(([k, v]) => [k, median(v)])) }, null, 2));
