import { ENVIRONMENTS } from '../../config/environments.js';
import { cfnModel, describe, evaluateList, isRecord, items, UNKNOWN, type Scope } from '../cfn-model.js';
import type { Repository } from '../context.js';
import type { Finding, RuleDefinition } from '../finding.js';
import type { YamlPath } from '../../yaml/source.js';
import { actionApplies, arnPattern, classifyArn, isWholeWildcard, overlaps, parseArn } from './arn.js';
import { changesSomething, matchActions, resourceTypeArns, suggestAction, type ActionInfo } from './catalog.js';
import { documentString, jsonDocument, type PolicyDocument } from './document.js';

export const iamRuleDefinitions: readonly RuleDefinition[] = [
  {
    id: 'iam-wildcard-action',
    rationale: 'a wildcard action grants every present and future action of a service, far more than a workload needs',
    fix: 'list the actions the workload calls (`s3:GetObject`, `s3:PutObject`, …)',
  },
  {
    id: 'iam-wildcard-resource-write',
    rationale: 'a write, permissions or tagging action on `Resource: "*"` reaches every resource of that kind in the account',
    fix: 'name the resources by ARN (`!GetAtt Bucket.Arn`, `!ImportValue …-arn-${Environment}`)',
  },
  {
    id: 'iam-unknown-action',
    rationale: 'IAM accepts a misspelt action silently and the permission is simply missing at run time',
    fix: 'use an action from the service authorization reference (check the spelling and the service prefix)',
  },
  {
    id: 'iam-action-resource-mismatch',
    rationale: 'an action granted only on resources of a type it does not take is never allowed, whatever the statement says',
    fix: 'grant the action on an ARN of a type it takes, in a statement of its own if need be',
  },
  {
    id: 'iam-unresolved-arn',
    rationale: 'an S3, DynamoDB, SQS or SNS ARN that names no resource declared here is a typo or a dependency nobody deploys',
    fix: "name the resource through `!GetAtt`, `!Ref` or `!ImportValue` of its template's export, or correct the name",
  },
  {
    id: 'iam-policy-variable-unescaped',
    rationale: 'inside Fn::Sub, `${aws:username}` is read as a CloudFormation variable: the stack fails to deploy',
    fix: 'escape the policy variable as `${!aws:username}`',
  },
];

/** Where a policy is, for messages: `Role policy s3`, `QueuePolicy`. */
export interface PolicyContext {
  file: string;
  where: string;
  /** A trust policy: no Resource, so only the action rules apply. */
  trust?: boolean;
  /** The resources an S3, DynamoDB, SQS or SNS ARN must name (ARNs, UNKNOWN for unknown parts). */
  declared: () => readonly string[];
  scope?: Scope;
  /**
   * Accept statements that allow `*` on `*` (rotate-ci --allow-admin): the administrator access
   * was asked for by name, so the two wildcard rules do not report those statements.
   */
  allowAdmin?: boolean;
}

interface ActionRef {
  text: string;
  line: number;
}

interface ResourceRef {
  text: string;
  display: string;
  line: number;
}

interface Statement {
  label: string;
  effect: string;
  actions: ActionRef[];
  notAction: boolean;
  resources: ResourceRef[];
  notResource: boolean;
}

/**
 * The same IAM rules over a plain JSON policy held outside the templates (the CI user's policies
 * in .ci.yaml): no intrinsic functions, and S3/DynamoDB/SQS/SNS ARNs are resolved against the
 * resources the templates declare in any environment.
 */
export function checkPolicyDocument(
  document: unknown,
  at: { file: string; lineOf(path: YamlPath): number; path: YamlPath },
  repo: Repository,
  options: { allowAdmin?: boolean } = {},
): Finding[] {
  let value = document;
  let lineOf = (path: YamlPath) => at.lineOf([...at.path, ...path]);
  if (typeof document === 'string') {
    const parsed = jsonDocument(document, at.lineOf(at.path));
    if (!parsed) return [];
    value = parsed.value;
    lineOf = parsed.lineOf;
  }
  const model = cfnModel(repo);
  let arns: string[] | undefined;
  const declared = () => (arns ??= ENVIRONMENTS.flatMap((env) => model.declared(env).map((resource) => resource.arn)));
  return checkDocument({ value, lineOf, subTexts: [] }, { file: at.file, where: '', declared, allowAdmin: options.allowAdmin === true });
}

/**
 * The statements of a plain policy document that grant administrator access (`*` on `*`), by
 * label (`statement 2`, `statement AdminSid`); empty when there are none.
 */
export function adminStatements(document: unknown): string[] {
  const doc: PolicyDocument = { value: document, lineOf: () => 1, subTexts: [] };
  return statementsOf(doc, undefined).filter(isAdminStatement).map((statement) => statement.label);
}

