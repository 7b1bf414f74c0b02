import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { oidcProvider } from '../aws/eks.js';
import type { AwsTarget } from '../aws/target.js';
import type { Environment } from '../config/environments.js';
import { InputError } from '../ui/errors.js';
import { externalImports, planStacks, type StackPlan } from './plan.js';
import { readParametersFile, runParameterValues, type ParameterValue } from './parameters.js';
import { selectTemplates, templateNames, type Selection } from './selection.js';
import { deployStack, type DeployHooks, type StackOutcome } from './stack-deployer.js';
import { loadTemplate, type Template } from './template.js';
import { cloudFormationSdk } from '../aws/sdk.js';

const { DescribeStacksCommand, ListExportsCommand } = cloudFormationSdk();

/** The selected templates, each read and validated: no AWS needed, so bad files fail first. */
export async function loadTemplates(root: string, selection: Selection): Promise<Template[]> {
  return (await selectTemplates(root, selection)).map((p) => loadTemplate(p, root));
}

/**
 * cf/parameters.yaml's values for the run's templates in `env`, read once: every problem of the
 * run is one InputError (exit 2) before anything is deployed. No AWS needed either.
 */
export function loadParameterValues(root: string, templates: readonly Template[], env: Environment): Map<string, ParameterValue[]> {
  return runParameterValues(readParametersFile(root), templates, templateNames(root), env);
}

export interface PlanInput {
  env: Environment;
  target: AwsTarget;
  cfn: CloudFormationClient;
  /** cf/parameters.yaml's values for this environment, by template file (see runParameterValues). */
  values?: ReadonlyMap<string, readonly ParameterValue[]>;
}

/**
 * Everything that can be known before touching a stack: the OIDC provider for IRSA roles, the
 * import/export order, and every import satisfied. Any problem is an InputError here, so a bad
 * run stops before the first deploy (nothing half-deployed).
 */
export async function planDeploy(templates: Template[], input: PlanInput): Promise<StackPlan[]> {
  const oidc = templates.some((t) => t.irsa) ? await oidcProvider(input.target, input.env) : undefined;
  const plans = planStacks(templates, {
    env: input.env,
    region: input.target.region,
    ...(oidc ? { oidcProvider: oidc } : {}),
    ...(input.values ? { values: input.values } : {}),
  });

  const external = externalImports(plans);
  if (external.size) {
    const available = await listExports(input.cfn);
    for (const [name, importers] of external) {
      if (available.has(name)) continue;
      const [importer] = importers;
      if (!importer) throw new Error(`internal: export ${name} is listed with no template importing it`);
      throw new InputError(`${importer.template.file} imports ${name}, which no template in this run exports and the account does not have`, {
        where: importer.template.file,
        hint: 'deploy the template that exports it first (or in the same run: `biomage deploy-cf` with no arguments deploys all of cf/)',
      });
    }
  }
  return plans;
}

export interface RunOptions {
  env: Environment;
  dryRun: boolean;
  force: boolean;
  concurrency: number;
  pollMs: number;
  hooks: DeployHooks;
}

/**
 * Deploy the plans, at most `concurrency` at once; a stack starts when the stacks whose exports it
 * imports have succeeded. A failure skips its dependents and leaves the other stacks going.
 */
export async function runDeploy(cfn: CloudFormationClient, plans: StackPlan[], options: RunOptions): Promise<StackOutcome[]> {
  const existing = await describeStacks(cfn, new Set(plans.map((p) => p.stackName)));
  const outcomes = new Map<string, StackOutcome>();
  const pending = [...plans];
  const running = new Map<string, Promise<void>>();
  const outcomeOf = (stack: string): StackOutcome => {
    const outcome = outcomes.get(stack);
    if (!outcome) throw new Error(`internal: stack ${stack} has no outcome yet`);
    return outcome;
  };

  while (pending.length || running.size) {
    for (const plan of [...pending]) {
      if (running.size >= options.concurrency) break;
      const deps = plan.dependsOn.map((d) => outcomes.get(d));
      if (deps.includes(undefined)) continue;
      pending.splice(pending.indexOf(plan), 1);

      // A dependency planned as an update (dry run) already has its exports: it does not block.
      const blocked = plan.dependsOn.filter((d) => {
        const dep = outcomeOf(d);
        return dep.result !== 'ok' && !(dep.result === 'planned' && dep.action === 'update');
      });
      if (blocked.length) {
        // In a dry run the exports of a stack still to be created do not exist yet: say so rather than fail.
        const planned = options.dryRun && blocked.every((d) => outcomeOf(d).result === 'planned');
        outcomes.set(plan.stackName, {
          stack: plan.stackName,
          template: plan.template.file,
          action: 'skipped',
          result: planned ? 'planned' : 'skipped',
          durationMs: 0,
          error: {
            message: planned
              ? `waits for ${blocked.join(', ')}, which this run would create first`
              : `not deployed: it imports from ${blocked.join(', ')}, which did not deploy`,
          },
        });
        continue;
      }
      options.hooks.status(plan.stackName, 'starting');
      const run = deployStack(cfn, plan, existing.get(plan.stackName), options).then((outcome) => {
        outcomes.set(plan.stackName, outcome);
        running.delete(plan.stackName);
      });
      running.set(plan.stackName, run);
    }
    if (running.size) await Promise.race(running.values());
  }
  return plans.map((p) => outcomeOf(p.stackName));
}

/** The existing stacks among `names`, in as few calls as possible (one page lists many stacks). */
async function describeStacks(cfn: CloudFormationClient, names: Set<string>): Promise<Map<string, Stack>> {
  const found = new Map<string, Stack>();
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStacksCommand({ NextToken: token }));
    for (const stack of page.Stacks ?? []) if (stack.StackName && names.has(stack.StackName)) found.set(stack.StackName, stack);
    token = page.NextToken;
  } while (token);
  return found;
}

async function listExports(cfn: CloudFormationClient): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListExportsCommand({ NextToken: token }));
    for (const e of page.Exports ?? []) if (e.Name) names.add(e.Name);
    token = page.NextToken;
  } while (token);
  return names;
}
