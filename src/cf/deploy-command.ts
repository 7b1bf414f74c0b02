import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient } from '../aws/clients.js';
import type { Context } from '../context.js';
import { confirmChange } from '../ui/confirm.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { discardPreflight, guardChangeSets, lateGuard, loadParameterValues, loadTemplates, planDeploy, runDeploy, type Preflight, type RunOptions } from './deploy.js';
import { allowReplaceFlag, dataRisks, describeRisk, parseAllowReplace, refusalError, type DataRisk } from './replacement-guard.js';
import { shownValue } from './parameters.js';
import type { StackPlan } from './plan.js';
import { PARAMETERS_FILE } from './layout.js';
import { stackName } from './template.js';
import type { StackOutcome } from './stack-deployer.js';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws/sdk.js';

export interface DeployCfRequest {
  paths: string[];
  changedSince?: string;
  force: boolean;
  concurrency: number;
  /** --allow-replace values: `<stack>:<LogicalId>`, each letting that one resource be replaced or removed. */
  allowReplace?: string[];
  /** Tests pass a client with a call counter; otherwise one is built for the target. */
  cfn?: CloudFormationClient;
  root?: string;
}

/** A stack's outcome, with the parameter values that came from cf/parameters.yaml. */
export interface ReportedStack extends StackOutcome {
  /** By parameter name; a NoEcho value is `****`. Absent when the file gave none. */
  fileParameters?: Record<string, string>;
}

export interface DeployCfReport {
  env: string;
  region: string;
  dryRun: boolean;
  stacks: ReportedStack[];
  /**
   * The changes that replace or remove a stateful resource: refused (the run stopped; then the
   * command exits 2 before any report), allowed by --allow-replace, or warned in development.
   * A dry run lists them as they would be decided.
   */
  replacements: DataRisk[];
}

/** The report, and the plans behind it for callers that look at the deployed resources. */
export interface DeployRun {
  report: DeployCfReport;
  plans: StackPlan[];
}

/**
 * Validate, confirm for production, deploy with progress on stderr. Shared by `deploy-cf` and
 * `dev up`, so the twin is deployed by exactly the code that deploys staging and production.
 */
export async function deployTemplates(ctx: Context, request: DeployCfRequest): Promise<DeployRun> {
  const root = request.root ?? ctx.root;
  const templates = await loadTemplates(root, {
    paths: request.paths,
    ...(request.changedSince ? { changedSince: request.changedSince } : {}),
  });
  const values = loadParameterValues(root, templates, ctx.env);
  // Every --allow-replace value checked (its form, its stack in this run) before AWS is asked anything.
  const allowReplace = parseAllowReplace(request.allowReplace ?? [], templates.map((t) => stackName(t, ctx.env)));
  // Belt and braces: a NoEcho value is shown as **** by the summary, and masked in anything else
  // written (a CloudFormation reason quoting it, say).
  for (const list of values.values()) for (const v of list) if (v.noEcho) ctx.out.secret(v.value);
  const target = await ctx.aws();
  if (templates.length === 0) return { report: { env: ctx.env, region: target.region, dryRun: ctx.dryRun, stacks: [], replacements: [] }, plans: [] };
  const cfn = request.cfn ?? awsClient(cloudFormationSdk().CloudFormationClient, target);
  const plans = await planDeploy(templates, { env: ctx.env, target, cfn, values });
  await confirmChange(ctx, `deploy-cf of ${plans.length} stack${plans.length === 1 ? '' : 's'}`);

  const progress = ctx.out.liveStatus();
  for (const plan of plans) progress.set(plan.stackName, plan.dependsOn.length ? `waiting for ${plan.dependsOn.join(', ')}` : 'queued');
  const late: DataRisk[] = [];
  const options: RunOptions = {
    env: ctx.env,
    dryRun: ctx.dryRun,
    force: request.force,
    concurrency: request.concurrency,
    pollMs: target.local ? 50 : 3_000,
    protectProduction: true,
    allowReplace,
    hooks: {
      status: (stack: string, message: string) => progress.set(stack, message),
      event: (stack: string, e: StackEvent) =>
        progress.log(
          `  ${stack}  ${e.ResourceStatus ?? ''}  ${e.ResourceType ?? ''}  ${e.LogicalResourceId ?? ''}${e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : ''}`,
        ),
    },
  };
  let preflight: Preflight | undefined;
  let stacks: StackOutcome[];
  try {
    // A dry run executes nothing: its change sets are read, listed and deleted by deployStack.
    if (!ctx.dryRun) preflight = await guardBeforeExecuting(cfn, plans, options, (line) => progress.log(line));
    stacks = await runDeploy(cfn, plans, {
      ...options,
      ...(preflight ? { preflight } : {}),
      guard: lateGuard(ctx.env, allowReplace, (message) => progress.log(`warning: ${message}`), (risk) => late.push(risk)),
    });
    for (const s of stacks) progress.set(s.stack, `${s.action}: ${s.result} (${(s.durationMs / 1000).toFixed(1)}s)`);
  } finally {
    progress.finish();
    if (!request.cfn) cfn.destroy();
  }
  const replacements = ctx.dryRun
    ? stacks.flatMap((s) => dataRisks(s.stack, s.changes ?? [], ctx.env, allowReplace))
    : [...(preflight?.risks ?? []), ...late];
  const unused = [...allowReplace].filter((name) => !replacements.some((r) => `${r.stack}:${r.logicalId}` === name));
  for (const name of unused) ctx.out.warn(`--allow-replace ${name}: no change of this run replaces or removes that resource; nothing was allowed by it`);
  const fromFile = new Map(plans.map((p) => [p.stackName, p.fromFile ?? []]));
  const reported = stacks.map((s): ReportedStack => {
    const shown = fromFile.get(s.stack) ?? [];
    return shown.length ? { ...s, fileParameters: Object.fromEntries(shown.map((v) => [v.key, shownValue(v)])) } : s;
  });
  return { report: { env: ctx.env, region: target.region, dryRun: ctx.dryRun, stacks: reported, replacements }, plans };
}

