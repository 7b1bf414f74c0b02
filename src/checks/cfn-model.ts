import { basename } from 'node:path';
import { knownParameterValues, parametersFile, resolveParameters, type ParametersFile } from '../cf/parameters.js';
import { staticConditions, substitute, type KnownValues } from '../cf/references.js';
import { longValue } from '../yaml/cfn-short-forms.js';
import type { CfnTemplate } from '../cf/template.js';
import { DEFAULT_REGION, ENVIRONMENTS, type Environment } from '../config/environments.js';
import type { Repository, YamlSource } from './context.js';
import type { Finding } from './finding.js';
import type { YamlPath } from '../yaml/source.js';

/**
 * What `biomage check` knows about the CloudFormation templates without deploying them: the
 * values of parameters and pseudo-parameters per environment, which conditions hold, the exports
 * every template declares, and the names and ARNs of the resources they create. Built once per
 * check run and shared by the CloudFormation and IAM rules.
 */

/** Stands for a part of a value that cannot be known offline (a parameter without default, a generated name). */
export const UNKNOWN = '\u0000';

/** The account id used while evaluating: a documentation placeholder, never a real account. */
export const PLACEHOLDER_ACCOUNT_ID = '123456789012';

/** The eksctl cluster stack's exports: created by eksctl, not by a template here. */
export const eksctlExportPrefix = (env: Environment) => `eksctl-biomage-${env}-cluster::`;

export type CfnMap = Record<string, unknown>;

export interface TemplateModel {
  source: YamlSource;
  /** `cf/s3.yaml`. */
  file: string;
  /** `s3`: the middle of the stack name. */
  name: string;
  /** True for cf/*.yaml, false for infra/cf-*.yaml. */
  inCf: boolean;
  doc: CfnMap;
  parameters: CfnMap;
  resources: Record<string, CfnMap>;
  outputs: Record<string, CfnMap>;
  lineOf(path: YamlPath): number;
  /** The environments the template may be deployed to: its Environment parameter's AllowedValues. */
  environments: Environment[];
  hasEnvironmentParameter: boolean;
}

export interface Scope {
  model: CfnModel;
  template: TemplateModel;
  env: Environment;
  known: KnownValues;
  conditions: Map<string, boolean>;
}

export interface ExportEntry {
  name: string;
  template: TemplateModel;
  output: string;
  value: unknown;
}

/** A resource that IAM policies can name by ARN, with the ARN it gets in one environment. */
export interface DeclaredResource {
  template: TemplateModel;
  logicalId: string;
  type: string;
  /** May contain UNKNOWN where the name is generated or comes from a parameter without default. */
  arn: string;
}

export interface CfnModel {
  repo: Repository;
  templates: TemplateModel[];
  scope(template: TemplateModel, env: Environment, extra?: KnownValues): Scope;
  /** Exports declared for this environment, by name (the first declaration wins). */
  exports(env: Environment): ReadonlyMap<string, ExportEntry>;
  /** S3 buckets, DynamoDB tables, SNS topics and SQS queues declared for this environment. */
  declared(env: Environment): readonly DeclaredResource[];
}

const cache = new WeakMap<Repository, CfnModel>();

/** The model of `repo`'s templates, built on first use and kept for the rest of the run. */
export function cfnModel(repo: Repository): CfnModel {
  let model = cache.get(repo);
  if (!model) {
    model = buildModel(repo);
    cache.set(repo, model);
  }
  return model;
}

export function isRecord(value: unknown): value is CfnMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const recordOf = (value: unknown): CfnMap => (isRecord(value) ? value : {});

