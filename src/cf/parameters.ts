import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../canonical-json.js';
import { parseYamlFile, syntaxMessage, type YamlDocument, type YamlFile, type YamlPath } from '../yaml/source.js';
import { ENVIRONMENTS, isEnvironment, type Environment } from '../config/environments.js';
import { InputError } from '../ui/errors.js';
import { PARAMETERS_FILE } from './layout.js';
import { declaresNoEcho, isIrsaTemplateName, type Template } from './template.js';
import { templateLines } from '../yaml/cfn.js';

/*
 * cf/parameters.yaml: every template parameter value other than Environment and OIDCProvider,
 * and only those that differ from the template's Default. Its shape (other tooling writes it):
 *
 *   <template basename>:
 *     <ParameterName>: <value for every environment>
 *     <OtherParameter>:
 *       development: <value>
 *       staging: <value>
 *       production: <value>
 *
 * A value is a single value or a list of single values, sent to CloudFormation as the text it was
 * written as (a list joined with commas). This module is the one definition of the file: deploy-cf
 * refuses a run with any of its problems (exit 2, every problem listed), `biomage check` reports
 * the same problems as findings, for every environment at once.
 */

/** The rule ids of the problems, as `biomage check` reports them. */
export type ParameterRule =
  | 'cf-parameter-missing'
  | 'cf-parameter-value'
  | 'cf-parameter-unknown'
  | 'cf-parameter-environment'
  | 'cf-parameters-file'
  | 'cf-parameter-default';

export interface ParameterProblem {
  /** `cf/parameters.yaml` or the template: where the fix goes. */
  file: string;
  line: number;
  rule: ParameterRule;
  message: string;
  /** The next step. */
  fix: string;
}

/**
 * Problems that do not stop a deploy: a value equal to its Default is simply not sent (the
 * file should hold only what differs, and `biomage check` says so).
 */
const ADVISORY: ReadonlySet<ParameterRule> = new Set(['cf-parameter-default']);

/** A template as far as its parameters go: what deploy-cf's templates and check's model both offer. */
export interface ParameterDeclarations {
  /** `cf/cognito.yaml`. */
  file: string;
  /** `cognito`: the template's key in cf/parameters.yaml. */
  name: string;
  /** The template's Parameters section. */
  parameters: Record<string, unknown>;
  /** The line of a path in the template, for problems that belong there. */
  lineOf(path: YamlPath): number;
}

/** A value as written in the file: one value, or a list of them. */
type Written = string | string[];

interface FileValue {
  value: Written;
  line: number;
  /** `cognito.DomainName`, or `cognito.DomainName.staging` for a per-environment value. */
  at: string;
}

interface ParameterEntry {
  line: number;
  /** The value for every environment... */
  all?: FileValue;
  /** ...or one per environment (some may be absent: those get the Default). */
  byEnv: Partial<Record<Environment, FileValue>>;
}

interface TemplateEntry {
  line: number;
  parameters: Map<string, ParameterEntry>;
}

/** The file, read and checked for its own shape; the templates are checked against it later. */
export interface ParametersFile {
  file: string;
  entries: ReadonlyMap<string, TemplateEntry>;
  /** What is wrong with the file whatever the templates say. */
  problems: ParameterProblem[];
}

/** A value from the file that deploy-cf passes for one template in one environment. */
export interface ParameterValue {
  key: string;
  /** What CloudFormation gets. Never print it when `noEcho`: see shownValue. */
  value: string;
  /** The parameter declares NoEcho: its value never reaches output, logs or --json. */
  noEcho: boolean;
}

/** How output shows a value: NoEcho values as ****. */
export function shownValue(value: Pick<ParameterValue, 'value' | 'noEcho'>): string {
  return value.noEcho ? '****' : value.value;
}

/** The parameters deploy-cf fills itself, so the file may not set them. */
export function filledByDeploy(templateName: string): string[] {
  return ['Environment', ...(isIrsaTemplateName(templateName) ? ['OIDCProvider'] : [])];
}
const NEVER_IN_FILE = new Set(['Environment', 'OIDCProvider']);

/** Parse the file's text: scalars as written, so `13.10` reaches CloudFormation as 13.10. */
export function parseParametersText(text: string): YamlFile {
  return parseYamlFile(text, { asWritten: true });
}

