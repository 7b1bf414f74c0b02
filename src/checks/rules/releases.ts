import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { schemaProblems } from '../../config/schema-problems.js';
import { ENVIRONMENTS, isEnvironment } from '../../config/environments.js';
import {
  FLUX_GIT_REPOSITORY,
  FLUX_NAMESPACE,
  helmReleaseSchema,
  repositoryChartPath,
  type HelmRelease,
} from '../../config/flux.js';
import { remediationProblems } from '../../releases/contract.js';
import type { RuleModule, YamlSource } from '../context.js';
import type { Finding } from '../finding.js';
import type { YamlDocument } from '../../yaml/source.js';

/**
 * releases/<env>/*.yaml: every document a Flux HelmRelease that Flux accepts, in an environment's
 * folder, installing a chart that exists (when the chart comes from this repository).
 */
export const releaseRules: RuleModule = {
  rules: [
    {
      id: 'release-invalid',
      rationale: 'Flux rejects a HelmRelease that is not valid, and the environment silently keeps running the old version',
      fix: 'make it a Flux HelmRelease (apiVersion helm.toolkit.fluxcd.io/v2) with the field named fixed, in releases/<development|staging|production>/',
    },
    {
      id: 'release-chart-missing',
      rationale: 'a HelmRelease whose chart folder is not in the repository never installs, and only the cluster says so',
      fix: 'point spec.chart.spec.chart at a chart folder of this repository (`./charts/<name>`, holding a Chart.yaml), or add that chart',
    },
    {
      id: 'release-drift-detection',
      rationale: 'without drift detection, a change made by hand in the cluster silently outlives the release until its next upgrade',
      fix: 'set spec.driftDetection.mode: enabled in the service’s .flux.ci template (releases/ is written by its CI)',
    },
    {
      id: 'release-remediation',
      rationale: 'a failed install or upgrade that is never retried, or never rolled back, leaves the service down or half-upgraded',
      fix: 'set spec.install.remediation.retries and spec.upgrade.remediation.retries above 0 and spec.upgrade.remediation.remediateLastFailure: true in the service’s .flux.ci template',
    },
  ],
  check({ repo }) {
    const findings: Finding[] = [];
    const charts = new Set(repo.charts.map((c) => c.dir));
    // `<env>/<namespace>/<name>` → where it was first defined.
    const defined = new Map<string, string>();
    for (const source of repo.releases) {
      const parts = source.file.split('/');
      const env = parts.length === 3 ? (parts[1] ?? '') : '';
      if (!isEnvironment(env)) {
        findings.push({
          file: source.file,
          line: 1,
          rule: 'release-invalid',
          message: `${env ? `releases/${env}/ is not an environment's folder` : 'a release directly under releases/ belongs to no environment'}, so no cluster applies ${source.file}`,
          fix: `move it to releases/<${ENVIRONMENTS.join('|')}>/`,
        });
      }
      const documents = source.yaml.documents.filter((d) => d.value !== null && d.value !== undefined);
      if (!documents.length) {
        findings.push({ file: source.file, line: 1, rule: 'release-invalid', message: `${source.file} holds no HelmRelease` });
      }
      for (const doc of documents) {
        const release = validate(source, doc, findings);
        if (!release) continue;
        const namespace = release.metadata.namespace ?? '';
        const key = `${env}/${namespace}/${release.metadata.name}`;
        const first = defined.get(key);
        if (first) {
          findings.push({
            file: source.file,
            line: doc.lineOf(['metadata', 'name']),
            rule: 'release-invalid',
            message: `metadata.name ${release.metadata.name}${namespace ? ` in namespace ${namespace}` : ''} repeats the HelmRelease at ${first}; Flux keeps only one of them`,
            fix: 'keep one HelmRelease per name and namespace in each environment',
          });
        } else {
          defined.set(key, `${source.file}:${doc.lineOf(['metadata', 'name'])}`);
        }
        findings.push(...sourceFindings(source, doc, release, charts, repo.root));
        for (const problem of remediationProblems(release)) {
          findings.push({ file: source.file, line: doc.lineOf(problem.path), rule: problem.rule, message: `${problem.message} (HelmRelease ${release.metadata.name})` });
        }
      }
    }
    return findings;
  },
};

function validate(source: YamlSource, doc: YamlDocument, findings: Finding[]): HelmRelease | undefined {
  const result = helmReleaseSchema.safeParse(doc.value);
  if (result.success) return result.data;
  const name = (doc.value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  const which = typeof name === 'string' ? ` (HelmRelease ${name})` : '';
  for (const problem of schemaProblems(result.error, doc.value, doc.lineOf)) {
    findings.push({ file: source.file, line: problem.line, rule: 'release-invalid', message: `${problem.message}${which}` });
  }
  return undefined;
}

/** The chart source: this repository (flux-system) by an existing chart path, or a chart repository. */
function sourceFindings(source: YamlSource, doc: YamlDocument, release: HelmRelease, charts: Set<string>, root: string): Finding[] {
  const chartSpec = release.spec.chart.spec;
  const ref = chartSpec.sourceRef;
  const name = release.metadata.name;
  // HelmRepository and Bucket charts live elsewhere and cannot be checked offline.
  if (ref.kind !== 'GitRepository') return [];
  const refPath = ['spec', 'chart', 'spec', 'sourceRef'];
  // Flux resolves a sourceRef without namespace in the HelmRelease's own namespace.
  const refNamespace = ref.namespace ?? release.metadata.namespace;
  if (ref.name !== FLUX_GIT_REPOSITORY || refNamespace !== FLUX_NAMESPACE) {
    const wrongName = ref.name !== FLUX_GIT_REPOSITORY;
    return [
      {
        file: source.file,
        line: doc.lineOf([...refPath, wrongName ? 'name' : 'namespace']),
        rule: 'release-invalid',
        message: wrongName
          ? `spec.chart.spec.sourceRef names GitRepository ${ref.name}, not this repository's GitRepository ${FLUX_GIT_REPOSITORY} (HelmRelease ${name})`
          : `spec.chart.spec.sourceRef resolves to GitRepository ${FLUX_GIT_REPOSITORY} in namespace ${refNamespace ?? 'default'}, not in ${FLUX_NAMESPACE} (HelmRelease ${name})`,
        fix: `set sourceRef to {kind: GitRepository, name: ${FLUX_GIT_REPOSITORY}, namespace: ${FLUX_NAMESPACE}}, or take the chart from a HelmRepository`,
      },
    ];
  }
  const line = doc.lineOf(['spec', 'chart', 'spec', 'chart']);
  const path = repositoryChartPath(chartSpec.chart);
  if (path === undefined) {
    return [
      {
        file: source.file,
        line,
        rule: 'release-chart-missing',
        message: `spec.chart.spec.chart ${chartSpec.chart} is not a folder inside this repository (HelmRelease ${name})`,
      },
    ];
  }
  if (charts.has(path)) return [];
  const folder = existsSync(join(root, path));
  return [
    {
      file: source.file,
      line,
      rule: 'release-chart-missing',
      message: folder
        ? `spec.chart.spec.chart ${chartSpec.chart} is a folder without a Chart.yaml (HelmRelease ${name})`
        : `spec.chart.spec.chart ${chartSpec.chart} does not exist in this repository (HelmRelease ${name})`,
      ...(charts.size ? { fix: `use one of the repository's charts (${[...charts].map((c) => `./${c}`).join(', ')}), or add the chart` } : {}),
    },
  ];
}