/** Allows every action on every resource: the one definition, shared by the rules and rotate-ci. */
function isAdminStatement(statement: Statement): boolean {
  return (
    statement.effect === 'Allow' &&
    !statement.notAction &&
    !statement.notResource &&
    statement.actions.some((action) => action.text === '*') &&
    statement.resources.some((resource) => resource.text === '*')
  );
}

/** Every IAM rule over one policy document. */
export function checkDocument(doc: PolicyDocument, context: PolicyContext): Finding[] {
  const findings: Finding[] = [];
  const add = (line: number, rule: string, message: string, fix?: string) =>
    findings.push({ file: context.file, line, rule, message, ...(fix ? { fix } : {}) });
  for (const statement of statementsOf(doc, context.scope)) checkStatement(statement, context, add);
  if (context.scope) {
    for (const { text, line } of doc.subTexts) {
      for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const [, captured = ''] = match;
        const name = captured.trim();
        if (!isPolicyVariable(name)) continue;
        const lineOf = line + (text.slice(0, match.index).match(/\n/g)?.length ?? 0);
        add(lineOf, 'iam-policy-variable-unescaped', `policy variable \${${name}} in ${context.where} is not escaped inside Fn::Sub`, `write \${!${name}}`);
      }
    }
  }
  return findings;
}

/** `${aws:username}`, `${s3:prefix}`, `${*}`: IAM's, not CloudFormation's. */
function isPolicyVariable(name: string): boolean {
  return ['*', '?', '$'].includes(name) || (/^[\w.-]+:[^:]/.test(name) && !name.startsWith('AWS::'));
}

function statementsOf(doc: PolicyDocument, scope: Scope | undefined): Statement[] {
  if (!isRecord(doc.value)) return [];
  const string = (value: unknown) => documentString(doc, value, scope);
  return items(doc.value.Statement, ['Statement'], scope).flatMap(({ value, path }, position) => {
    if (!isRecord(value)) return [];
    const sid = typeof value.Sid === 'string' ? string(value.Sid) : undefined;
    // The position in the Statement list (an item under Fn::If keeps its list position).
    const slot = path[path.lastIndexOf('Statement') + 1];
    const index = typeof slot === 'number' ? slot : position;
    const listed = (key: string): { value: unknown; path: YamlPath }[] => items(value[key], [...path, key], scope);
    const notAction = 'NotAction' in value;
    const notResource = 'NotResource' in value;
    return [
      {
        label: sid ? `statement ${sid}` : `statement ${index + 1}`,
        effect: string(value.Effect),
        notAction,
        notResource,
        actions: listed(notAction ? 'NotAction' : 'Action').map((item) => ({ text: string(item.value), line: doc.lineOf(item.path) })),
        resources: listed(notResource ? 'NotResource' : 'Resource').flatMap((item) => {
          const texts = typeof item.value === 'string' || doc.sub ? [string(item.value)] : resolvedList(item.value, scope);
          const display = doc.sub && typeof item.value === 'string' ? item.value : describe(item.value);
          return texts.map((text) => ({ text, display, line: doc.lineOf(item.path) }));
        }),
      },
    ];
  });
}

function resolvedList(value: unknown, scope: Scope | undefined): string[] {
  return scope ? evaluateList(value, scope) : [UNKNOWN];
}

const ARN_NOUNS: Record<string, string> = { s3: 'S3 bucket', dynamodb: 'DynamoDB table', sqs: 'SQS queue', sns: 'SNS topic' };