function buildModel(repo: Repository): CfnModel {
  const templates = repo.templates.map(templateModel);
  const parameters = parametersFile(repo.parameters?.yaml);
  const exportsByEnv = new Map<Environment, Map<string, ExportEntry>>();
  const declaredByEnv = new Map<Environment, DeclaredResource[]>();
  const scopes = new Map<string, Scope>();

  const model: CfnModel = {
    repo,
    templates,
    scope(template, env, extra) {
      const key = `${template.file}\u0000${env}`;
      const cached = extra ? undefined : scopes.get(key);
      if (cached) return cached;
      const known = { ...knownValues(template, env, parameters), ...extra };
      const scope: Scope = { model, template, env, known, conditions: staticConditions(template.doc as CfnTemplate, known) };
      if (!extra) scopes.set(key, scope);
      return scope;
    },
    exports(env) {
      let table = exportsByEnv.get(env);
      if (!table) {
        table = new Map();
        for (const template of templates) {
          if (!template.environments.includes(env)) continue;
          const scope = model.scope(template, env);
          for (const [output, body] of Object.entries(template.outputs)) {
            if (!isLive(body.Condition, scope)) continue;
            const exported = recordOf(body.Export);
            if (!('Name' in exported)) continue;
            const name = evaluateString(exported.Name, scope);
            if (name.includes(UNKNOWN) || table.has(name)) continue;
            table.set(name, { name, template, output, value: body.Value });
          }
        }
        exportsByEnv.set(env, table);
      }
      return table;
    },
    declared(env) {
      let list = declaredByEnv.get(env);
      if (!list) {
        list = [];
        for (const template of templates) {
          if (!template.environments.includes(env)) continue;
          const scope = model.scope(template, env);
          for (const [logicalId, resource] of Object.entries(template.resources)) {
            const type = typeof resource.Type === 'string' ? resource.Type : '';
            if (!ARN_TYPES.has(type) || !isLive(resource.Condition, scope)) continue;
            list.push({ template, logicalId, type, arn: attribute(logicalId, 'Arn', scope) });
          }
        }
        declaredByEnv.set(env, list);
      }
      return list;
    },
  };
  return model;
}

const ARN_TYPES = new Set(['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SNS::Topic', 'AWS::SQS::Queue']);

function templateModel(source: YamlSource): TemplateModel {
  const document = source.yaml.documents[0];
  const doc = recordOf(document?.value);
  const parameters = recordOf(doc.Parameters);
  const environment = recordOf(parameters.Environment);
  const allowed = Array.isArray(environment.AllowedValues) ? environment.AllowedValues.map(String) : undefined;
  const environments = allowed ? ENVIRONMENTS.filter((env) => allowed.includes(env)) : [...ENVIRONMENTS];
  const resources: Record<string, CfnMap> = {};
  for (const [id, body] of Object.entries(recordOf(doc.Resources))) resources[id] = recordOf(body);
  const outputs: Record<string, CfnMap> = {};
  for (const [id, body] of Object.entries(recordOf(doc.Outputs))) outputs[id] = recordOf(body);
  return {
    source,
    file: source.file,
    name: basename(source.file).replace(/\.(ya?ml|json)$/, ''),
    inCf: source.file.startsWith('cf/'),
    doc,
    parameters,
    resources,
    outputs,
    lineOf: (path) => document?.lineOf(path) ?? 1,
    environments,
    hasEnvironmentParameter: 'Environment' in parameters,
  };
}

/**
 * Parameters and pseudo-parameters as they are when the template is deployed to `env`: the
 * values of cf/parameters.yaml (NoEcho ones left unknown) over the Defaults.
 */
function knownValues(template: TemplateModel, env: Environment, file: ParametersFile): Record<string, string> {
  const fromFile = template.inCf ? (resolveParameters(file, template, [env]).values.get(env) ?? []) : [];
  return {
    ...knownParameterValues(template.parameters, fromFile),
    Environment: env,
    'AWS::AccountId': PLACEHOLDER_ACCOUNT_ID,
    'AWS::Region': DEFAULT_REGION,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': `biomage-${template.name}-${env}`,
  };
}

/** False only when the condition is known to be false for this environment. */
export function isLive(condition: unknown, scope: Scope): boolean {
  return typeof condition !== 'string' || scope.conditions.get(condition) !== false;
}

/** A value at a path in its file: what structural walks (statements, records) hand around. */
export interface Located {
  value: unknown;
  path: YamlPath;
}

/**
 * The values a position can hold in this environment: `Fn::If` with a known condition is
 * replaced by its live branch, one with an unknown condition by both, `AWS::NoValue` by nothing.
 */
