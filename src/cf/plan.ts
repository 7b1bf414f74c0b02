import { createHash } from 'node:crypto';
import type { Environment } from '../config/environments.js';
import { InputError } from '../ui/errors.js';
import { knownParameterValues, type ParameterValue } from './parameters.js';
import { references } from './references.js';
import { stackName, type Template } from './template.js';

export interface StackPlan {
  template: Template;
  stackName: string;
  parameters: { ParameterKey: string; ParameterValue: string }[];
  /** The values among `parameters` that came from cf/parameters.yaml (for the summary; NoEcho ones marked). */
  fromFile?: ParameterValue[];
  /** sha256 of the body and parameters, recorded as a stack tag: equal means nothing to deploy. */
  hash: string;
  exports: string[];
  imports: string[];
  /** Stacks of this run whose exports this one imports: they deploy first. */
  dependsOn: string[];
}

export const HASH_TAG = 'biomage:template-sha256';

/** What the stack's HASH_TAG records: equal hashes mean the same body and parameters. */
export function planHash(body: string, parameters: StackPlan['parameters']): string {
  return createHash('sha256').update(body).update('\0').update(JSON.stringify(parameters)).digest('hex');
}

export interface PlanInput {
  env: Environment;
  region: string;
  oidcProvider?: string;
  /** cf/parameters.yaml's values for this environment, by template file (see runParameterValues). */
  values?: ReadonlyMap<string, readonly ParameterValue[]>;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Stack names, parameters, hashes and the import/export graph for the templates of one run. */
export function planStacks(templates: Template[], input: PlanInput): StackPlan[] {
  const plans = templates.map((template): StackPlan => {
    const name = stackName(template, input.env);
    if (template.irsa && !input.oidcProvider) throw new Error(`no OIDC provider resolved for ${template.file}`);
    const filled: Record<string, string> = { Environment: input.env, ...(template.irsa && input.oidcProvider ? { OIDCProvider: input.oidcProvider } : {}) };
    const fromFile = [...(input.values?.get(template.file) ?? [])];
    // Only the file's values that differ from the Default are sent, so a template without any
    // keeps the hash it had before cf/parameters.yaml existed.
    const parameters: StackPlan['parameters'] = [
      ...Object.entries(filled).map(([key, value]) => ({ ParameterKey: key, ParameterValue: value })),
      ...fromFile.map((value) => ({ ParameterKey: value.key, ParameterValue: value.value })),
    ];
    const known = {
      ...knownParameterValues(template.doc.Parameters ?? {}, fromFile),
      ...filled,
      'AWS::StackName': name,
      'AWS::Region': input.region,
      'AWS::Partition': partitionOf(input.region),
    };
    const refs = references(template.doc, known);
    const hash = planHash(template.body, parameters);
    return { template, stackName: name, parameters, fromFile, hash, exports: refs.exports, imports: refs.imports, dependsOn: [] };
  });

  const exporter = new Map<string, StackPlan>();
  for (const plan of plans) {
    for (const name of plan.exports) {
      const other = exporter.get(name);
      if (other) {
        throw new InputError(`export ${name} is declared by both ${other.template.file} and ${plan.template.file}`, {
          where: plan.template.file,
          hint: 'export names are account-wide: rename one of them',
        });
      }
      exporter.set(name, plan);
    }
  }
  for (const plan of plans) {
    plan.dependsOn = [...new Set(plan.imports.map((i) => exporter.get(i)?.stackName).filter((s): s is string => !!s && s !== plan.stackName))];
  }
  assertAcyclic(plans);
  return plans;
}

/** Imports that no template of this run exports: they must already exist in the account. */
export function externalImports(plans: StackPlan[]): Map<string, StackPlan[]> {
  const exported = new Set(plans.flatMap((p) => p.exports));
  const external = new Map<string, StackPlan[]>();
  for (const plan of plans) {
    for (const name of plan.imports) if (!exported.has(name)) external.set(name, [...(external.get(name) ?? []), plan]);
  }
  return external;
}

function assertAcyclic(plans: StackPlan[]): void {
  const byName = new Map(plans.map((p) => [p.stackName, p]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plan: StackPlan, path: string[]): void => {
    if (state.get(plan.stackName) === 'done') return;
    if (state.get(plan.stackName) === 'visiting') {
      throw new InputError(`templates import each other's exports in a cycle: ${[...path, plan.stackName].join(' → ')}`, {
        where: plan.template.file,
        hint: 'move the shared resource into one template, or pass the value as a parameter',
      });
    }
    state.set(plan.stackName, 'visiting');
    for (const dep of plan.dependsOn) {
      const dependency = byName.get(dep);
      if (!dependency) throw new Error(`internal: ${plan.stackName} depends on ${dep}, which is not planned`);
      visit(dependency, [...path, plan.stackName]);
    }
    state.set(plan.stackName, 'done');
  };
  for (const plan of plans) visit(plan, []);
}
