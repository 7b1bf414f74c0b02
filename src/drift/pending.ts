import type { Parameter } from '@aws-sdk/client-cloudformation';
import { canonicalJson } from '../canonical-json.js';
import { serialised } from '../cf/parameters.js';
import type { StackPlan } from '../cf/plan.js';
import { parseCfnYaml } from '../yaml/cfn.js';
import type { Difference } from './difference.js';
import { MASK, noEchoParameters } from './masking.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The resources of a template body, by logical id; empty when the body does not parse. */
function resourcesOf(body: string): Record<string, unknown> {
  try {
    const doc = parseCfnYaml(body).value;
    return isRecord(doc) && isRecord(doc.Resources) ? doc.Resources : {};
  } catch {
    return {};
  }
}

/**
 * What changed in the code since the stack was deployed, as `not-deployed-yet` differences: each
 * parameter whose value would change (its value now, from cf/parameters.yaml or the Default,
 * against the deployed one), and each resource the template adds, removes or changes (against the
 * deployed template, `deployedBody`). NoEcho parameters are compared by nobody (CloudFormation
 * returns them as ****): when nothing visible differs, one difference says the template's text or
 * a NoEcho value changed.
 */
export function templateChanges(plan: StackPlan, deployedParameters: readonly Parameter[], deployedBody: string | undefined): Difference[] {
  const base = { kind: 'not-deployed-yet' as const, stack: plan.stackName, template: plan.template.file };
  const differences: Difference[] = [];
  const declared = plan.template.doc.Parameters ?? {};
  const noEcho = noEchoParameters(declared);
  const now = new Map(plan.parameters.map((p) => [p.ParameterKey, p.ParameterValue]));
  for (const [key, declaration] of Object.entries(declared)) {
    if (!now.has(key) && isRecord(declaration) && declaration.Default !== undefined && declaration.Default !== null) now.set(key, serialised(declaration.Default));
  }
  const deployed = new Map(deployedParameters.map((p) => [p.ParameterKey ?? '', p.ResolvedValue ?? p.ParameterValue ?? '']));
  for (const key of [...new Set([...now.keys(), ...deployed.keys()])].sort()) {
    if (noEcho.has(key)) continue;
    const expected = now.get(key);
    const actual = deployed.get(key);
    if (expected === actual) continue;
    differences.push({
      ...base,
      path: `/Parameters/${key}`,
      ...(expected !== undefined ? { expected } : {}),
      ...(actual !== undefined ? { actual } : {}),
      detail: expected === undefined ? `parameter ${key} is no longer declared` : actual === undefined ? `parameter ${key} is new` : `parameter ${key} changes`,
    });
  }

  if (deployedBody !== undefined && deployedBody !== plan.template.body) {
    const before = resourcesOf(deployedBody);
    const after = plan.template.doc.Resources;
    for (const id of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const old = before[id];
      const fresh = after[id];
      if (old !== undefined && fresh !== undefined && canonicalJson(old) === canonicalJson(fresh)) continue;
      const type = fresh?.Type ?? (isRecord(old) && typeof old.Type === 'string' ? old.Type : undefined);
      differences.push({
        ...base,
        logicalId: id,
        ...(type ? { type } : {}),
        path: `/Resources/${id}`,
        detail: old === undefined ? 'added by the template' : fresh === undefined ? 'removed from the template' : 'changed in the template',
      });
    }
  }

  if (!differences.length) {
    differences.push({
      ...base,
      detail: noEcho.size
        ? `the template's text (comments, formatting) or a NoEcho parameter's value changed (values not compared: ${MASK})`
        : "the template's text changed (comments or formatting only)",
    });
  }
  return differences;
}