function checkStatement(statement: Statement, context: PolicyContext, add: (line: number, rule: string, message: string, fix?: string) => void) {
  const where = `${context.where} ${statement.label}`.trim();
  const allow = statement.effect === 'Allow';
  // An administrator statement asked for by name: its wildcards are the point, not a slip.
  const excused = context.allowAdmin === true && isAdminStatement(statement);
  const granted: { ref: ActionRef; actions: ActionInfo[] }[] = [];

  for (const ref of statement.actions) {
    const { text } = ref;
    if (text.includes(UNKNOWN)) continue;
    const match = matchActions(text);
    if (match.kind === 'malformed') {
      add(ref.line, 'iam-unknown-action', `action ${text} in ${where} is not of the form service:action`);
      continue;
    }
    if (match.kind === 'unknown-service') {
      const suggestion = suggestAction(text);
      add(ref.line, 'iam-unknown-action', `action ${text} in ${where} names an unknown service ${match.service}`, suggestion && `did you mean ${suggestion}?`);
      continue;
    }
    if (match.kind === 'no-match') {
      const service = text.slice(0, text.indexOf(':'));
      if (/[*?]/.test(text)) add(ref.line, 'iam-unknown-action', `action pattern ${text} in ${where} matches no action of service ${service}`);
      else {
        const suggestion = suggestAction(text);
        add(ref.line, 'iam-unknown-action', `action ${text} in ${where} does not exist in service ${service}`, suggestion && `did you mean ${suggestion}?`);
      }
      continue;
    }
    if (allow && !statement.notAction && !excused) {
      if (text === '*') add(ref.line, 'iam-wildcard-action', `action * in ${where} allows every action of every service`);
      else if (/^[^:]+:\*$/.test(text)) add(ref.line, 'iam-wildcard-action', `action ${text} in ${where} allows every ${text.slice(0, -2)} action`);
    }
    granted.push({ ref, actions: match.actions });
  }
  if (context.trust || statement.notAction || statement.notResource) return;

  if (allow && !excused) {
    const star = statement.resources.find((resource) => resource.text === '*');
    if (star) {
      const writes = granted.flatMap(({ ref, actions }) =>
        ref.text === '*' ? ['*'] : actions.filter((a) => changesSomething(a) && a.resourceTypes.length).map((a) => `${a.service}:${a.name}`),
      );
      if (writes.length) {
        const shown = writes.length > 3 ? `${writes.slice(0, 3).join(', ')} and ${writes.length - 3} more` : writes.join(', ');
        add(star.line, 'iam-wildcard-resource-write', `resource * in ${where} is granted ${writes.includes('*') ? 'every action' : `write actions ${shown}`}`);
      }
    }
  }

  const resources = statement.resources.map((resource) => resource.text);
  if (resources.length && !resources.some(isWholeWildcard)) {
    for (const { ref, actions } of granted) {
      const [firstAction] = actions;
      if (!firstAction || actions.some((action) => resources.some((resource) => actionApplies(action, resource)))) continue;
      // Simplest format first: `bucket` before `accesspoint`, as people usually mean it.
      const formats = resourceTypeArns(firstAction.service);
      const length = (type: string) => formats.get(type)?.length ?? Infinity;
      const takes = [...new Set(actions.flatMap((action) => action.resourceTypes))].sort((a, b) => length(a) - length(b));
      const named = [...new Set(statement.resources.map((resource) => classifyArn(resource.text)?.type ?? resource.display))];
      const [simplest] = takes;
      if (simplest === undefined) {
        add(ref.line, 'iam-action-resource-mismatch', `action ${ref.text} in ${where} only takes Resource "*"`, 'grant it in a statement of its own with `Resource: "*"`');
        continue;
      }
      if (actions.length > 1) {
        add(ref.line, 'iam-action-resource-mismatch', `no action matching ${ref.text} in ${where} applies to the statement's resources (${named.join(', ')})`);
        continue;
      }
      const format = formats.get(simplest);
      add(
        ref.line,
        'iam-action-resource-mismatch',
        `action ${ref.text} in ${where} takes ${takes.join(' or ')}, but the statement names only ${named.join(', ')}`,
        format ? `grant it on ${cfnFormat(format)}, in a statement of its own if need be` : undefined,
      );
    }
  }

  for (const resource of statement.resources) {
    const { text } = resource;
    if (isWholeWildcard(text) || (text.includes(UNKNOWN) && !text.startsWith('arn:'))) continue;
    const arn = parseArn(text);
    if (!arn) {
      add(resource.line, 'iam-unresolved-arn', `resource ${resource.display} in ${where} is not an ARN`);
      continue;
    }
    const base = baseResource(arn.service, arn.region, arn.account, arn.resource);
    if (base === undefined || base.includes(UNKNOWN)) continue;
    const pattern = arnPattern(`${arn.partition}:${arn.service}:${base}`);
    const found = context.declared().some((declared) => {
      const other = parseArn(declared);
      if (!other || other.service !== arn.service) return false;
      const otherBase = baseResource(other.service, other.region, other.account, other.resource);
      return otherBase !== undefined && overlaps(pattern, arnPattern(`${other.partition}:${other.service}:${otherBase}`));
    });
    if (!found) add(resource.line, 'iam-unresolved-arn', `resource ${resource.display} in ${where} names no ${ARN_NOUNS[arn.service]} declared in cf/`);
  }
}

/**
 * The part of an S3, DynamoDB, SQS or SNS ARN that names the declared resource: the bucket of an
 * object, the table of an index or stream. Region and account are left out: offline they are
 * placeholders. Undefined for other services and other resource types (access points, global tables).
 */
function baseResource(service: string, region: string, account: string, resource: string): string | undefined {
  switch (service) {
    case 's3':
      return region || account ? undefined : resource.split('/')[0];
    case 'dynamodb':
      return /^table\/[^/]*/.exec(resource)?.[0];
    case 'sqs':
    case 'sns':
      return resource.split(':')[0];
    default:
      return undefined;
  }
}

/** A catalogue ARN format as a template author writes it: `arn:${AWS::Partition}:s3:::<BucketName>`. */
function cfnFormat(format: string): string {
  return format
    .replace('${Partition}', '${AWS::Partition}')
    .replace('${Region}', '${AWS::Region}')
    .replace('${Account}', '${AWS::AccountId}')
    .replace(/\$\{(\w+)\}/g, '<$1>');
}
