import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { oidcProvider } from '../aws/eks.js';
import type { AwsTarget } from '../aws/target.js';
import type { Environment } from '../config/environments.js';
import { InputError } from '../ui/errors.js';
import { externalImports, planStacks, type StackPlan } from './plan.js';
import { readParametersFile, runParameterValues, type ParameterValue } from './parameters.js';
import { selectTemplates, templateNames, type Selection } from './selection.js';
import { byResource, dataRisks, describeRisk, type AllowReplace, type DataRisk } from './replacement-guard.js';
import { deployStack, discardChangeSet, prepareChangeSet, wouldUpdate, type DeployHooks, type PreparedChangeSet, type StackDeployOptions, type StackOutcome } from './stack-deployer.js';
import { mapLimit } from '../map-limit.js';
import { runAfter } from '../run-after.js';
import { loadTemplate, type Template } from './template.js';
import { allExports, stacksNamed } from './stack-listing.js';


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
    const available = new Set((await allExports(input.cfn)).flatMap((e) => (e.Name ? [e.Name] : [])));
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
  /** --allow-replace values, `<stack>:<LogicalId>`. */
  allowReplace?: AllowReplace;
  /** Leave production stacks with termination protection and the protective stack policy (deploy-cf). */
  protectProduction?: boolean;
  /** The change sets read by guardChangeSets: runDeploy executes these rather than create new ones. */
  preflight?: Preflight;
  /** Read before executing a change set the preflight did not read (see lateGuard). */
  guard?: StackDeployOptions['guard'];
}

/** Every update's change set, created and read before any is executed. */
export interface Preflight {
  existing: Map<string, Stack>;
  prepared: Map<string, PreparedChangeSet>;
  /** The changes among them that lose data, each refused, allowed or (development) warned. */
  risks: DataRisk[];
}

/**
 * The run's guard against data loss, before anything executes: create the change set of every
 * stack the run updates (a creation cannot lose data), read its changes, and list those that
 * remove or replace a stateful resource. A refused one stops the whole run with nothing deployed
 * (see refusalError); then discardPreflight deletes them all. A stack whose new template imports
 * from a stack this run creates cannot have its change set yet: it is guarded at its turn instead
 * (deployStack's guard), and refused there, after the stacks before it.
 */
export async function guardChangeSets(cfn: CloudFormationClient, plans: StackPlan[], options: RunOptions): Promise<Preflight> {
  const existing = await stacksOf(cfn, plans);
  const created = new Set(plans.filter((p) => !existing.has(p.stackName)).map((p) => p.stackName));
  const updates = plans.filter((p) => wouldUpdate(p, existing.get(p.stackName), options.force) && !p.dependsOn.some((d) => created.has(d)));
  const prepared = new Map<string, PreparedChangeSet>();
  await mapLimit(updates, options.concurrency, async (plan) => {
    try {
      prepared.set(plan.stackName, await prepareChangeSet(cfn, plan, 'UPDATE', options));
      options.hooks.status(plan.stackName, 'change set read, waiting for the others');
    } catch {
      // Left to deployStack, which creates it again at the stack's turn and reports the failure there.
    }
  });
  const risks = [...prepared].flatMap(([stack, p]) => dataRisks(stack, p.changes, options.env, options.allowReplace ?? new Set())).sort(byResource);
  return { existing, prepared, risks };
}

/** Delete every change set the preflight created: the run stops before executing any. */
export async function discardPreflight(cfn: CloudFormationClient, preflight: Preflight): Promise<void> {
  await Promise.all([...preflight.prepared].map(([stack, prepared]) => discardChangeSet(cfn, stack, prepared)));
}

/** deployStack's guard for a stack the preflight could not read: a refused risk fails that stack. */
export function lateGuard(env: Environment, allowReplace: AllowReplace, warn: (message: string) => void, record: (risk: DataRisk) => void) {
  return (stack: string, changes: Parameters<typeof dataRisks>[1]): string | undefined => {
    const risks = dataRisks(stack, changes, env, allowReplace);
    risks.forEach(record);
    for (const risk of risks) if (risk.decision === 'warned') warn(`${describeRisk(risk)} (development: deploying anyway)`);
    const refused = risks.filter((r) => r.decision === 'refused');
    if (!refused.length) return undefined;
    return `refused: ${refused.map((r) => `${describeRisk(r)}; allow it with --allow-replace ${r.stack}:${r.logicalId}`).join('; ')}`;
  };
}

/**
 * Deploy the plans, at most `concurrency` at once; a stack starts when the stacks whose exports it
 * imports have succeeded. A failure skips its dependents and leaves the other stacks going.
 */
export async function runDeploy(cfn: CloudFormationClient, plans: StackPlan[], options: RunOptions): Promise<StackOutcome[]> {
  const existing = options.preflight?.existing ?? (await stacksOf(cfn, plans));
  const unused = new Map(options.preflight?.prepared);
  const outcomes = await runAfter<StackPlan, StackOutcome>(plans, {
    concurrency: options.concurrency,
    key: (plan) => plan.stackName,
    waitsFor: (plan) => plan.dependsOn,
    passOver: (plan, done) => {
      // A dependency planned as an update (dry run) already has its exports: it does not block.
      const blocked = plan.dependsOn.filter((d) => {
        const dep = done.get(d);
        return dep?.result !== 'ok' && !(dep?.result === 'planned' && dep.action === 'update');
      });
      if (!blocked.length) return undefined;
      // In a dry run the exports of a stack still to be created do not exist yet: say so rather than fail.
      const planned = options.dryRun && blocked.every((d) => done.get(d)?.result === 'planned');
      return {
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
      };
    },
    run: (plan) => {
      options.hooks.status(plan.stackName, 'starting');
      const prepared = unused.get(plan.stackName);
      unused.delete(plan.stackName);
      // A change set the preflight read was guarded there already.
      const { guard, ...guarded } = options;
      return deployStack(cfn, plan, existing.get(plan.stackName), prepared ? { ...guarded, prepared } : { ...guarded, ...(guard ? { guard } : {}) });
    },
  });
  // A stack skipped because its exporter failed never used the change set read for it.
  await Promise.all([...unused].map(([stack, prepared]) => discardChangeSet(cfn, stack, prepared)));
  return outcomes;
}

/** The existing stacks of these plans. */
function stacksOf(cfn: CloudFormationClient, plans: readonly StackPlan[]): Promise<Map<string, Stack>> {
  const names = new Set(plans.map((p) => p.stackName));
  return stacksNamed(cfn, (name) => names.has(name));
}
