import type { Environment } from '../../config/environments.js';
import {
  cfnModel,
  describe,
  evaluateString,
  isLive,
  isRecord,
  items,
  perEnvironment,
  UNKNOWN,
  type CfnModel,
  type Scope,
  type TemplateModel,
} from '../cfn-model.js';
import type { Repository, RuleModule, YamlSource } from '../context.js';
import type { Finding } from '../finding.js';
import { oidcProviderProblems } from '../../cf/required-parameters.js';
import { documentString, policyDocuments, type PolicyDocument } from '../iam/document.js';
import type { YamlPath } from '../../yaml/source.js';

/** `cf/irsa-api-role.yaml`: an IAM role for a Kubernetes service account. */
const IRSA_TEMPLATE = /^cf\/irsa-[^/]+\.ya?ml$/;

/** Stands for the OIDCProvider parameter while evaluating: its value is only known at deploy time. */
const OIDC = '\u0001OIDCProvider\u0001';

const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';

/**
 * A role for a service account (IRSA) must be assumable by exactly that service account through
 * the cluster's OIDC provider, and by nothing else: otherwise any pod in the cluster, or any
 * principal the trust names, gets the role's permissions.
 */
export const irsaTrustRules: RuleModule = {
  rules: [
    {
      id: 'irsa-oidc-parameter',
      rationale: "an IRSA role's trust names the cluster's OIDC provider, which the deployer passes as the OIDCProvider parameter",
      fix: "add Parameters.OIDCProvider (Type: String): the cluster's OIDC issuer without https://",
    },
    {
      id: 'irsa-trust-principal',
      rationale: 'an IRSA role trusted by anything but web identities from the cluster can be assumed outside the service account',
      fix: 'allow only `sts:AssumeRoleWithWebIdentity` with `Principal: {Federated: arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/${OIDCProvider}}`',
    },
    {
      id: 'irsa-trust-audience',
      rationale: "without the audience condition a token the cluster issued for another audience can assume the role",
      fix: 'add `StringEquals: {"${OIDCProvider}:aud": "sts.amazonaws.com"}` to the trust condition',
    },
    {
      id: 'irsa-trust-subject',
      rationale: 'without an exact subject every service account in the cluster (or in a namespace) can assume the role',
      fix: 'require `"${OIDCProvider}:sub": "system:serviceaccount:<namespace>:<serviceaccount>"` (StringLike only for a wildcard in the namespace)',
    },
  ],
  check({ repo }) {
    const model = cfnModel(repo);
    return model.templates.filter((template) => IRSA_TEMPLATE.test(template.file)).flatMap((template) => checkTemplate(model, template));
  },
};

function checkTemplate(model: CfnModel, template: TemplateModel): Finding[] {
  const problems = oidcProviderProblems(template.doc);
  const findings = problems.map(
    (problem): Finding => ({
      file: template.file,
      line: template.lineOf(problem.path),
      rule: 'irsa-oidc-parameter',
      ...(problem.kind === 'oidc-provider-type'
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML value shown or compared as String writes it; a mapping or list there is the author's mistake, reported as written
        ? { message: `parameter OIDCProvider has Type ${String(problem.type ?? '(none)')}, not String`, fix: 'set `Type: String`' }
        : { message: 'the IRSA template has no OIDCProvider parameter' }),
    }),
  );
  // Without the parameter there is no issuer to read the trust policies against.
  if (problems.some((problem) => problem.kind === 'no-oidc-provider')) return findings;
  findings.push(
    ...perEnvironment(template, (env) => {
      const scope = model.scope(template, env, { OIDCProvider: OIDC });
      return trustDocuments(scope).flatMap(({ role, doc }) => checkTrust(template.file, role, doc, scope));
    }),
  );
  return findings;
}

/** The trust policy documents of the template's roles in this environment (every live `Fn::If` branch). */
function trustDocuments(scope: Scope): { role: string; doc: PolicyDocument; props: Record<string, unknown> }[] {
  return Object.entries(scope.template.resources).flatMap(([role, resource]) => {
    if (resource.Type !== 'AWS::IAM::Role' || !isLive(resource.Condition, scope) || !isRecord(resource.Properties)) return [];
    const props = resource.Properties;
    const path: YamlPath = ['Resources', role, 'Properties', 'AssumeRolePolicyDocument'];
    if (!('AssumeRolePolicyDocument' in props)) return [];
    const docs = policyDocuments(props.AssumeRolePolicyDocument, path, scope.template, scope);
    return docs.map((doc) => ({ role, doc, props }));
  });
}