export function branches(value: unknown, path: YamlPath, scope: Scope | undefined): Located[] {
  if (isRecord(value) && Object.keys(value).length === 1) {
    const args = value['Fn::If'];
    if (Array.isArray(args) && args.length === 3 && typeof args[0] === 'string') {
      const holds = scope?.conditions.get(args[0]);
      const live = holds === undefined ? [1, 2] : holds ? [1] : [2];
      return live.flatMap((index) => branches(args[index], [...path, 'Fn::If', index], scope));
    }
    if (value.Ref === 'AWS::NoValue') return [];
  }
  return [{ value, path }];
}

/** Like `branches` for a list position: every item of every live branch, `Fn::If` items included. */
export function items(value: unknown, path: YamlPath, scope: Scope | undefined): Located[] {
  return branches(value, path, scope).flatMap((branch) =>
    Array.isArray(branch.value)
      ? branch.value.flatMap((item, index) => branches(item, [...branch.path, index], scope))
      : [branch],
  );
}

type Value = string | string[];

/** A value as a string, UNKNOWN standing for whatever cannot be known; lists are joined with commas. */
export function evaluateString(value: unknown, scope: Scope): string {
  const result = evaluate(value, scope, 0);
  return Array.isArray(result) ? result.join(',') : result;
}

/** A value as a list of strings (`Resource: !Split …`, a CommaDelimitedList parameter). */
export function evaluateList(value: unknown, scope: Scope): string[] {
  const result = evaluate(value, scope, 0);
  return Array.isArray(result) ? result : [result];
}

const MAX_DEPTH = 12;

function evaluate(value: unknown, scope: Scope, depth: number): Value {
  if (depth > MAX_DEPTH) return UNKNOWN;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => flat(evaluate(item, scope, depth + 1)));
  if (!isRecord(value)) return UNKNOWN;
  const [fn, args] = Object.entries(value)[0] ?? [];
  switch (fn) {
    case 'Ref':
      return typeof args === 'string' ? reference(args, scope) : UNKNOWN;
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(args) ? (args as unknown[]) : typeof args === 'string' ? (longValue('GetAtt', args) as string[]) : [];
      return typeof id === 'string' && typeof attr === 'string' ? attribute(id, attr, scope) : UNKNOWN;
    }
    case 'Fn::Sub': {
      const [text, locals] = Array.isArray(args) ? (args as unknown[]) : [args, undefined];
      if (typeof text !== 'string') return UNKNOWN;
      const vars: Record<string, string> = {};
      for (const [name, local] of Object.entries(recordOf(locals))) vars[name] = flat(evaluate(local, scope, depth + 1));
      return substitute(text, (name) => vars[name] ?? subVariable(name, scope));
    }
    case 'Fn::Join': {
      if (!Array.isArray(args) || typeof args[0] !== 'string') return UNKNOWN;
      const list = evaluate(args[1], scope, depth + 1);
      return Array.isArray(list) ? list.join(args[0]) : UNKNOWN;
    }
    case 'Fn::Split': {
      if (!Array.isArray(args) || typeof args[0] !== 'string') return UNKNOWN;
      const text = flat(evaluate(args[1], scope, depth + 1));
      return text === UNKNOWN ? UNKNOWN : text.split(args[0]);
    }
    case 'Fn::Select': {
      if (!Array.isArray(args)) return UNKNOWN;
      const index = Number(flat(evaluate(args[0], scope, depth + 1)));
      const list = evaluate(args[1], scope, depth + 1);
      return Array.isArray(list) && Number.isInteger(index) ? (list[index] ?? UNKNOWN) : UNKNOWN;
    }
    case 'Fn::If': {
      if (!Array.isArray(args) || typeof args[0] !== 'string') return UNKNOWN;
      const holds = scope.conditions.get(args[0]);
      return holds === undefined ? UNKNOWN : evaluate(holds ? args[1] : args[2], scope, depth + 1);
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(args)) return UNKNOWN;
      const keys = args.map((arg) => flat(evaluate(arg, scope, depth + 1)));
      if (keys.some((key) => key.includes(UNKNOWN))) return UNKNOWN;
      const [map, top, second] = keys as [string, string, string];
      const found = recordOf(recordOf(recordOf(scope.template.doc.Mappings)[map])[top])[second];
      return found === undefined ? UNKNOWN : evaluate(found, scope, depth + 1);
    }
    case 'Fn::ImportValue': {
      const entry = importedExport(args, scope);
      if (!entry) return UNKNOWN;
      return evaluate(entry.value, scope.model.scope(entry.template, scope.env), depth + 1);
    }
    default:
      return UNKNOWN;
  }
}