/**
 * Read cf/parameters.yaml under `root`, once per run. A missing file holds no values; a file that
 * is not YAML is an InputError at its line (exit 2).
 */
export function readParametersFile(root: string): ParametersFile {
  let text: string;
  try {
    text = readFileSync(join(root, PARAMETERS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parametersFile(undefined);
    throw new InputError(`cannot read ${PARAMETERS_FILE}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      where: PARAMETERS_FILE,
      hint: 'check the file is readable',
    });
  }
  const yaml = parseParametersText(text);
  const error = yaml.errors[0];
  if (error) {
    throw new InputError(`${PARAMETERS_FILE} is not valid YAML: ${syntaxMessage(error)}`, {
      where: `${PARAMETERS_FILE}:${error.line}:${error.column}`,
      hint: 'fix the YAML at that line (indentation, an unclosed bracket or quote, a duplicate key)',
    });
  }
  return parametersFile(yaml);
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const ENVIRONMENT_LIST = ENVIRONMENTS.join(', ');

/** The file's entries and the problems of its shape, from its parsed YAML (undefined: no file). */
export function parametersFile(yaml: YamlFile | undefined, file = PARAMETERS_FILE): ParametersFile {
  const entries = new Map<string, TemplateEntry>();
  const problems: ParameterProblem[] = [];
  const result: ParametersFile = { file, entries, problems };
  if (!yaml) return result;
  const [doc, extra] = yaml.documents;
  const shape = (line: number, message: string, fix: string) => problems.push({ file, line, rule: 'cf-parameters-file', message, fix });
  if (extra) {
    shape(extra.line, `${file} holds more than one YAML document`, 'keep one mapping of template names to their parameters');
    return result;
  }
  if (!doc || doc.value === null || doc.value === undefined) return result;
  if (!isMapping(doc.value)) {
    shape(doc.line, `${file} must be a mapping of template names to their parameters`, 'write `<template basename>:` then its parameters, one per line');
    return result;
  }

  for (const [template, body] of Object.entries(doc.value)) {
    const parameters = new Map<string, ParameterEntry>();
    entries.set(template, { line: doc.lineOf([template]), parameters });
    if (body === null) continue;
    if (!isMapping(body)) {
      shape(doc.lineOf([template]), `${template} must be a mapping of parameter names to values`, `write its parameters under \`${template}:\`, one per line`);
      continue;
    }
    for (const [parameter, spec] of Object.entries(body)) {
      const path = [template, parameter];
      const line = doc.lineOf(path);
      if (NEVER_IN_FILE.has(parameter)) {
        shape(line, `${template}.${parameter} is filled in by deploy-cf for each environment, not by ${file}`, `remove ${template}.${parameter} from ${file}`);
        continue;
      }
      const entry: ParameterEntry = { line, byEnv: {} };
      if (isMapping(spec)) {
        for (const [env, value] of Object.entries(spec)) {
          if (!isEnvironment(env)) {
            problems.push({
              file,
              line: doc.lineOf([...path, env]),
              rule: 'cf-parameter-environment',
              message: `${template}.${parameter}.${env}: ${env} is not an environment (${ENVIRONMENT_LIST})`,
              fix: `name one of ${ENVIRONMENT_LIST}, or give one value for every environment`,
            });
            continue;
          }
          const written = writtenValue(doc, [...path, env], value, shape);
          if (written) entry.byEnv[env] = written;
        }
      } else {
        const written = writtenValue(doc, path, spec, shape);
        if (written) entry.all = written;
      }
      parameters.set(parameter, entry);
    }
  }
  return result;
}

/** A value of the file as it will be sent, or a shape problem (no value, a nested mapping). */
function writtenValue(doc: YamlDocument, path: string[], value: unknown, shape: (line: number, message: string, fix: string) => void): FileValue | undefined {
  const at = path.join('.');
  const line = doc.lineOf(path);
  if (value === null || value === undefined) {
    shape(line, `${at} has no value`, `give it a value, or remove it to use the template's Default`);
    return undefined;
  }
  if (typeof value === 'string') return { value, line, at };
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return { value, line, at };
  const perEnvironment = path.length === 3;
  shape(
    line,
    `${at} is ${Array.isArray(value) ? 'a list holding a list, a mapping or an empty item' : 'a mapping'}: a value is one value or a list of values${perEnvironment ? '' : ', or one per environment'}`,
    perEnvironment ? 'write one value, or a list of single values' : 'write one value, a list of single values, or `<environment>: <value>` per environment',
  );
  return undefined;
}

/** The template names the file mentions that are not templates of cf/. */
export function unknownTemplates(file: ParametersFile, templateNames: Iterable<string>): ParameterProblem[] {
  const known = new Set(templateNames);
  return [...file.entries]
    .filter(([name]) => !known.has(name))
    .map(([name, entry]) => ({
      file: file.file,
      line: entry.line,
      rule: 'cf-parameter-unknown' as const,
      message: `${name} is not a template: there is no template cf/${name}.yaml`,
      fix: 'key each template by its basename (cf/cognito.yaml → cognito), or remove the entry',
    }));
}

export interface ResolvedParameters {
  /** Per environment asked for: the file's values to pass (values equal to the Default are left out). */
  values: Map<Environment, ParameterValue[]>;
  problems: ParameterProblem[];
}

/**
 * What the file gives one template in each of `environments`, and every problem: a parameter the
 * template does not declare, a value its declaration rejects, a parameter with neither a Default
 * nor a value. A value shared by every environment is checked once.
 */
export function resolveParameters(file: ParametersFile, template: ParameterDeclarations, environments: readonly Environment[]): ResolvedParameters {
  const entry = file.entries.get(template.name);
  const problems: ParameterProblem[] = [];
  const values = new Map<Environment, ParameterValue[]>(environments.map((env) => [env, []]));
  const declarations = template.parameters;

  for (const [parameter, given] of entry?.parameters ?? []) {
    if (parameter in declarations) continue;
    problems.push({
      file: file.file,
      line: given.line,
      rule: 'cf-parameter-unknown',
      message: `${template.name}.${parameter}: ${template.file} has no parameter ${parameter}`,
      fix: `use a parameter ${template.file} declares (${Object.keys(declarations).filter((p) => !NEVER_IN_FILE.has(p)).join(', ') || 'it declares none but Environment'}), or remove it`,
    });
  }

  const filled = filledByDeploy(template.name);
  for (const [parameter, body] of Object.entries(declarations)) {
    if (filled.includes(parameter)) continue;
    const declaration = isMapping(body) ? body : {};
    const given = entry?.parameters.get(parameter);
    const hasDefault = 'Default' in declaration && declaration.Default !== null;
    const noEcho = declaresNoEcho(declaration);
    const checked = new Set<FileValue>();
    const missing: Environment[] = [];

    for (const env of environments) {
      const value = given?.byEnv[env] ?? given?.all;
      if (!value) {
        if (!hasDefault) missing.push(env);
        continue;
      }
      if (!checked.has(value)) {
        checked.add(value);
        problems.push(...valueProblems(file, template, parameter, declaration, value, noEcho));
      }
      if (hasDefault && serialised(value.value) === serialised(declaration.Default)) continue;
      const list = values.get(env);
      if (!list) throw new Error(`internal: no parameter values started for ${env}`);
      list.push({ key: parameter, value: serialised(value.value), noEcho });
    }

    if (missing.length) {
      problems.push({
        file: template.file,
        line: template.lineOf(['Parameters', parameter]),
        rule: 'cf-parameter-missing',
        message: `parameter ${parameter} has no Default and no value for ${missing.join(', ')} in ${file.file}`,
        fix: NEVER_IN_FILE.has(parameter)
          ? `give it a Default: deploy-cf fills ${parameter} only in ${parameter === 'OIDCProvider' ? 'IRSA templates (cf/irsa-*.yaml)' : 'every template'}`
          : given
            ? `add a value for ${missing.join(', ')} under \`${template.name}:\` → \`${parameter}:\` in ${file.file}, or give the parameter a Default`
            : `add \`${parameter}: <value>\` (or one value per environment) under \`${template.name}:\` in ${file.file}, or give the parameter a Default`,
      });
    }
  }
  for (const list of values.values()) list.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { values, problems };
}

/** Why CloudFormation would refuse a value for this declaration (and whether it equals the Default). */
function valueProblems(
  file: ParametersFile,
  template: ParameterDeclarations,
  parameter: string,
  declaration: Record<string, unknown>,
  given: FileValue,
  noEcho: boolean,
): ParameterProblem[] {
  const declared = (...path: string[]) => `${template.file}:${template.lineOf(['Parameters', parameter, ...path])}`;
  const reasons = rejections(declaration, given.value, noEcho);
  const problems: ParameterProblem[] = reasons.length
    ? [
        {
          file: file.file,
          line: given.line,
          rule: 'cf-parameter-value',
          message: `${given.at}: ${reasons.join('; ')}`,
          fix: `set a value the declaration of ${parameter} (${declared()}) accepts`,
        },
      ]
    : [];
  if ('Default' in declaration && declaration.Default !== null && serialised(given.value) === serialised(declaration.Default)) {
    problems.push({
      file: file.file,
      line: given.line,
      rule: 'cf-parameter-default',
      message: `${given.at} is the template's Default${noEcho ? '' : ` (${serialised(given.value)})`}: deploy-cf does not send it`,
      fix: `remove it: ${file.file} holds only the values that differ from the Default (${declared('Default')})`,
    });
  }
  return problems;
}

/** The ParameterValue CloudFormation gets: the text as written, a list joined with commas. */
export function serialised(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => serialised(item)).join(',');
  return String(value);
}

