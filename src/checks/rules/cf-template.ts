import { ENVIRONMENTS } from '../../config/environments.js';
import { cfnModel, isRecord, textStartLine, type TemplateModel } from '../cfn-model.js';
import type { RuleModule } from '../context.js';
import { environmentProblems } from '../../cf/required-parameters.js';
import { SUPPORTED_TRANSFORMS, unsupportedTransforms } from '../../cf/transforms.js';
import type { Finding } from '../finding.js';
import type { YamlPath } from '../../yaml/source.js';

const ENVIRONMENT_LIST = `[${ENVIRONMENTS.join(', ')}]`;

/**
 * A template must deploy unchanged to every environment, account, region and partition: the
 * environment comes in as a parameter, and what differs between deployments comes from
 * pseudo-parameters or parameters, never from literals.
 */
export const cfTemplateRules: RuleModule = {
  rules: [
    {
      id: 'cf-environment-parameter',
      rationale: 'deploy-cf passes Environment to every cf/ template, and the names of per-environment resources depend on it',
      fix: `declare Parameters.Environment with \`Type: String\` and \`AllowedValues: ${ENVIRONMENT_LIST}\``,
    },
    {
      id: 'cf-literal-account-id',
      rationale: 'a literal account id ties the template to one account: the twin and a new account get the wrong ARNs',
      fix: 'use `${AWS::AccountId}`',
    },
    {
      id: 'cf-literal-region',
      rationale: 'a literal region ties the template to one region: a stack elsewhere points back at the old one',
      fix: 'use `${AWS::Region}`',
    },
    {
      id: 'cf-literal-partition',
      rationale: 'a literal `arn:aws:` breaks the template in the China and GovCloud partitions',
      fix: 'write ARNs as `arn:${AWS::Partition}:…`',
    },
    {
      id: 'cf-literal-domain',
      rationale: 'a hosted domain name differs per environment and deployment: written into a template it cannot follow',
      fix: 'pass the domain as a parameter (or import it) and build names with `!Sub`',
    },
    {
      id: 'cf-transform',
      rationale: 'deploy-cf refuses a transform the twin does not expand as AWS does: the template would never be tested before it reaches AWS',
      fix: `use only ${SUPPORTED_TRANSFORMS.join(' or ')} (src/cf/transforms.ts), or write the resources out`,
    },
  ],
  check({ repo }) {
    const model = cfnModel(repo);
    return model.templates.flatMap((template) => [
      ...(template.inCf ? environmentParameter(template) : []),
      ...literals(template),
      ...unsupportedTransforms(template.doc).map(
        (name): Finding => ({ file: template.file, line: template.lineOf(['Transform']), rule: 'cf-transform', message: `the template declares the transform ${name}` }),
      ),
    ]);
  },
};

function environmentParameter(template: TemplateModel): Finding[] {
  const fix = `set \`AllowedValues: ${ENVIRONMENT_LIST}\``;
  return environmentProblems(template.doc).map((problem): Finding => {
    const finding = (message: string, fix?: string): Finding => ({
      file: template.file,
      line: template.lineOf(problem.path),
      rule: 'cf-environment-parameter',
      message,
      ...(fix ? { fix } : {}),
    });
    switch (problem.kind) {
      case 'no-environment':
        return finding('the template has no Environment parameter');
      case 'environment-type':
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML value shown or compared as String writes it; a mapping or list there is the author's mistake, reported as written
        return finding(`parameter Environment has Type ${String(problem.type ?? '(none)')}, not String`, 'set `Type: String`');
      case 'no-allowed-values':
        return finding('parameter Environment has no AllowedValues', `add \`AllowedValues: ${ENVIRONMENT_LIST}\``);
      case 'missing-environments':
        return finding(`parameter Environment does not allow ${problem.missing.join(', ')}`, fix);
      case 'unexpected-environment':
        return finding(`parameter Environment allows ${problem.value}${problem.reason === 'twice' ? ' twice' : ', which is not an environment'}`, fix);
      default:
        throw new Error(`not an Environment problem: ${problem.kind}`);
    }
  });
}

