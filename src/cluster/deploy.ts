import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireCallerIdentity, type CallerIdentity } from '../aws/identity.js';
import { eksSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { needsConfirmation } from '../config/environments.js';
import type { Context } from '../context.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { eksctl, eksctlEnvironment, EksctlConfigRejectedError, eksctlValidate, runEksctl, runEksctlUpgradeNodegroup } from '../tools/eksctl.js';
import { locate } from '../tools/locate.js';
import { ToolFailedError } from '../tools/run.js';
import { confirmChange } from '../ui/confirm.js';
import { InputError, OperationError, ToolMissingError } from '../ui/errors.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { clusterVersions, compatibleAddonVersions, setUpdateWidth, setUpgradePolicy, updateAddonVersion } from './eks-versions.js';
import { clusterClients, describeCluster, readLiveState, scaleNodeGroup, type ClusterClients, type LiveState } from './live.js';
import { actionCommand, busyError, guardError, planCluster, RENDERED_CONFIG, renderPlan, type ClusterPlan, type PlannedAction } from './plan.js';
import { preflight } from './preflight.js';
import type { ClusterRequest, DeployAction } from './request.js';
import { checkClusterSchema, eksEnvironment, loadClusterSource, type ClusterSource } from './source.js';
import { addonPins, incompatiblePinError, versionPathError } from './upgrade.js';

/** Everything read before anything changes: the rendered config, the caller, the live cluster, the plan. */
interface Prepared {
  env: ClusterEnvironment;
  target: AwsTarget;
  source: ClusterSource;
  identity: CallerIdentity;
  live: LiveState;
  plan: ClusterPlan;
  eksctlEnv: NodeJS.ProcessEnv;
}

/**
 * Render and validate the config, check the credentials, read the live cluster and plan. Each
 * failure here is before any change: bad input and missing tools or credentials exit 2.
 */
async function prepare(ctx: Context, request: ClusterRequest, command: string): Promise<Prepared> {
  const env = eksEnvironment(ctx.env, command);
  const target = request.target ?? (await ctx.aws());
  ctx.out.step(`Rendering infra/cluster.yaml for ${env} (${target.region})`);
  const source = loadClusterSource(request.root ?? ctx.root, env, target.region);
  await checkClusterSchema(source, ctx.processEnv);
  // Found before AWS is asked anything: a missing eksctl is a missing tool, not a failed deploy.
  if (!locate(eksctl.name, ctx.processEnv)) {
    throw new ToolMissingError(eksctl.name, `${eksctl.name} is not installed (looked in .tools/ and PATH); ${command} drives it for every cluster change`, {
      hint: `install it with: ${eksctl.install} (or make tools). Nothing was changed`,
    });
  }
  ctx.out.step('Checking AWS credentials (STS GetCallerIdentity)');
  const identity = await requireCallerIdentity(target);
  ctx.out.step(`Reading cluster ${source.name} from EKS`);
  const clients = clusterClients(target);
  try {
    const live = await readLiveState(clients, source.name);
    const rawVersion = (source.config.metadata as { version?: unknown } | undefined)?.version;
    // A version written unquoted (1.30) parses as a number; eksctl reads it as the same text.
    const version = typeof rawVersion === 'string' ? rawVersion : typeof rawVersion === 'number' ? String(rawVersion) : '';
    if (live.cluster.exists && live.cluster.version && version) {
      const refused = versionPathError(source.name, live.cluster.version, version, source.document);
      if (refused) throw refused;
    }
    const versions = await clusterVersions(clients.eks, [...new Set([live.cluster.version, version].filter((v): v is string => !!v))]);
    // A version EKS does not offer is left to eksctl's validation, which names the ones it does.
    if (versions.some((v) => v.version === version)) await checkAddonPins(ctx, clients, source, version);
    const plan = planCluster(source, live, identity, { versionInfo: versions.find((v) => v.version === live.cluster.version), now: request.now });
    if (plan.upgrade) {
      ctx.out.step(`Pre-flight for Kubernetes ${version}: rendering the charts and the releases of ${env} (helm template), validating them against the ${version} schemas (kubeconform)`);
      plan.preflight = await preflight(request.root ?? ctx.root, env, version, source.document, ctx.processEnv);
    }
    return { env, target, source, identity, live, plan, eksctlEnv: eksctlEnvironment(ctx.processEnv, target) };
  } finally {
    clients.destroy();
  }
}

/** Every add-on pin against the versions EKS lists as compatible with the config's Kubernetes version. */
async function checkAddonPins(ctx: Context, clients: ClusterClients, source: ClusterSource, version: string): Promise<void> {
  const pins = addonPins(source.config, source.document);
  if (!pins.some((p) => p.version)) return;
  ctx.out.step(`Checking the add-on pins against Kubernetes ${version} (EKS DescribeAddonVersions)`);
  const compatible = await compatibleAddonVersions(clients.eks, pins.map((p) => p.name), version);
  const refused = incompatiblePinError(pins, compatible, version);
  if (refused) throw refused;
}

/** A scratch copy of the rendered ClusterConfig for eksctl, removed by `cleanup`. */
function writeRenderedConfig(source: ClusterSource): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-cluster-'));
  chmodSync(dir, 0o700);
  const file = join(dir, `${source.name}.yaml`);
  const header = `# Rendered by biomage from infra/cluster.yaml and infra/cluster-environments.yaml for ${source.env}: do not edit.\n`;
  writeFileSync(file, header + JSON.stringify(source.config, null, 2) + '\n', { mode: 0o600 });
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * eksctl's own validation of the rendered file (`create cluster --dry-run`: read-only). Resolves
 * to undefined when eksctl accepts it, to eksctl's reason when it refuses it; a failure to reach
 * AWS is an OperationError.
 */
async function validateWithEksctl(ctx: Context, prepared: Prepared, file: string): Promise<string | undefined> {
  ctx.out.step('Validating the rendered config with eksctl (create cluster --dry-run: changes nothing)');
  try {
    await eksctlValidate(file, { env: prepared.eksctlEnv, onLine: (line) => ctx.out.debug(`  ${line}`), timeoutMs: 300_000 });
    return undefined;
  } catch (error) {
    if (error instanceof EksctlConfigRejectedError) return eksctlMessage(error.stderr);
    if (error instanceof ToolFailedError) {
      throw new OperationError(`eksctl could not validate the config against AWS: ${eksctlMessage(error.stderr)}`, {
        where: `eksctl create cluster --dry-run (${prepared.target.region})`,
        hint: 'check the network and the AWS credentials eksctl sees (AWS_PROFILE), then run again. Nothing was changed',
        cause: error,
      });
    }
    throw error;
  }
}

/** eksctl's error line, without its `Error: ` prefix. */
function eksctlMessage(output: string): string {
  const lines = output.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => l.startsWith('Error:')) ?? lines.at(-1) ?? 'no reason given';
  return error.replace(/^Error:\s*/, '');
}