/** CloudFormation's Number: an integer or a decimal, optionally with an exponent. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Types CloudFormation resolves itself (SSM parameters, EC2 and Route 53 ids): passed through unchecked. */
const PASSTHROUGH = /^(List<)?AWS::/;

/**
 * What CloudFormation's checks of a parameter value say, in words; empty when it accepts the value.
 * `Type` (String, Number, List<Number>, CommaDelimitedList; AWS-specific types pass through),
 * AllowedValues (each item of a list), AllowedPattern (the whole value, or each item of a
 * CommaDelimitedList), MinLength/MaxLength (String), MinValue/MaxValue (Number). A NoEcho value is
 * never quoted.
 */
export function rejections(declaration: Record<string, unknown>, value: Written, noEcho = false): string[] {
  const type = typeof declaration.Type === 'string' ? declaration.Type : 'String';
  // An SSM-typed parameter takes the parameter's name, even when the SSM value is a list.
  const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
  const quote = (text: string, item?: number) => (item === undefined ? (noEcho ? 'the value' : JSON.stringify(text)) : noEcho ? `item ${item + 1}` : `item ${item + 1} ${JSON.stringify(text)}`);
  const reasons: string[] = [];

  if (Array.isArray(value)) {
    if (!isList) return [`a list, but ${type} takes one value`];
    value.forEach((item, index) => {
      if (item.includes(',')) reasons.push(`${quote(item, index)} contains a comma, which would split it in two`);
    });
  }
  if (PASSTHROUGH.test(type)) return reasons;

  const items = Array.isArray(value) ? value : isList ? value.split(',') : [value];
  const itemIndex = (index: number) => (Array.isArray(value) || isList ? index : undefined);
  const allowed = Array.isArray(declaration.AllowedValues) ? declaration.AllowedValues.map((v) => serialised(v)) : undefined;
  const pattern = typeof declaration.AllowedPattern === 'string' ? anchored(declaration.AllowedPattern) : undefined;
  const constraint = typeof declaration.ConstraintDescription === 'string' ? ` (${declaration.ConstraintDescription})` : '';
  const numeric = type === 'Number' || type === 'List<Number>';

  items.forEach((item, index) => {
    const shown = quote(item, itemIndex(index));
    if (numeric && !NUMBER.test(item)) reasons.push(`${shown} is not a number`);
    if (allowed && !allowed.includes(item)) reasons.push(`${shown} is not one of the AllowedValues [${allowed.join(', ')}]${constraint}`);
    if (pattern && (type === 'String' || type === 'CommaDelimitedList') && !pattern.test(item)) {
      reasons.push(`${shown} does not match the AllowedPattern ${String(declaration.AllowedPattern)}${constraint}`);
    }
  });
  if (type === 'String' && typeof value === 'string') {
    const length = Array.from(value).length;
    const min = numberOf(declaration.MinLength);
    const max = numberOf(declaration.MaxLength);
    if (min !== undefined && length < min) reasons.push(`${quote(value)} is ${length} characters, under the MinLength ${min}${constraint}`);
    if (max !== undefined && length > max) reasons.push(`${quote(value)} is ${length} characters, over the MaxLength ${max}${constraint}`);
  }
  if (type === 'Number' && typeof value === 'string' && NUMBER.test(value)) {
    const min = numberOf(declaration.MinValue);
    const max = numberOf(declaration.MaxValue);
    if (min !== undefined && Number(value) < min) reasons.push(`${quote(value)} is under the MinValue ${min}${constraint}`);
    if (max !== undefined && Number(value) > max) reasons.push(`${quote(value)} is over the MaxValue ${max}${constraint}`);
  }
  return reasons;
}

