import type { CloudFormationClient, Stack, StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { oidcProvider } from '../aws/eks.js';
import { cloudFormationSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { loadParameterValues, loadTemplates } from '../cf/deploy.js';
import type { ParameterValue } from '../cf/parameters.js';
import { HASH_TAG, planStacks, type StackPlan } from '../cf/plan.js';
import { stacksNamed } from '../cf/stack-listing.js';
import { holdsResources } from '../cf/single-stack.js';
import type { Template } from '../cf/template.js';
import type { Environment } from '../config/environments.js';
import { mapLimit } from '../map-limit.js';
import type { Difference } from './difference.js';
import { detectStackDrift, type StackDetection } from './detect.js';
import { MASK, maskReason, noEchoParameters } from './masking.js';
import { templateChanges } from './pending.js';
import { separateRuleFor } from './separate-rules.js';

const { GetTemplateCommand } = cloudFormationSdk();

/** The tag deploy-cf writes with the template a stack was made from (`cf/s3.yaml`). */
export const TEMPLATE_TAG = 'biomage:template';

/** One stack's drift detection, as the report shows it. */
export interface StackCheck {
  stack: string;
  template?: string;
  /** in-sync / drifted: CloudFormation's verdict; failed: it could not (fully) check the stack. */
  status: 'in-sync' | 'drifted' | 'failed';
  /** The resources found MODIFIED or DELETED. */
  drifted: number;
  reason?: string;
}

export interface StackDriftResult {
  checks: StackCheck[];
  differences: Difference[];
  /** Whatever could not be checked, with why (IRSA hashes without the cluster, say). */
  notes: string[];
}

export interface StackDriftInput {
  root: string;
  env: Environment;
  target: AwsTarget;
  cfn: CloudFormationClient;
  /** Templates named on the command line; empty: all of cf/ (and stacks without a template are looked for). */
  paths: string[];
  concurrency: number;
  /** Each NoEcho value of cf/parameters.yaml, so the output layer masks it wherever it appears. */
  secret: (value: string) => void;
  progress: (stack: string, message: string) => void;
}

/**
 * Everything about the environment's stacks: each template's stack detected for drift (at most
 * `concurrency` detections at once), the templates whose stack is behind the code or missing,
 * and (when all of cf/ is selected) the biomage-*-<env> stacks that no template makes.
 */
export async function stackDrift(input: StackDriftInput): Promise<StackDriftResult> {
  const templates = await loadTemplates(input.root, { paths: input.paths });
  const values = loadParameterValues(input.root, templates, input.env);
  for (const list of values.values()) for (const v of list) if (v.noEcho) input.secret(v.value);
  const notes: string[] = [];
  const plans = await planWhatCanBe(templates, values, input, notes);
  const stacks = await environmentStacks(input.cfn, input.env);
  const differences: Difference[] = [];
  // `file`: a stack made from infra/ by configure (its template is not deploy-cf's to compare).
  const toDetect: { stack: string; template?: Template; file?: string }[] = [];

  for (const template of templates) {
    const name = plans.get(template.file)?.stackName ?? `biomage-${template.name}-${input.env}`;
    const stack = stacks.get(name);
    if (!holdsResources(stack)) {
      differences.push({
        kind: 'template-without-stack',
        stack: name,
        template: template.file,
        detail: stack ? `the stack is ${stack.StackStatus ?? '?'}: its creation failed or never ran, so it holds no resources` : 'no stack: the template was never deployed to this environment',
      });
      continue;
    }
    toDetect.push({ stack: name, template });
    const plan = plans.get(template.file);
    const recorded = stack?.Tags?.find((t) => t.Key === HASH_TAG)?.Value;
    if (plan && stack && recorded !== plan.hash) differences.push(...(await pendingChanges(input.cfn, plan, stack)));
  }

  if (!input.paths.length) {
    const made = new Set(toDetect.map((d) => d.stack).concat(templates.map((t) => `biomage-${t.name}-${input.env}`)));
    for (const [name, stack] of stacks) {
      if (made.has(name) || !madeFromCf(stack)) continue;
      const tag = templateTag(stack);
      differences.push({
        kind: 'stack-without-template',
        stack: name,
        ...(tag ? { template: tag } : {}),
        detail: tag ? `deployed from ${tag}, which cf/ no longer has` : `no template of cf/ makes this stack (it has no ${TEMPLATE_TAG} tag: made by hand?)`,
      });
      if (holdsResources(stack)) toDetect.push({ stack: name });
    }
    // The environment's stacks configure deploys from infra/ (the DNS zone, the CI roles): their
    // code is configure's to compare, but what runs in them can drift like any other stack's.
    for (const [name, stack] of stacks) {
      const file = templateTag(stack);
      if (made.has(name) || !file?.startsWith('infra/') || !holdsResources(stack)) continue;
      toDetect.push({ stack: name, file });
    }
  }

  const pollMs = input.target.local ? 50 : 2_000;
  for (const d of toDetect) input.progress(d.stack, 'queued');
  const checks = await mapLimit(toDetect, input.concurrency, async ({ stack, template, file }): Promise<StackCheck> => {
    input.progress(stack, 'detecting drift');
    const source = template?.file ?? file;
    const base = { stack, ...(source ? { template: source } : {}) };
    let detection: StackDetection;
    try {
      detection = await detectStackDrift(input.cfn, stack, { pollMs, timeoutMs: 15 * 60_000 });
    } catch (error) {
      const reason = (error as Error).message;
      input.progress(stack, `failed: ${reason}`);
      return { ...base, status: 'failed', drifted: 0, reason };
    }
    const found = detection.drifts
      .filter((d) => d.StackResourceDriftStatus === 'MODIFIED' || d.StackResourceDriftStatus === 'DELETED')
      .map((drift) => resourceDifferences(stack, template, drift, notes, file))
      .filter((list) => list.length > 0);
    differences.push(...found.flat());
    const failed = detection.detectionStatus !== 'DETECTION_COMPLETE';
    input.progress(stack, failed ? `detection failed: ${detection.reason ?? 'no reason given'}` : found.length ? `${found.length} resource(s) drifted` : 'in sync');
    return {
      ...base,
      // Judged on what is left once the code's own separate rules are set aside, not on CloudFormation's DRIFTED.
      status: failed ? 'failed' : found.length ? 'drifted' : 'in-sync',
      drifted: found.length,
      ...(failed ? { reason: detection.reason ?? `${detection.detectionStatus}, no reason given` } : {}),
    };
  });
  return { checks, differences, notes };
}

/**
 * deploy-cf's plans, to compare hashes. IRSA templates need the cluster's OIDC provider; when the
 * cluster cannot be read, their stacks are still detected for drift but not compared with the code.
 */
async function planWhatCanBe(templates: Template[], values: Map<string, ParameterValue[]>, input: StackDriftInput, notes: string[]): Promise<Map<string, StackPlan>> {
  let oidc: string | undefined;
  let planned = templates;
  if (templates.some((t) => t.irsa)) {
    try {
      oidc = await oidcProvider(input.target, input.env);
    } catch (error) {
      planned = templates.filter((t) => !t.irsa);
      notes.push(`IRSA templates not compared with their stacks' recorded hash: ${(error as Error).message}`);
    }
  }
  const plans = planStacks(planned, { env: input.env, region: input.target.region, values, ...(oidc ? { oidcProvider: oidc } : {}) });
  return new Map(plans.map((p) => [p.template.file, p]));
}

/** The environment's biomage-<name>-<env> stacks, with their tags. */
function environmentStacks(cfn: CloudFormationClient, env: Environment): Promise<Map<string, Stack>> {
  const pattern = new RegExp(`^biomage-.+-${env}$`);
  return stacksNamed(cfn, (name) => pattern.test(name));
}

/**
 * Whether a stack is deploy-cf's to answer for: one tagged from a cf/ template, or one with no
 * biomage tag at all (made by hand under a biomage name). Stacks that configure and rotate-ci
 * deploy from infra/ are tagged with their own file and belong to those commands.
 */
function madeFromCf(stack: Stack): boolean {
  const tag = templateTag(stack);
  return tag === undefined || tag.startsWith('cf/');
}

const templateTag = (stack: Stack) => stack.Tags?.find((t) => t.Key === TEMPLATE_TAG)?.Value;

/** The not-deployed-yet differences of a stack whose recorded hash is not the code's. */
async function pendingChanges(cfn: CloudFormationClient, plan: StackPlan, stack: Stack): Promise<Difference[]> {
  let body: string | undefined;
  try {
    body = (await cfn.send(new GetTemplateCommand({ StackName: plan.stackName, TemplateStage: 'Original' }))).TemplateBody;
  } catch {
    // Not readable: the parameters are still compared, and the difference is still reported.
    body = undefined;
  }
  return templateChanges(plan, stack.Parameters ?? [], body);
}

/**
 * The differences of one drifted resource: each property for MODIFIED, the resource itself for
 * DELETED. A rule its template declares as a separate resource is not one (see separate-rules.ts):
 * it goes to `notes` instead.
 */
export function resourceDifferences(stack: string, template: Template | undefined, drift: StackResourceDrift, notes: string[] = [], file = template?.file): Difference[] {
  const logicalId = drift.LogicalResourceId ?? '?';
  const base = {
    stack,
    ...(file ? { template: file } : {}),
    logicalId,
    ...(drift.ResourceType ? { type: drift.ResourceType } : {}),
    ...(drift.PhysicalResourceId ? { physicalId: drift.PhysicalResourceId } : {}),
  };
  if (drift.StackResourceDriftStatus === 'DELETED') return [{ ...base, kind: 'deleted', detail: 'the resource no longer exists' }];
  const properties = template?.doc.Resources[logicalId]?.Properties;
  const noEcho = noEchoParameters(template?.doc.Parameters);
  const given = drift.PropertyDifferences ?? [];
  const kept = given.filter((p) => {
    const rule = template ? separateRuleFor(template.doc, logicalId, p) : undefined;
    if (rule) notes.push(`${stack}: the rule ${p.PropertyPath ?? ''} CloudFormation reports added to ${logicalId} is ${rule} of ${template?.file ?? 'its template'}, the code's own: not drift`);
    return !rule;
  });
  const differences = kept.map((p): Difference => {
    const path = p.PropertyPath ?? '';
    const masked = maskReason(path, properties, noEcho);
    const verb = p.DifferenceType === 'ADD' ? 'added' : p.DifferenceType === 'REMOVE' ? 'removed' : 'changed';
    return {
      ...base,
      kind: 'modified',
      path,
      expected: masked ? MASK : (p.ExpectedValue ?? ''),
      actual: masked ? MASK : (p.ActualValue ?? ''),
      ...(masked ? { masked } : {}),
      detail: `${verb} outside CloudFormation`,
    };
  });
  // CloudFormation says MODIFIED without saying where: still a difference, with no path.
  if (!given.length) return [{ ...base, kind: 'modified', detail: 'modified outside CloudFormation (no property named)' }];
  return differences;
}