function rejected(source: ClusterSource, reason: string): InputError {
  return new InputError(`eksctl rejects the ClusterConfig for ${source.env}: ${reason}`, {
    where: 'infra/cluster.yaml (as rendered for the environment)',
    hint: `fix the config (\`biomage plan --env ${source.env} --verbose\` shows eksctl's output); nothing was changed`,
  });
}

export interface PlanReport extends ClusterPlan {
  /** eksctl's verdict on the rendered config: undefined reason when it accepts it. */
  eksctl: { valid: boolean; reason?: string };
  /** The rendered ClusterConfig, as eksctl would get it. */
  config: Record<string, unknown>;
}

/** What deploy-infra would do (`biomage plan`), changing nothing. */
export async function planReport(ctx: Context, request: ClusterRequest = {}): Promise<PlanReport> {
  const prepared = await prepare(ctx, request, 'plan');
  const { file, cleanup } = writeRenderedConfig(prepared.source);
  try {
    const reason = await validateWithEksctl(ctx, prepared, file);
    return { ...prepared.plan, eksctl: { valid: !reason, ...(reason ? { reason } : {}) }, config: prepared.source.config };
  } finally {
    cleanup();
  }
}

/** deploy-infra would refuse to run: the node-group guard stops it, or eksctl rejects the config. */
export function wouldRefuse(report: PlanReport): boolean {
  return !report.eksctl.valid || report.violations.length > 0;
}