function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * CloudFormation matches AllowedPattern against the whole value. A pattern JavaScript cannot
 * compile is left to cfn-lint, which reports it on the template.
 */
function anchored(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** The problems that stop a deploy (a value equal to its Default does not). */
export function blocking(problems: readonly ParameterProblem[]): ParameterProblem[] {
  return problems.filter((p) => !ADVISORY.has(p.rule));
}

/**
 * deploy-cf's refusal: one InputError (exit 2) listing every problem of the run, each with its
 * file:line and next step. The first problem's place is the error's `where`.
 */
export function parametersError(problems: readonly ParameterProblem[], env: Environment): InputError {
  const sorted = [...problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const [first] = sorted;
  if (!first) throw new Error('internal: parametersError needs at least one problem');
  if (sorted.length === 1) return new InputError(first.message, { where: `${first.file}:${first.line}`, hint: first.fix });
  return new InputError(
    [`the template parameters for ${env} have ${sorted.length} problems:`, ...sorted.map((p) => `  ${p.file}:${p.line}: ${p.message}\n    next: ${p.fix}`)].join('\n'),
    { where: `${first.file}:${first.line}`, hint: `fix each one at its line; \`biomage check\` lists them for every environment` },
  );
}

/**
 * The templates whose entries differ between two versions of the file (undefined: no file), for
 * --changed-since. A version that does not parse counts as empty: every template it would name
 * in the other version is changed.
 */
export function changedParameterEntries(before: string | undefined, after: string | undefined): string[] {
  const entries = (text: string | undefined): Record<string, unknown> => {
    const yaml = text === undefined ? undefined : parseParametersText(text);
    const value = yaml && !yaml.errors.length ? yaml.documents[0]?.value : undefined;
    return isMapping(value) ? value : {};
  };
  const [old, now] = [entries(before), entries(after)];
  return [...new Set([...Object.keys(old), ...Object.keys(now)])].filter((name) => canonicalJson(old[name] ?? null) !== canonicalJson(now[name] ?? null)).sort();
}

/** A deploy-cf template's parameters; its lines are found only when a problem needs one. */
export function declarationsOf(template: Template): ParameterDeclarations {
  return { file: template.file, name: template.name, parameters: template.doc.Parameters ?? {}, lineOf: templateLines(template.body) };
}

/**
 * deploy-cf's values: for each template of the run (by file), the file's values for `env`. Every
 * problem of the run (the file's shape, a template it names that cf/ does not have, a parameter of
 * these templates with no value or a value its declaration rejects) is in one InputError (exit 2).
 */
export function runParameterValues(file: ParametersFile, templates: readonly Template[], templateNames: Iterable<string>, env: Environment): Map<string, ParameterValue[]> {
  const problems = [...file.problems, ...unknownTemplates(file, templateNames)];
  const values = new Map<string, ParameterValue[]>();
  for (const template of templates) {
    const resolved = resolveParameters(file, declarationsOf(template), [env]);
    problems.push(...resolved.problems);
    values.set(template.file, resolved.values.get(env) ?? []);
  }
  const stopping = blocking(problems);
  if (stopping.length) throw parametersError(stopping, env);
  return values;
}

/**
 * Parameter values known before deploying, for resolving export and import names: the file's
 * values (never a NoEcho one) over the template's Defaults.
 */
export function knownParameterValues(declarations: Record<string, unknown>, values: readonly ParameterValue[]): Record<string, string> {
  const known: Record<string, string> = {};
  for (const [name, body] of Object.entries(declarations)) {
    const fallback = isMapping(body) ? body.Default : undefined;
    if (typeof fallback === 'string' || typeof fallback === 'number') known[name] = String(fallback);
  }
  for (const value of values) if (!value.noEcho) known[value.key] = value.value;
  return known;
}