interface TrustStatement {
  value: Record<string, unknown>;
  path: YamlPath;
  allow: boolean;
}

function statements(doc: PolicyDocument, scope: Scope): TrustStatement[] {
  if (!isRecord(doc.value)) return [];
  return items(doc.value.Statement, ['Statement'], scope).flatMap(({ value, path }) =>
    isRecord(value) ? [{ value, path, allow: documentString(doc, value.Effect, scope) === 'Allow' }] : [],
  );
}

/** One condition operator's entries, keys and values evaluated. */
function conditionEntries(doc: PolicyDocument, statement: TrustStatement, operator: string, scope: Scope) {
  const condition = isRecord(statement.value.Condition) ? statement.value.Condition : {};
  const block = condition[operator];
  if (!isRecord(block)) return [];
  return Object.entries(block).map(([key, value]) => {
    const path = [...statement.path, 'Condition', operator, key];
    const values = items(value, path, scope).map((item) => ({
      text: documentString(doc, item.value, scope),
      display: doc.sub || typeof item.value === 'string' ? String(item.value) : describe(item.value),
      line: doc.lineOf(item.path),
    }));
    return { key: documentString(doc, key, scope), line: doc.lineOf(path), values };
  });
}

function checkTrust(file: string, role: string, doc: PolicyDocument, scope: Scope): Finding[] {
  const findings: Finding[] = [];
  const add = (line: number, rule: string, message: string) => findings.push({ file, line, rule, message });
  const federated = `arn:${scope.known['AWS::Partition']}:iam::${scope.known['AWS::AccountId']}:oidc-provider/${OIDC}`;
  const trust = `trust policy of ${role}`;
  if (doc.invalid) {
    add(doc.lineOf([]), 'irsa-trust-principal', `${trust} is not valid JSON`);
    return findings;
  }
  const allows = statements(doc, scope).filter((statement) => statement.allow);
  if (!isRecord(doc.value) || !allows.length) {
    add(doc.lineOf([]), 'irsa-trust-principal', `${trust} allows no ${WEB_IDENTITY} from the cluster's OIDC provider`);
    return findings;
  }
  for (const statement of allows) {
    const { value, path } = statement;
    const line = doc.lineOf(path);
    // A missing condition is reported where conditions go: the operator, the Condition block or the statement.
    const conditionLine = (operator: string) => doc.lineOf([...path, 'Condition', operator]);
    for (const key of ['NotPrincipal', 'NotAction']) {
      if (key in value) add(doc.lineOf([...path, key]), 'irsa-trust-principal', `${trust} uses ${key} in an Allow statement`);
    }
    const actions = items(value.Action, [...path, 'Action'], scope);
    for (const action of actions) {
      const text = documentString(doc, action.value, scope);
      if (text.toLowerCase() !== WEB_IDENTITY.toLowerCase()) {
        add(doc.lineOf(action.path), 'irsa-trust-principal', `${trust} allows action ${text}, not only ${WEB_IDENTITY}`);
      }
    }
    if (!actions.length && !('NotAction' in value)) add(line, 'irsa-trust-principal', `${trust} has a statement without Action`);
    const principal = value.Principal;
    if (!isRecord(principal)) {
      if (!('NotPrincipal' in value)) {
        add(doc.lineOf([...path, 'Principal']), 'irsa-trust-principal', `${trust} trusts principal ${JSON.stringify(principal ?? null)}, not the cluster's OIDC provider`);
      }
    } else {
      for (const [kind, who] of Object.entries(principal)) {
        const principalPath = [...path, 'Principal', kind];
        if (kind !== 'Federated') {
          add(doc.lineOf(principalPath), 'irsa-trust-principal', `${trust} also trusts ${kind} principal ${describeAll(doc, who, principalPath, scope)}`);
          continue;
        }
        for (const item of items(who, principalPath, scope)) {
          if (documentString(doc, item.value, scope) !== federated) {
            const shown = doc.sub || typeof item.value === 'string' ? String(item.value) : describe(item.value);
            add(doc.lineOf(item.path), 'irsa-trust-principal', `${trust} trusts Federated principal ${shown}, not the oidc-provider ARN of \${OIDCProvider}`);
          }
        }
      }
    }

    const audienceKey = `${OIDC}:aud`;
    const audience = conditionEntries(doc, statement, 'StringEquals', scope).find((entry) => entry.key === audienceKey);
    if (!audience) {
      add(conditionLine('StringEquals'), 'irsa-trust-audience', `${trust} does not require StringEquals \${OIDCProvider}:aud = sts.amazonaws.com`);
    } else if (audience.values.length !== 1 || audience.values[0]?.text !== 'sts.amazonaws.com') {
      add(audience.line, 'irsa-trust-audience', `${trust} accepts audience ${audience.values.map((v) => v.display).join(', ') || '(none)'}, not sts.amazonaws.com`);
    }

    const subjectKey = `${OIDC}:sub`;
    const subjects = ['StringEquals', 'StringLike'].flatMap((operator) =>
      conditionEntries(doc, statement, operator, scope)
        .filter((entry) => entry.key === subjectKey)
        .map((entry) => ({ ...entry, operator })),
    );
    if (!subjects.length) {
      add(conditionLine(isRecord(value.Condition) && 'StringLike' in value.Condition ? 'StringLike' : 'StringEquals'), 'irsa-trust-subject', `${trust} does not restrict the subject: no \${OIDCProvider}:sub condition, so any service account in the cluster can assume it`);
    }
    for (const entry of subjects) {
      if (!entry.values.length) add(entry.line, 'irsa-trust-subject', `${trust} has an empty \${OIDCProvider}:sub condition`);
      for (const subject of entry.values) {
        const parsed = parseSubject(subject.text);
        const shown = subject.display;
        if (!parsed) {
          add(subject.line, 'irsa-trust-subject', `${trust} has subject ${shown}, not system:serviceaccount:<namespace>:<serviceaccount>`);
        } else if (/[*?]/.test(parsed.serviceAccount)) {
          add(subject.line, 'irsa-trust-subject', `${trust} has subject ${shown}, with a wildcard for the service account`);
        } else if (/[*?]/.test(parsed.namespace) && entry.operator !== 'StringLike') {
          add(subject.line, 'irsa-trust-subject', `${trust} has subject ${shown} with a wildcard under ${entry.operator}, which compares literally: use StringLike`);
        }
      }
    }
  }
  return findings;
}

