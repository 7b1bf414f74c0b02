import { ENVIRONMENTS, type Environment } from '../config/environments.js';
import type { YamlPath } from '../yaml/source.js';

/*
 * The parameters deploy-cf fills in itself: Environment in every cf/ template, OIDCProvider in
 * every IRSA role. One definition of what is wrong with them, each problem with the path it is
 * about: loadTemplate (template.ts) refuses the template on the first problem it deploys with,
 * `biomage check` (checks/rules/cf-template.ts, irsa-trust.ts) reports every one as a finding.
 */

export type ParameterProblem =
  | { kind: 'no-environment'; path: YamlPath }
  | { kind: 'environment-type'; path: YamlPath; type: unknown }
  /** No AllowedValues list at all: every environment is missing. */
  | { kind: 'no-allowed-values'; path: YamlPath; missing: readonly Environment[] }
  | { kind: 'missing-environments'; path: YamlPath; missing: readonly Environment[] }
  | { kind: 'unexpected-environment'; path: YamlPath; value: string; reason: 'not an environment' | 'twice' }
  | { kind: 'no-oidc-provider'; path: YamlPath }
  | { kind: 'oidc-provider-type'; path: YamlPath; type: unknown };

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const parametersOf = (doc: object): Record<string, unknown> => {
  const parameters = (doc as { Parameters?: unknown }).Parameters;
  return isMapping(parameters) ? parameters : {};
};

/** Where to point when a parameter is absent: the Parameters section, or the template itself. */
const absentPath = (doc: object): YamlPath => ('Parameters' in doc ? ['Parameters'] : []);

/** Environment: declared, a String, allowing exactly development, staging and production. */
export function environmentProblems(doc: object): ParameterProblem[] {
  const parameter = parametersOf(doc).Environment;
  const at: YamlPath = ['Parameters', 'Environment'];
  if (!isMapping(parameter)) return [{ kind: 'no-environment', path: absentPath(doc) }];
  const problems: ParameterProblem[] = [];
  if (parameter.Type !== 'String') problems.push({ kind: 'environment-type', path: [...at, 'Type'], type: parameter.Type });
  const allowed = parameter.AllowedValues;
  if (!Array.isArray(allowed)) return [...problems, { kind: 'no-allowed-values', path: [...at, 'AllowedValues'], missing: ENVIRONMENTS }];
  const values = allowed.map(String);
  const missing = ENVIRONMENTS.filter((env) => !values.includes(env));
  if (missing.length) problems.push({ kind: 'missing-environments', path: [...at, 'AllowedValues'], missing });
  values.forEach((value, index) => {
    const reason = !(ENVIRONMENTS as readonly string[]).includes(value) ? 'not an environment' : values.indexOf(value) !== index ? 'twice' : undefined;
    if (reason) problems.push({ kind: 'unexpected-environment', path: [...at, 'AllowedValues', index], value, reason });
  });
  return problems;
}

/** OIDCProvider, in an IRSA role: declared, a String. */
export function oidcProviderProblems(doc: object): ParameterProblem[] {
  const parameter = parametersOf(doc).OIDCProvider;
  if (!isMapping(parameter)) return [{ kind: 'no-oidc-provider', path: absentPath(doc) }];
  return parameter.Type === 'String' ? [] : [{ kind: 'oidc-provider-type', path: ['Parameters', 'OIDCProvider', 'Type'], type: parameter.Type }];
}