export function renderPlanReport(report: PlanReport, paint: Paint, verbose: boolean): string {
  const lines = [renderPlan(report, paint)];
  lines.push('', report.eksctl.valid ? 'eksctl accepts the rendered config.' : `${paint('red', 'eksctl rejects the rendered config:')} ${report.eksctl.reason}`);
  if (verbose) lines.push('', 'The rendered ClusterConfig:', JSON.stringify(report.config, null, 2));
  if (report.violations.length || !report.eksctl.valid) lines.push('', 'deploy-infra would refuse to run (exit 2); nothing was changed.');
  else lines.push('', report.actions.length ? `biomage deploy-infra --env ${report.env} --action deploy-and-configure applies it.` : 'Nothing to do.');
  return lines.join('\n');
}

export interface StepResult {
  description: string;
  command: string;
  /** unchanged: part of an upgrade that a run before this one finished. */
  status: 'done' | 'failed' | 'not run' | 'unchanged';
  seconds?: number;
  /** The same time, exact: for --json consumers and bench/upgrade.mjs. */
  milliseconds?: number;
}

export interface DeployReport {
  env: string;
  region: string;
  cluster: string;
  action: DeployAction;
  dryRun: boolean;
  /** True when this run created the cluster. */
  created: boolean;
  plan?: ClusterPlan;
  steps: StepResult[];
  /** eksctl's full output. */
  log?: string;
}

/**
 * The cluster phase of deploy-infra (src/orchestration/deploy-infra.ts runs the configure phase
 * after it): render, check and plan (prepare), stop on the node-group guard or an invalid config,
 * confirm for production, run the plan's steps in order with progress, and show the summary.
 * Resolves to the report and the AWS target the configure phase is to use.
 */
export async function deployCluster(ctx: Context, request: ClusterRequest): Promise<{ report: DeployReport; target: AwsTarget }> {
  const env = eksEnvironment(ctx.env, 'deploy-infra');
  const prepared = await prepare(ctx, request, 'deploy-infra');
  const { plan, source } = prepared;
  const busy = busyError(plan, prepared.live);
  if (busy) {
    ctx.out.info(renderPlan(plan, ctx.out.paint));
    throw busy;
  }
  if (plan.violations.length) {
    ctx.out.info(renderPlan(plan, ctx.out.paint));
    throw guardError(plan, source);
  }
  const { file, cleanup } = writeRenderedConfig(source);
  const report: DeployReport = {
    env,
    region: prepared.target.region,
    cluster: source.name,
    action: 'deploy-and-configure',
    dryRun: ctx.dryRun,
    created: false,
    plan,
    steps: plan.steps.map((step) =>
      step.action
        ? { description: step.description, command: actionCommand(step.action, RENDERED_CONFIG, plan), status: 'not run' as const }
        : { description: step.description, command: '', status: 'unchanged' as const },
    ),
  };
  try {
    const reason = await validateWithEksctl(ctx, prepared, file);
    if (reason) throw rejected(source, reason);
    ctx.out.info(renderPlan(plan, ctx.out.paint));
    if (ctx.dryRun) {
      ctx.out.info('--dry-run: nothing was changed.');
    } else if (plan.actions.length) {
      if (needsConfirmation(ctx.env) && !ctx.yes) ctx.out.info(`${plan.actions.length} step(s) above will change ${source.name}.`);
      await confirmChange(ctx, `deploy-infra of ${source.name}`);
      const log = logFile(ctx.stateDir, env);
      report.log = log;
      await runSteps(ctx, prepared, file, report, log);
    } else {
      ctx.out.success(`${source.name} matches the config: nothing to change`);
    }
  } finally {
    cleanup();
  }
  if (!ctx.dryRun) ctx.out.info(renderSummary(report, ctx.out.paint));
  return { report, target: prepared.target };
}

