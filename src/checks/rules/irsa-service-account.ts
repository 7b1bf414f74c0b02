import { ENVIRONMENTS, type Environment } from '../../config/environments.js';
import type { RenderedManifest, RuleModule, YamlSource } from '../context.js';
import type { Finding } from '../finding.js';
import { irsaServiceAccounts } from './irsa-trust.js';

export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
const IRSA_TEMPLATE = /^cf\/irsa-[^/]+\.ya?ml$/;

/** A ServiceAccount some chart or release renders. */
export interface RenderedServiceAccount {
  name: string;
  namespace: string;
  /** The role its role-arn annotation names (after `role/` and any path); undefined without a usable annotation. */
  roleName?: string;
  annotation?: string;
  /** undefined for a chart's defaults, which stand for any environment. */
  environment?: Environment;
  origin: string;
}

/** `arn:aws:iam::123456789012:role/path/name` → `name`. */
export function roleNameOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:iam::[^:]*:role\/(?:[^/]*\/)*([^/]+)$/.exec(arn.trim())?.[1];
}

export function renderedServiceAccounts(rendered: readonly RenderedManifest[]): RenderedServiceAccount[] {
  return rendered.flatMap((m) => {
    const metadata = m.value.metadata as { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> } | undefined;
    if (m.value.kind !== 'ServiceAccount' || typeof metadata?.name !== 'string') return [];
    const annotation = metadata.annotations?.[ROLE_ARN_ANNOTATION];
    return [
      {
        name: metadata.name,
        namespace: typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : m.namespace,
        annotation: typeof annotation === 'string' ? annotation : undefined,
        roleName: typeof annotation === 'string' ? roleNameOfArn(annotation) : undefined,
        environment: m.environment,
        origin: m.origin,
      },
    ];
  });
}

/** IAM's StringLike: `*` any run of characters, `?` one character. */
const like = (pattern: string) =>
  new RegExp(`^${Array.from(pattern).map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`);

/**
 * An IRSA role is only useful if a pod can assume it: the service account its trust names must
 * be rendered by a chart or release, annotated with the role's ARN.
 *
 * Per environment: the trust's subject for environment E is matched by a ServiceAccount rendered
 * by a release of E, or by a chart with its defaults (which stand for any environment). A role
 * passes when it is matched in at least one environment; otherwise it is reported at the
 * subject's line, once per line, listing what was expected for each environment that has
 * release renderings (all three when none has). While releases/ holds no release at all (a new
 * repository, before the services' CI pushed the first) the rule is silent.
 *
 * A HelmRelease whose chart comes from a chart repository cannot be rendered offline: one of E
 * that targets a namespace the subject of E matches counts as a match (it cannot be checked).
 *
 * Independently, a ServiceAccount a release of E renders that fits the subject of E by namespace
 * and name but whose annotation is missing or names another role is reported, since its pods
 * silently run without the role; when it explains a role's miss, the generic finding is left out.
 */
export const irsaServiceAccountRules: RuleModule = {
  rules: [
    {
      id: 'irsa-service-account',
      rationale: "an IRSA role whose service account no chart or release creates, annotated with the role's ARN, gives no pod its permissions",
      fix: `render the ServiceAccount the role trusts, in a namespace the trust matches, annotated \`${ROLE_ARN_ANNOTATION}: arn:aws:iam::<account>:role/<RoleName>\`; or correct the trust`,
    },
  ],
  check(ctx) {
    // Service accounts come with releases, which the services' CI pushes: until the first one
    // lands there is nothing to judge a role against (a chart's defaults carry no role).
    if (!ctx.repo.releases.length) return [];
    const accounts = renderedServiceAccounts(ctx.rendered);
    const releaseEnvs = ENVIRONMENTS.filter((env) => ctx.rendered.some((m) => m.environment === env));
    const reportEnvs = releaseEnvs.length ? releaseEnvs : ENVIRONMENTS;
    const external = unrenderedReleases(ctx.repo.releases);
    return ctx.repo.templates
      .filter((t) => IRSA_TEMPLATE.test(t.file))
      .flatMap((template) => roleFindings(template, accounts, external, reportEnvs));
  },
};

