import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { ENVIRONMENTS, type Environment } from '../config/environments.js';
import { InputError } from '../ui/errors.js';
import { environmentProblems, oidcProviderProblems } from './required-parameters.js';
import { assertSupportedTransforms } from './transforms.js';
import { parseCfnYaml, YamlSyntaxError } from '../yaml/cfn.js';

/** CloudFormation's limit for a template sent inline (TemplateBody), in bytes. */
export const TEMPLATE_BODY_LIMIT = 51_200;

export type CfnValue = unknown;

export interface CfnTemplate {
  Parameters?: Record<string, { Type?: string; AllowedValues?: unknown[]; Default?: unknown; NoEcho?: unknown; [constraint: string]: unknown }>;
  Conditions?: Record<string, CfnValue>;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, CfnValue> }>;
  Outputs?: Record<string, { Value: CfnValue; Export?: { Name: CfnValue }; Condition?: string }>;
  [key: string]: unknown;
}

/** Whether a parameter declaration says NoEcho (CloudFormation takes `true` and the string `'true'`). */
export function declaresNoEcho(declaration: { NoEcho?: unknown }): boolean {
  return declaration.NoEcho === true || String(declaration.NoEcho).toLowerCase() === 'true';
}

export interface Template {
  /** Path relative to the repository root, as people name it: `cf/s3.yaml`. */
  file: string;
  /** `s3` for cf/s3.yaml: the middle of the stack name. */
  name: string;
  body: string;
  doc: CfnTemplate;
  /** An IAM role for a service account: gets OIDCProvider from the cluster. */
  irsa: boolean;
}

/** An IAM role for a service account (cf/irsa-*.yaml): deploy-cf fills its OIDCProvider. */
export function isIrsaTemplateName(name: string): boolean {
  return name.startsWith('irsa-');
}

export function stackName(template: Pick<Template, 'name'>, env: Environment): string {
  return `biomage-${template.name}-${env}`;
}

/**
 * Read and validate one template. Everything here is checked before anything is deployed:
 * a template that fails is an InputError naming the file and line, and the run stops (exit 2).
 */
export function loadTemplate(absPath: string, root: string): Template {
  const file = relative(root, absPath);
  let body: string;
  try {
    body = readFileSync(absPath, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      where: file,
      hint: 'check the path; templates live in cf/',
    });
  }
  const size = Buffer.byteLength(body);
  if (size > TEMPLATE_BODY_LIMIT) {
    throw new InputError(`${file} is ${size} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for a template`, {
      where: file,
      hint: 'split it into two templates, one related group of resources each',
    });
  }

  let parsed: ReturnType<typeof parseCfnYaml>;
  try {
    parsed = parseCfnYaml(body);
  } catch (error) {
    if (!(error instanceof YamlSyntaxError)) throw error;
    throw new InputError(`${file} is not valid YAML: ${error.message}`, {
      where: `${file}:${error.line}:${error.column}`,
      hint: 'fix the YAML at that line (indentation, an unclosed bracket or quote)',
    });
  }
  const value = parsed.value as Partial<CfnTemplate> | null;
  if (!value || typeof value !== 'object' || Array.isArray(value) || !value.Resources || typeof value.Resources !== 'object') {
    throw new InputError(`${file} is not a CloudFormation template: it has no Resources`, {
      where: `${file}:1`,
      hint: 'a template is a YAML mapping with at least a Resources section',
    });
  }
  // Checked just above: a mapping with a Resources mapping.
  const doc = value as CfnTemplate;

  // Deploying needs the parameter and every environment in it; its Type and any extra value are
  // for `biomage check` to report.
  const environment = environmentProblems(doc).find((problem) => problem.kind === 'no-environment' || 'missing' in problem);
  if (environment?.kind === 'no-environment') {
    throw new InputError(`${file} has no Environment parameter`, {
      where: `${file}:${parsed.lineOf(environment.path)}`,
      hint: `add Parameters.Environment (Type: String, AllowedValues: [${ENVIRONMENTS.join(', ')}])`,
    });
  }
  if (environment && 'missing' in environment) {
    throw new InputError(`${file}: the Environment parameter does not allow ${environment.missing.join(', ')}`, {
      where: `${file}:${parsed.lineOf(environment.path)}`,
      hint: `set AllowedValues: [${ENVIRONMENTS.join(', ')}]`,
    });
  }

  assertSupportedTransforms(doc, file, parsed);

  const name = basename(absPath).replace(/\.(ya?ml|json)$/, '');
  const irsa = isIrsaTemplateName(name);
  const oidcProvider = irsa ? oidcProviderProblems(doc).find((problem) => problem.kind === 'no-oidc-provider') : undefined;
  if (oidcProvider) {
    throw new InputError(`${file} is an IRSA role template without an OIDCProvider parameter`, {
      where: `${file}:${parsed.lineOf(oidcProvider.path)}`,
      hint: "add Parameters.OIDCProvider (Type: String): the cluster's OIDC issuer without https://, filled in at deploy time",
    });
  }
  return { file, name, body, doc, irsa };
}