function describeAll(doc: PolicyDocument, value: unknown, path: YamlPath, scope: Scope): string {
  return items(value, path, scope)
    .map((item) => (doc.sub || typeof item.value === 'string' ? String(item.value) : describe(item.value)))
    .join(', ');
}

function parseSubject(text: string): { namespace: string; serviceAccount: string } | undefined {
  if (text.includes(UNKNOWN)) return undefined;
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(text);
  const [, namespace, serviceAccount] = match ?? [];
  return namespace !== undefined && serviceAccount !== undefined ? { namespace, serviceAccount } : undefined;
}

export interface IrsaServiceAccount {
  /** May contain `*` (a StringLike trust, e.g. staging's sandboxes: `api-*`). */
  namespace: string;
  serviceAccount: string;
  /** The role's name in this environment, when the template names it. */
  roleName?: string;
  /** The line of the subject in the template. */
  line: number;
}

const modelsBySource = new WeakMap<YamlSource, CfnModel>();

/**
 * The service accounts an IRSA template's roles trust in one environment, resolved from the
 * `${OIDCProvider}:sub` conditions of the trust policy that environment deploys.
 */
export function irsaServiceAccounts(template: YamlSource, env: Environment): IrsaServiceAccount[] {
  let model = modelsBySource.get(template);
  if (!model) {
    const repo: Repository = { root: '', templates: [template], accessLists: [], charts: [], releases: [], workflows: [] };
    model = cfnModel(repo);
    modelsBySource.set(template, model);
  }
  const [templateModel] = model.templates;
  if (!templateModel) throw new Error(`internal: the model of ${template.file} holds no template`);
  const scope = model.scope(templateModel, env, { OIDCProvider: OIDC });
  const subjectKey = `${OIDC}:sub`;
  return trustDocuments(scope).flatMap(({ doc, props }) => {
    const name = 'RoleName' in props ? evaluateString(props.RoleName, scope) : undefined;
    const roleName = name === undefined || name.includes(UNKNOWN) ? undefined : name;
    return statements(doc, scope)
      .filter((statement) => statement.allow)
      .flatMap((statement) =>
        ['StringEquals', 'StringLike'].flatMap((operator) =>
          conditionEntries(doc, statement, operator, scope)
            .filter((entry) => entry.key === subjectKey)
            .flatMap((entry) =>
              entry.values.flatMap((subject) => {
                const parsed = parseSubject(subject.text);
                return parsed ? [{ ...parsed, ...(roleName ? { roleName } : {}), line: subject.line }] : [];
              }),
            ),
        ),
      );
  });
}