const ACCOUNT_ID = /(?<![0-9])[0-9]{12}(?![0-9])/g;
const REGION = /(?<![a-z0-9-])(?:us-gov|us-isob?|eusc|us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-[0-9](?![0-9])/g;
const PARTITION = /(?<![a-z0-9-])arn:aws(?:-[a-z]+(?:-[a-z]+)*)?:/g;
const HOST_RUN = /[a-z0-9][a-z0-9.-]*[a-z0-9]/gi;

/** Top-level domains of hosted sites; file extensions that are also country codes (.py, .sh, .md) are left out. */
const TLDS = new Set(
  ('com net org edu gov int io dev app ai co cloud tech bio science health info biz online site xyz page link email me ' +
    'uk eu de fr nl be ch at se no fi dk ie es it pt pl cz us ca au nz jp kr cn in sg hk br mx za').split(' '),
);
/** AWS's own host names: service principals and endpoints are the same in every deployment. */
const AWS_DOMAINS = /(^|\.)(amazonaws\.com(\.cn)?|amazon\.com|api\.aws|on\.aws)$/i;
/** Token issuers AWS trusts by their fixed host: GitHub Actions' OIDC issuer is one host for everyone. */
const FIXED_ISSUERS = new Set(['token.actions.githubusercontent.com']);

function literals(template: TemplateModel): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (line: number, rule: string, message: string) => {
    const key = `${line}\u0000${rule}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ file: template.file, line, rule, message });
  };

  const scan = (text: string, path: YamlPath, owner: string) => {
    const base = text.includes('\n') ? textStartLine(template.source, template.lineOf(path)) : template.lineOf(path);
    const lineAt = (index: number) => base + (text.slice(0, index).match(/\n/g)?.length ?? 0);
    for (const match of text.matchAll(ACCOUNT_ID)) add(lineAt(match.index), 'cf-literal-account-id', `${owner} has a literal account id ${match[0]}`);
    for (const match of text.matchAll(REGION)) add(lineAt(match.index), 'cf-literal-region', `${owner} has a literal region ${match[0]}`);
    for (const match of text.matchAll(PARTITION)) add(lineAt(match.index), 'cf-literal-partition', `${owner} has a literal partition in ${match[0]}`);
    for (const match of text.matchAll(HOST_RUN)) {
      const host = match[0].toLowerCase();
      const labels = host.split('.');
      if (labels.length < 2 || !TLDS.has(labels.at(-1) ?? '') || AWS_DOMAINS.test(host) || FIXED_ISSUERS.has(host)) continue;
      if (labels.some((label) => !label || label.startsWith('-') || label.endsWith('-'))) continue;
      add(lineAt(match.index), 'cf-literal-domain', `${owner} has a literal domain name ${host}`);
    }
  };

  const walk = (value: unknown, path: YamlPath, owner: string): void => {
    if (typeof value === 'string') return scan(value, path, owner);
    if (typeof value === 'number') {
      if (Number.isInteger(value) && String(value).length === 12) add(template.lineOf(path), 'cf-literal-account-id', `${owner} has a literal account id ${value}`);
      return;
    }
    if (Array.isArray(value)) return value.forEach((item, index) => walk(item, [...path, index], owner));
    if (!isRecord(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const at = [...path, key];
      // Names of resources, attributes, conditions and mappings are not values.
      if (key === 'Ref' || key === 'Fn::GetAtt' || key === 'Condition' || key === 'Fn::FindInMap' || key === 'Metadata' || key.endsWith('Description')) continue;
      if (key === 'Fn::If' && Array.isArray(inner)) {
        inner.slice(1).forEach((branch, index) => walk(branch, [...at, index + 1], owner));
        continue;
      }
      if (key === 'Fn::Sub') {
        const [text, locals] = Array.isArray(inner) ? (inner as unknown[]) : [inner, undefined];
        const textPath = Array.isArray(inner) ? [...at, 0] : at;
        // `${…}` is filled in by CloudFormation; blank it out, keeping offsets for line numbers.
        if (typeof text === 'string') scan(text.replace(/\$\{[^}]*\}/g, (m) => ' '.repeat(m.length)), textPath, owner);
        if (isRecord(locals)) walk(locals, [...at, 1], owner);
        continue;
      }
      walk(inner, at, owner);
    }
  };

  for (const [id, resource] of Object.entries(template.resources)) walk(resource.Properties, ['Resources', id, 'Properties'], `resource ${id}`);
  for (const [id, output] of Object.entries(template.outputs)) {
    walk(output.Value, ['Outputs', id, 'Value'], `output ${id}`);
    walk(output.Export, ['Outputs', id, 'Export'], `output ${id}`);
  }
  const conditions = isRecord(template.doc.Conditions) ? template.doc.Conditions : {};
  for (const [id, condition] of Object.entries(conditions)) walk(condition, ['Conditions', id], `condition ${id}`);
  return findings;
}