/** The export an `Fn::ImportValue` names in this environment, if some template declares it. */
export function importedExport(name: unknown, scope: Scope): ExportEntry | undefined {
  const resolved = evaluateString(name, scope);
  return resolved.includes(UNKNOWN) ? undefined : scope.model.exports(scope.env).get(resolved);
}

const flat = (value: Value) => (Array.isArray(value) ? value.join(',') : value);

function subVariable(name: string, scope: Scope): string {
  const dot = name.indexOf('.');
  if (dot > 0 && !name.startsWith('AWS::')) return attribute(name.slice(0, dot), name.slice(dot + 1), scope);
  return flat(reference(name, scope));
}

function reference(name: string, scope: Scope): Value {
  const known = scope.known[name];
  if (known !== undefined) {
    const declared = recordOf(scope.template.parameters[name]).Type;
    const type = typeof declared === 'string' ? declared : '';
    return type === 'CommaDelimitedList' || type.startsWith('List<') ? known.split(',').map((s) => s.trim()) : known;
  }
  const resource = scope.template.resources[name];
  return resource ? resourceRef(name, resource, scope) : UNKNOWN;
}

/** The physical name a resource gets: its name property, or CloudFormation's generated one. */
function physicalName(logicalId: string, resource: CfnMap, property: string, scope: Scope, lower = false): string {
  const props = recordOf(resource.Properties);
  if (property in props) return evaluateString(props[property], scope);
  const generated = `${scope.known['AWS::StackName']}-${logicalId}-`;
  return `${lower ? generated.toLowerCase() : generated}${UNKNOWN}`;
}

function resourceRef(logicalId: string, resource: CfnMap, scope: Scope): string {
  switch (resource.Type) {
    case 'AWS::S3::Bucket':
      return physicalName(logicalId, resource, 'BucketName', scope, true);
    case 'AWS::DynamoDB::Table':
      return physicalName(logicalId, resource, 'TableName', scope);
    case 'AWS::SNS::Topic':
    case 'AWS::IAM::ManagedPolicy':
      return attribute(logicalId, 'Arn', scope);
    case 'AWS::SQS::Queue':
      return attribute(logicalId, 'QueueUrl', scope);
    case 'AWS::IAM::Role':
      return physicalName(logicalId, resource, 'RoleName', scope);
    case 'AWS::IAM::User':
      return physicalName(logicalId, resource, 'UserName', scope);
    default:
      return UNKNOWN;
  }
}

