import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws/sdk.js';
import type { Environment } from '../config/environments.js';
import { partitionOf } from '../cf/plan.js';
import { allExports, stacksNamed } from '../cf/stack-listing.js';
import { references, type KnownValues } from '../cf/references.js';
import type { CfnTemplate } from '../cf/template.js';
import { mapLimit } from '../map-limit.js';
import { parseCfnYaml } from '../yaml/cfn.js';
import type { StackImport } from './order.js';
import { retainedResources, type DeployedResource, type RetainedResource } from './retention.js';

const { GetTemplateCommand, ListImportsCommand, ListStackResourcesCommand } = cloudFormationSdk();

/** The tags deploy-cf gives every stack it makes: destroy deletes no stack without them. */
export const ENVIRONMENT_TAG = 'biomage:environment';
export const TEMPLATE_TAG = 'biomage:template';

/** A stack of the run as it is deployed now. */
export interface DeployedStack {
  name: string;
  id: string;
  status: string;
  terminationProtection: boolean;
  /** The tags biomage gives its stacks, when present. */
  madeFor?: { environment?: string; template?: string };
  retained: RetainedResource[];
  /** Every resource the stack holds (what ListStackResources lists). */
  resources: DeployedResource[];
  /** Export names its deployed template imports (the template's own view of the graph). */
  imports: string[];
}

/** What the account holds for the run: its stacks that exist, and every import touching them. */
export interface LiveState {
  stacks: Map<string, DeployedStack>;
  imports: StackImport[];
}

export interface InspectOptions {
  env: Environment;
  region: string;
  /** Stacks read at once (GetTemplate, ListStackResources, ListImports each stack or export). */
  concurrency: number;
}

/** Gone, as far as deleting goes: not there, or deleted already. */
export function isAbsent(stack: Stack | undefined): boolean {
  return !stack || stack.StackStatus === 'DELETE_COMPLETE';
}

/**
 * Read the run's stacks from CloudFormation: status, termination protection, tags, the template
 * and parameters as deployed (for DeletionPolicy and imports), their resources, and the imports
 * of their exports (ListExports, then ListImports per export), so that a stack with no template
 * in cf/ that imports from the run still counts. Reads only.
 */
export async function inspectStacks(cfn: CloudFormationClient, names: readonly string[], options: InspectOptions): Promise<LiveState> {
  const wanted = new Set(names);
  const described = await stacksNamed(cfn, (name) => wanted.has(name));
  const present = names.map((n) => described.get(n)).filter((s): s is Stack => !isAbsent(s));
  const stacks = new Map<string, DeployedStack>();
  await mapLimit(present, options.concurrency, async (stack) => {
    stacks.set(stack.StackName ?? '', await deployedStack(cfn, stack, options));
  });

  const exporters = new Map([...stacks.values()].map((s) => [s.id, s.name]));
  const exports = (await allExports(cfn)).filter((e) => exporters.has(e.ExportingStackId ?? ''));
  const byName = new Map(exports.map((e) => [e.Name ?? '', exporters.get(e.ExportingStackId ?? '') ?? '']));
  const imports: StackImport[] = [];
  await mapLimit(exports, options.concurrency, async (e) => {
    const exportName = e.Name ?? '';
    for (const importer of await listImports(cfn, exportName)) imports.push({ exporter: byName.get(exportName) ?? '', exportName, importer });
  });
  // The deployed templates' own imports: the same edges, and a safeguard should ListImports lag.
  for (const stack of stacks.values()) {
    for (const exportName of stack.imports) {
      const exporter = byName.get(exportName);
      if (exporter) imports.push({ exporter, exportName, importer: stack.name });
    }
  }
  return { stacks, imports };
}

async function deployedStack(cfn: CloudFormationClient, stack: Stack, options: InspectOptions): Promise<DeployedStack> {
  const name = stack.StackName ?? '';
  const id = stack.StackId ?? name;
  const tag = (key: string) => stack.Tags?.find((t) => t.Key === key)?.Value;
  const [doc, resources] = await Promise.all([deployedTemplate(cfn, id), listResources(cfn, id)]);
  const known = knownValues(stack, doc, options);
  const environment = tag(ENVIRONMENT_TAG);
  const template = tag(TEMPLATE_TAG);
  return {
    name,
    id,
    status: stack.StackStatus ?? 'UNKNOWN',
    terminationProtection: stack.EnableTerminationProtection === true,
    ...(environment || template ? { madeFor: { ...(environment ? { environment } : {}), ...(template ? { template } : {}) } } : {}),
    retained: doc ? retainedResources(name, doc, known, resources) : [],
    resources,
    imports: doc ? references(doc, known).imports : [],
  };
}

/**
 * The stack's parameters as deployed and the pseudo-parameters, for evaluating its conditions.
 * NoEcho values come back as ****: they are left unknown, never guessed.
 */
function knownValues(stack: Stack, doc: CfnTemplate | undefined, options: InspectOptions): KnownValues {
  const hidden = new Set(Object.entries(doc?.Parameters ?? {}).filter(([, p]) => p.NoEcho === true || p.NoEcho === 'true').map(([k]) => k));
  const known: Record<string, string> = {
    'AWS::StackName': stack.StackName ?? '',
    'AWS::StackId': stack.StackId ?? '',
    'AWS::Region': options.region,
    'AWS::Partition': partitionOf(options.region),
  };
  for (const p of stack.Parameters ?? []) {
    if (p.ParameterKey && p.ParameterValue !== undefined && !hidden.has(p.ParameterKey)) known[p.ParameterKey] = p.ResolvedValue ?? p.ParameterValue;
  }
  return known;
}

/** The template as CloudFormation holds it for the stack (it may differ from cf/ today). */
async function deployedTemplate(cfn: CloudFormationClient, stackId: string): Promise<CfnTemplate | undefined> {
  const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: stackId }));
  if (!TemplateBody) return undefined;
  // The SDK hands a JSON template over as an object on some paths; YAML is a string.
  const value = typeof TemplateBody === 'string' ? parseCfnYaml(TemplateBody).value : TemplateBody;
  return value && typeof value === 'object' && 'Resources' in value ? (value as CfnTemplate) : undefined;
}

async function listResources(cfn: CloudFormationClient, stackId: string): Promise<DeployedResource[]> {
  const found: DeployedResource[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: stackId, NextToken: token }));
    for (const r of page.StackResourceSummaries ?? []) {
      if (!r.LogicalResourceId || !r.ResourceType || r.ResourceStatus === 'DELETE_COMPLETE') continue;
      found.push({ logicalId: r.LogicalResourceId, type: r.ResourceType, physicalId: r.PhysicalResourceId ?? '' });
    }
    token = page.NextToken;
  } while (token);
  return found;
}


/** The stacks importing an export; CloudFormation answers "not imported by any stack" with an error. */
async function listImports(cfn: CloudFormationClient, exportName: string): Promise<string[]> {
  const importers: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await cfn.send(new ListImportsCommand({ ExportName: exportName, NextToken: token }));
      importers.push(...(page.Imports ?? []));
      token = page.NextToken;
    } while (token);
  } catch (error) {
    if (/is not imported by any stack/i.test((error as Error).message)) return [];
    throw error;
  }
  return importers;
}