/** Run the plan's steps in order; the first failure stops the run, with what ran and the log. */
async function runSteps(ctx: Context, prepared: Prepared, file: string, report: DeployReport, log: string): Promise<void> {
  const { plan, source } = prepared;
  const total = plan.actions.length;
  const clients = clusterClients(prepared.target);
  // Report rows in plan order; the unchanged ones (an upgrade's finished parts) have no action.
  const rows = report.steps.filter((s) => s.status !== 'unchanged');
  for (const s of report.steps) if (s.status === 'unchanged') ctx.out.info(`  = ${s.description}: unchanged`);
  try {
    for (const [i, action] of plan.actions.entries()) {
      const step = rows[i];
      if (!step) throw new Error(`internal: the report has no step ${i + 1} of the plan's ${total}`);
      const label = `[${i + 1}/${total}] ${action.description}`;
      ctx.out.step(label);
      const started = Date.now();
      try {
        await runAction(ctx, prepared, clients, action, file, log);
        if (action.kind === 'eksctl' && action.operation === 'create-cluster') {
          const cluster = await describeCluster(clients.eks, source.name);
          if (cluster.status !== 'ACTIVE') throw new OperationError(`eksctl finished, but cluster ${source.name} is ${cluster.status ?? 'missing'}, not ACTIVE`);
          report.created = true;
        }
        await confirmReached(clients, source, plan, action);
      } catch (error) {
        step.status = 'failed';
        step.milliseconds = Date.now() - started;
        step.seconds = Math.round(step.milliseconds / 1000);
        ctx.out.info(renderSummary(report, ctx.out.paint));
        throw new OperationError(`step ${i + 1} of ${total} failed (${action.description}): ${(error as Error).message}`, {
          where: actionCommand(action, RENDERED_CONFIG, plan),
          hint: `eksctl's full output is in ${log}; the steps before it stand. Fix the cause and run deploy-infra again: each step skips or repeats harmlessly what is already done${plan.upgrade ? ', and the upgrade resumes where it stopped (what is at its version shows as unchanged)' : ''}`,
          cause: error,
        });
      }
      step.status = 'done';
      step.milliseconds = Date.now() - started;
      step.seconds = Math.round(step.milliseconds / 1000);
      ctx.out.success(`${label} (${duration(step.seconds)})`);
    }
  } finally {
    clients.destroy();
  }
}

async function runAction(
  ctx: Context,
  prepared: Prepared,
  clients: ReturnType<typeof clusterClients>,
  action: PlannedAction,
  file: string,
  log: string,
): Promise<void> {
  if (action.kind === 'scale') {
    await scaleNodeGroup(clients.eks, prepared.source.name, action.nodeGroup, action.to);
    return;
  }
  if (action.kind === 'upgrade-policy') {
    appendFileSync(log, `\n$ ${actionCommand(action, file, prepared.plan)}\n`);
    await setUpgradePolicy(clients.eks, prepared.source.name, action.to);
    return;
  }
  if (action.kind === 'addon') {
    appendFileSync(log, `\n$ ${actionCommand(action, file)}\n`);
    await updateAddonVersion(clients.eks, prepared.source.name, { name: action.addon, version: action.to, ...(action.resolveConflicts ? { resolveConflicts: action.resolveConflicts } : {}) });
    return;
  }
  if (action.kind === 'upgrade-nodegroup' && action.updateConfig) {
    // EKS rolls a node group as its own updateConfig says: make that the config's first.
    appendFileSync(log, `\n$ EKS UpdateNodegroupConfig ${action.nodeGroup} updateConfig ${JSON.stringify(action.updateConfig.to)}\n`);
    await setUpdateWidth(clients.eks, prepared.source.name, action.nodeGroup, action.updateConfig.to);
  }
  appendFileSync(log, `\n$ ${actionCommand(action, file, prepared.plan)}\n`);
  let last = '';
  const started = Date.now();
  // Without --verbose a long eksctl step (a cluster takes ~20 minutes) still shows it is alive.
  const heartbeat = ctx.out.verbose
    ? undefined
    : setInterval(() => ctx.out.info(`  … ${duration(Math.round((Date.now() - started) / 1000))}${last ? `: ${last}` : ''}`), 60_000);
  const options = {
    env: prepared.eksctlEnv,
    onLine: (line: string) => {
      appendFileSync(log, `${line}\n`);
      const message = line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\[.\]\s+/, '').trim();
      if (message) last = message;
      ctx.out.debug(`  ${line}`);
    },
  };
  try {
    if (action.kind === 'upgrade-nodegroup') {
      const { source, target } = prepared;
      await runEksctlUpgradeNodegroup({ cluster: source.name, region: target.region, nodeGroup: action.nodeGroup, kubernetesVersion: action.to }, options);
    } else {
      await runEksctl(action.operation, file, options);
    }
  } finally {
    if (heartbeat) clearInterval(heartbeat);
  }
}