/** `Fn::GetAtt` of the resources whose ARNs policies name; anything else is UNKNOWN. */
export function attribute(logicalId: string, attr: string, scope: Scope): string {
  const resource = scope.template.resources[logicalId];
  if (!resource) return UNKNOWN;
  const { known } = scope;
  const partition = known['AWS::Partition'];
  const region = known['AWS::Region'];
  const account = known['AWS::AccountId'];
  const props = recordOf(resource.Properties);
  const iamPath = () => ('Path' in props ? evaluateString(props.Path, scope) : '/');
  switch (resource.Type) {
    case 'AWS::S3::Bucket': {
      const name = physicalName(logicalId, resource, 'BucketName', scope, true);
      if (attr === 'Arn') return `arn:${partition}:s3:::${name}`;
      if (attr === 'DomainName') return `${name}.s3.${known['AWS::URLSuffix']}`;
      if (attr === 'RegionalDomainName') return `${name}.s3.${region}.${known['AWS::URLSuffix']}`;
      return UNKNOWN;
    }
    case 'AWS::DynamoDB::Table': {
      const arn = `arn:${partition}:dynamodb:${region}:${account}:table/${physicalName(logicalId, resource, 'TableName', scope)}`;
      return attr === 'Arn' ? arn : attr === 'StreamArn' ? `${arn}/stream/${UNKNOWN}` : UNKNOWN;
    }
    case 'AWS::SNS::Topic': {
      const name = physicalName(logicalId, resource, 'TopicName', scope);
      return attr === 'TopicArn' || attr === 'Arn' ? `arn:${partition}:sns:${region}:${account}:${name}` : attr === 'TopicName' ? name : UNKNOWN;
    }
    case 'AWS::SQS::Queue': {
      const name = physicalName(logicalId, resource, 'QueueName', scope);
      if (attr === 'Arn') return `arn:${partition}:sqs:${region}:${account}:${name}`;
      if (attr === 'QueueName') return name;
      if (attr === 'QueueUrl') return `https://sqs.${region}.${known['AWS::URLSuffix']}/${account}/${name}`;
      return UNKNOWN;
    }
    case 'AWS::IAM::Role':
      return attr === 'Arn' ? `arn:${partition}:iam::${account}:role${iamPath()}${physicalName(logicalId, resource, 'RoleName', scope)}` : UNKNOWN;
    case 'AWS::IAM::User':
      return attr === 'Arn' ? `arn:${partition}:iam::${account}:user${iamPath()}${physicalName(logicalId, resource, 'UserName', scope)}` : UNKNOWN;
    case 'AWS::IAM::ManagedPolicy':
      return attr === 'Arn' || attr === 'PolicyArn'
        ? `arn:${partition}:iam::${account}:policy${iamPath()}${physicalName(logicalId, resource, 'ManagedPolicyName', scope)}`
        : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/**
 * A value as it is written, for messages that must read the same in every environment:
 * `ImportValue(biomage-originals-bucket-arn-${Environment})/*`.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(describe).join(', ');
  if (!isRecord(value)) return String(value);
  const [fn, args] = Object.entries(value)[0] ?? [];
  switch (fn) {
    case 'Ref':
      return `\${${String(args)}}`;
    case 'Fn::GetAtt':
      return `\${${Array.isArray(args) ? args.join('.') : String(args)}}`;
    case 'Fn::Sub': {
      const [text, locals] = Array.isArray(args) ? (args as unknown[]) : [args, undefined];
      if (typeof text !== 'string') return 'Fn::Sub';
      const vars = recordOf(locals);
      return text.replace(/\$\{([^}!][^}]*)\}/g, (match, name: string) => (name.trim() in vars ? describe(vars[name.trim()]) : match));
    }
    case 'Fn::ImportValue':
      return `ImportValue(${describe(args)})`;
    case 'Fn::Join':
      return Array.isArray(args) && Array.isArray(args[1]) ? args[1].map(describe).join(String(args[0])) : 'Fn::Join';
    default:
      return fn ?? '{}';
  }
}

/** The line where a string's text starts: the next line for a block scalar (`!Sub |`). */
export function textStartLine(source: YamlSource, line: number): number {
  const text = source.text.split('\n')[line - 1] ?? '';
  return /[|>][0-9+-]*\s*(#.*)?$/.test(text) ? line + 1 : line;
}

/**
 * Run a check once per environment the template allows and merge the results: a finding that
 * occurs in every environment is reported once, one that occurs in only some names them.
 */
export function perEnvironment(template: TemplateModel, check: (env: Environment) => Finding[]): Finding[] {
  const seen = new Map<string, { finding: Finding; envs: Environment[] }>();
  const envs = template.environments.length ? template.environments : [...ENVIRONMENTS];
  for (const env of envs) {
    for (const finding of check(env)) {
      const key = [finding.file, finding.line, finding.rule, finding.message, finding.fix ?? ''].join('\u0000');
      const entry = seen.get(key);
      if (entry) {
        if (!entry.envs.includes(env)) entry.envs.push(env);
      } else seen.set(key, { finding, envs: [env] });
    }
  }
  return [...seen.values()].map(({ finding, envs: where }) =>
    where.length === envs.length ? finding : { ...finding, message: `${finding.message} (in ${where.join(', ')})` },
  );
}