/** A HelmRelease installing a chart from a chart repository: where it installs, not what. */
interface UnrenderedRelease {
  environment: string;
  namespace: string;
}

function unrenderedReleases(releases: readonly YamlSource[]): UnrenderedRelease[] {
  return releases.flatMap((source) =>
    source.yaml.documents.flatMap((doc) => {
      const release = doc.value as {
        kind?: unknown;
        metadata?: { namespace?: unknown };
        spec?: { targetNamespace?: unknown; chart?: { spec?: { sourceRef?: { kind?: unknown } } } };
      } | null;
      const kind = release?.spec?.chart?.spec?.sourceRef?.kind;
      if (release?.kind !== 'HelmRelease' || kind === undefined || kind === 'GitRepository') return [];
      const namespace = release.spec?.targetNamespace ?? release.metadata?.namespace ?? 'default';
      return typeof namespace === 'string' ? [{ environment: source.file.split('/')[1] ?? '', namespace }] : [];
    }),
  );
}

function roleFindings(
  template: YamlSource,
  accounts: RenderedServiceAccount[],
  external: UnrenderedRelease[],
  reportEnvs: readonly Environment[],
): Finding[] {
  const findings: Finding[] = [];
  let matched = false;
  const expected = new Map<number, Expected[]>();
  for (const env of ENVIRONMENTS) {
    for (const subject of irsaServiceAccounts(template, env)) {
      const fits = (sa: RenderedServiceAccount) => like(subject.namespace).test(sa.namespace) && like(subject.serviceAccount).test(sa.name);
      const candidates = accounts.filter((sa) => (sa.environment === undefined || sa.environment === env) && fits(sa));
      const good = candidates.filter((sa) => (subject.roleName === undefined ? sa.annotation !== undefined : sa.roleName === subject.roleName));
      if (good.length || external.some((r) => r.environment === env && like(subject.namespace).test(r.namespace))) matched = true;
      for (const sa of candidates) {
        if (sa.environment !== env || good.includes(sa)) continue;
        findings.push({
          file: template.file,
          line: subject.line,
          rule: 'irsa-service-account',
          message: `service account ${sa.name} in namespace ${sa.namespace} (release ${sa.origin}) fits the trust for ${env} but ${
            sa.annotation === undefined ? `has no ${ROLE_ARN_ANNOTATION} annotation` : sa.roleName ? `its ${ROLE_ARN_ANNOTATION} names role ${sa.roleName}` : `its ${ROLE_ARN_ANNOTATION} ${JSON.stringify(sa.annotation)} is not a role ARN`
          }; expected role ${subject.roleName ?? 'of this template'}`,
          fix: `annotate it \`${ROLE_ARN_ANNOTATION}: arn:aws:iam::<account>:role/${subject.roleName ?? '<RoleName>'}\` in the release's values`,
        });
      }
      if (reportEnvs.includes(env)) {
        expected.set(subject.line, [...(expected.get(subject.line) ?? []), { env, ...subject }]);
      }
    }
  }
  if (matched || findings.length) return findings;
  return [...expected].map(([line, wanted]) => ({
    file: template.file,
    line,
    rule: 'irsa-service-account',
    message: `no chart or release renders the service account this role trusts: expected ${describeExpected(wanted)}`,
  }));
}

interface Expected {
  env: Environment;
  namespace: string;
  serviceAccount: string;
  roleName?: string;
}

/** What each environment expects; `<env>` stands for the environment when that says it all at once. */
function describeExpected(wanted: Expected[]): string {
  const phrase = (e: Expected, env?: string) => {
    const general = (text: string) => (env ? text.split(e.env).join(env) : text);
    return `ServiceAccount ${general(e.serviceAccount)} in namespace ${general(e.namespace)} with role ${e.roleName ? general(e.roleName) : '(unresolved)'}`;
  };
  const shared = new Set(wanted.map((e) => phrase(e, '<env>')));
  if (wanted.length > 1 && shared.size === 1) return `${[...shared][0]} (${wanted.map((e) => e.env).join(', ')})`;
  return wanted.map((e) => `${phrase(e)} (${e.env})`).join('; ');
}