/**
 * An upgrade step is done when EKS says so, not when the tool exits: the control plane, the
 * add-on or the node group runs the version the step was for.
 */
async function confirmReached(clients: ClusterClients, source: ClusterSource, plan: ClusterPlan, action: PlannedAction): Promise<void> {
  const { DescribeAddonCommand, DescribeNodegroupCommand } = eksSdk();
  if (action.kind === 'eksctl' && action.operation === 'upgrade-cluster') {
    const cluster = await describeCluster(clients.eks, source.name);
    if (cluster.version !== plan.version || cluster.status !== 'ACTIVE') {
      throw new OperationError(`eksctl finished, but the control plane of ${source.name} runs Kubernetes ${cluster.version ?? '?'} (${cluster.status ?? '?'}), not ${plan.version} (ACTIVE)`);
    }
  } else if (action.kind === 'upgrade-policy') {
    const cluster = await describeCluster(clients.eks, source.name);
    if (cluster.supportType !== action.to) throw new OperationError(`EKS reports the upgrade policy of ${source.name} as ${cluster.supportType ?? 'unset'}, not ${action.to}`);
  } else if (action.kind === 'addon') {
    const { addon } = await clients.eks.send(new DescribeAddonCommand({ clusterName: source.name, addonName: action.addon }));
    if (addon?.addonVersion !== action.to) throw new OperationError(`EKS reports add-on ${action.addon} at ${addon?.addonVersion ?? '?'}, not ${action.to}`);
  } else if (action.kind === 'upgrade-nodegroup') {
    const { nodegroup } = await clients.eks.send(new DescribeNodegroupCommand({ clusterName: source.name, nodegroupName: action.nodeGroup }));
    if (nodegroup?.version !== action.to || nodegroup.status !== 'ACTIVE') {
      throw new OperationError(`eksctl finished, but node group ${action.nodeGroup} runs Kubernetes ${nodegroup?.version ?? '?'} (${nodegroup?.status ?? '?'}), not ${action.to} (ACTIVE)`);
    }
  }
}

function logFile(stateDir: string, env: string): string {
  const dir = join(stateDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `deploy-infra-${env}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  writeFileSync(file, '', { mode: 0o600 });
  return file;
}

function duration(seconds: number): string {
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function renderSummary(report: DeployReport, paint: Paint): string {
  const lines = [`Summary: deploy-infra ${report.action} of ${report.cluster} (${report.region})${report.dryRun ? ', dry run' : ''}`];
  if (!report.steps.length) lines.push('  no cluster steps were needed');
  else {
    const mark = { done: paint('green', 'done'), failed: paint('red', 'FAILED'), 'not run': paint('dim', 'not run'), unchanged: 'unchanged' };
    const table = renderTable(
      ['#', 'step', 'result', 'time'],
      report.steps.map((s, i) => [String(i + 1), s.description, mark[s.status], s.seconds === undefined ? '' : duration(s.seconds)]),
    );
    lines.push(table.split('\n').map((line) => `  ${line}`).join('\n'));
  }
  if (report.created) lines.push(`  cluster ${report.cluster} was created`);
  if (report.log) lines.push(`  eksctl's output: ${report.log}`);
  return lines.join('\n');
}