/**
 * Every update's change set read before any executes: a refused change stops the run here, with
 * all of them deleted (exit 2, nothing deployed); warned and allowed ones are said as they pass.
 */
async function guardBeforeExecuting(cfn: CloudFormationClient, plans: StackPlan[], options: RunOptions, log: (line: string) => void): Promise<Preflight> {
  const preflight = await guardChangeSets(cfn, plans, options);
  if (preflight.risks.some((r) => r.decision === 'refused')) {
    await discardPreflight(cfn, preflight);
    throw refusalError(preflight.risks);
  }
  for (const risk of preflight.risks) {
    const flag = allowReplaceFlag(risk.stack, risk.logicalId);
    if (risk.decision === 'warned') log(`warning: ${describeRisk(risk)} (development: deploying anyway; staging and production refuse it without ${flag})`);
    if (risk.decision === 'allowed') log(`${describeRisk(risk)}: allowed by ${flag}`);
  }
  return preflight;
}

export function renderDeployReport(report: DeployCfReport, paint: Paint): string {
  const colour = (result: string) =>
    result === 'ok' ? paint('green', result) : result === 'failed' ? paint('red', result) : paint('yellow', result);
  const rows = report.stacks.map((s) => [s.stack, s.action, `${(s.durationMs / 1000).toFixed(1)}s`, colour(s.result)]);
  // Data loss first: in a dry run, before anything else is read.
  const lines = report.replacements.length ? [...renderReplacements(report, paint), ''] : [];
  lines.push(renderTable(['stack', 'action', 'duration', 'result'], rows));
  const risky = new Set(report.replacements.map((r) => `${r.stack}:${r.logicalId}`));
  for (const s of report.stacks) {
    if (s.fileParameters) {
      const values = Object.entries(s.fileParameters).map(([key, value]) => `${key}=${value}`);
      lines.push('', `${s.stack} parameters from ${PARAMETERS_FILE}: ${values.join(', ')}`);
    }
    if (s.changes?.length && report.dryRun) {
      lines.push('', `${s.stack} would change:`);
      const marked = (logicalId: string) => risky.has(`${s.stack}:${logicalId}`);
      const ordered = [...s.changes.filter((c) => marked(c.logicalId)), ...s.changes.filter((c) => !marked(c.logicalId))];
      for (const c of ordered) {
        const replaced = c.replacement === 'True' ? '  (replaced)' : c.replacement === 'Conditional' ? '  (may be replaced)' : '';
        lines.push(`${marked(c.logicalId) ? paint('red', '!!') : '  '} ${c.action.padEnd(7)} ${c.type}  ${c.logicalId}${replaced}${marked(c.logicalId) ? '  data loss' : ''}`);
      }
    }
    if (s.error) {
      lines.push('', `${s.stack}: ${s.error.message}`);
      if (s.error.resource) lines.push(`  failed resource: ${s.error.resource}`);
      if (s.error.reason) lines.push(`  reason: ${s.error.reason}`);
    }
  }
  const failed = report.stacks.filter((s) => s.result === 'failed').length;
  const refused = report.replacements.filter((r) => r.decision === 'refused').length;
  const dryRun = `Dry run: nothing was deployed.${refused ? ` Without --allow-replace, the run would stop before executing (exit 2): ${refused} change(s) lose data.` : ''}`;
  lines.push('', failed ? paint('red', `${failed} stack(s) failed.`) : report.dryRun ? dryRun : paint('green', 'Done.'));
  return lines.join('\n');
}

/** The changes that lose data, each with what deploy-cf does (or, in a dry run, would do) about it. */
function renderReplacements(report: DeployCfReport, paint: Paint): string[] {
  const verb = (decision: DataRisk['decision']) => {
    if (decision === 'refused') return paint('red', report.dryRun ? 'WOULD BE REFUSED' : 'REFUSED');
    if (decision === 'allowed') return paint('yellow', 'ALLOWED');
    return paint('yellow', 'WARNING');
  };
  const lines = [`${report.replacements.length} change${report.replacements.length === 1 ? '' : 's'} would replace or remove data:`];
  for (const risk of report.replacements) {
    const how =
      risk.decision === 'allowed'
        ? `by ${allowReplaceFlag(risk.stack, risk.logicalId)}`
        : risk.decision === 'refused'
          ? `allow it with ${allowReplaceFlag(risk.stack, risk.logicalId)}`
          : 'development deploys it anyway; staging and production refuse it without --allow-replace';
    lines.push(`  ${verb(risk.decision)}  ${describeRisk(risk)}`, `    ${how}`);
  }
  return lines;
}
