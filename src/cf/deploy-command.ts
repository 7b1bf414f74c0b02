import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { awsClient } from '../aws/clients.js';
import type { Context } from '../context.js';
import { confirmChange } from '../ui/confirm.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { loadParameterValues, loadTemplates, planDeploy, runDeploy } from './deploy.js';
import { shownValue } from './parameters.js';
import type { StackPlan } from './plan.js';
import { PARAMETERS_FILE } from './layout.js';
import type { StackOutcome } from './stack-deployer.js';
import { cloudFormationSdk } from '../aws/sdk.js';

export interface DeployCfRequest {
  paths: string[];
  changedSince?: string;
  force: boolean;
  concurrency: number;
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
  // Belt and braces: a NoEcho value is shown as **** by the summary, and masked in anything else
  // written (a CloudFormation reason quoting it, say).
  for (const list of values.values()) for (const v of list) if (v.noEcho) ctx.out.secret(v.value);
  const target = await ctx.aws();
  if (templates.length === 0) return { report: { env: ctx.env, region: target.region, dryRun: ctx.dryRun, stacks: [] }, plans: [] };
  const cfn = request.cfn ?? awsClient(cloudFormationSdk().CloudFormationClient, target);
  const plans = await planDeploy(templates, { env: ctx.env, target, cfn, values });
  await confirmChange(ctx, `deploy-cf of ${plans.length} stack${plans.length === 1 ? '' : 's'}`);

  const progress = ctx.out.liveStatus();
  for (const plan of plans) progress.set(plan.stackName, plan.dependsOn.length ? `waiting for ${plan.dependsOn.join(', ')}` : 'queued');
  const stacks = await runDeploy(cfn, plans, {
    env: ctx.env,
    dryRun: ctx.dryRun,
    force: request.force,
    concurrency: request.concurrency,
    pollMs: target.local ? 50 : 3_000,
    hooks: {
      status: (stack, message) => progress.set(stack, message),
      event: (stack, e) =>
        progress.log(
          `  ${stack}  ${e.ResourceStatus ?? ''}  ${e.ResourceType ?? ''}  ${e.LogicalResourceId ?? ''}${e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : ''}`,
        ),
    },
  });
  for (const s of stacks) progress.set(s.stack, `${s.action}: ${s.result} (${(s.durationMs / 1000).toFixed(1)}s)`);
  progress.finish();
  if (!request.cfn) cfn.destroy();
  const fromFile = new Map(plans.map((p) => [p.stackName, p.fromFile ?? []]));
  const reported = stacks.map((s): ReportedStack => {
    const shown = fromFile.get(s.stack) ?? [];
    return shown.length ? { ...s, fileParameters: Object.fromEntries(shown.map((v) => [v.key, shownValue(v)])) } : s;
  });
  return { report: { env: ctx.env, region: target.region, dryRun: ctx.dryRun, stacks: reported }, plans };
}

export function renderDeployReport(report: DeployCfReport, paint: Paint): string {
  const colour = (result: string) =>
    result === 'ok' ? paint('green', result) : result === 'failed' ? paint('red', result) : paint('yellow', result);
  const rows = report.stacks.map((s) => [s.stack, s.action, `${(s.durationMs / 1000).toFixed(1)}s`, colour(s.result)]);
  const lines = [renderTable(['stack', 'action', 'duration', 'result'], rows)];
  for (const s of report.stacks) {
    if (s.fileParameters) {
      const values = Object.entries(s.fileParameters).map(([key, value]) => `${key}=${value}`);
      lines.push('', `${s.stack} parameters from ${PARAMETERS_FILE}: ${values.join(', ')}`);
    }
    if (s.changes?.length && report.dryRun) {
      lines.push('', `${s.stack} would change:`);
      for (const c of s.changes) lines.push(`  ${c.action.padEnd(7)} ${c.type}  ${c.logicalId}${c.replacement === 'True' ? '  (replaced)' : ''}`);
    }
    if (s.error) {
      lines.push('', `${s.stack}: ${s.error.message}`);
      if (s.error.resource) lines.push(`  failed resource: ${s.error.resource}`);
      if (s.error.reason) lines.push(`  reason: ${s.error.reason}`);
    }
  }
  const failed = report.stacks.filter((s) => s.result === 'failed').length;
  lines.push('', failed ? paint('red', `${failed} stack(s) failed.`) : report.dryRun ? 'Dry run: nothing was deployed.' : paint('green', 'Done.'));
  return lines.join('\n');
}
