import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FLUX_NAMESPACE, helmReleaseSchema, REPOSITORY_SOURCE_REF, repositoryChartPath, type HelmRelease } from '../config/flux.js';
import { schemaProblems } from '../config/schema-problems.js';
import type { YamlPath } from '../yaml/source.js';
import { renderChart } from '../tools/helm.js';
import { validateManifests } from '../tools/kubeconform.js';
import { remediationProblems } from './contract.js';
import type { TemplateProblem } from './template.js';

export interface ReleaseValidation {
  release?: HelmRelease;
  problems: TemplateProblem[];
}

/**
 * Everything that would make Flux refuse a filled-in release, found before it is written: the
 * HelmRelease contract (this repository's GitRepository, a chart folder that exists, the
 * flux-system namespace), the chart rendered with the release's values through its values
 * schema, and every object, the HelmRelease included, through kubeconform's strict schemas.
 * `lineOf` maps a path in the release to a line of the template.
 */
export async function validateRelease(
  value: unknown,
  lineOf: (path: YamlPath) => number,
  root: string,
  env?: NodeJS.ProcessEnv,
): Promise<ReleaseValidation> {
  const parsed = helmReleaseSchema.safeParse(value);
  if (!parsed.success) {
    return { problems: schemaProblems(parsed.error, value, lineOf).map(({ line, message }) => ({ line, message })) };
  }
  const release = parsed.data;
  const problems = contractProblems(release, lineOf, root);
  if (problems.length) return { release, problems };

  const chartDir = repositoryChartPath(release.spec.chart.spec.chart);
  if (chartDir === undefined) throw new Error('internal: contractProblems reports a chart outside the repository');
  const namespace = release.spec.targetNamespace ?? FLUX_NAMESPACE;
  const target = release.spec.targetNamespace;
  const rendered = await renderChart({
    chartDir,
    // Flux's default release name when the release targets another namespace.
    releaseName: release.spec.releaseName ?? (target ? `${target}-${release.metadata.name}` : release.metadata.name),
    namespace,
    values: JSON.stringify(release.spec.values ?? {}),
    cwd: root,
    env,
  });
  if (!rendered.ok) {
    const line = rendered.valuesPath ? lineOf(['spec', 'values', ...rendered.valuesPath]) : lineOf(['spec', 'values']);
    return { release, problems: [{ line, message: `${chartDir} does not render with these values: ${rendered.message.replace(/\s*\n\s*/g, ' ')}` }] };
  }

  const stream = `${JSON.stringify(value)}\n---\n${rendered.manifests}`;
  const results = await validateManifests({ stdin: stream }, { env });
  for (const [index, result] of results.entries()) {
    if (result.status === 'valid') continue;
    const own = index === 0;
    const errors = result.validationErrors?.length ? result.validationErrors : [{ path: '', msg: result.msg }];
    for (const error of errors) {
      const where = own ? lineOf(error.path.split('/').filter(Boolean)) : lineOf(['spec', 'values']);
      const what = own ? `the HelmRelease${error.path ? ` at ${error.path}` : ''}` : `${result.kind} ${result.name} rendered from ${chartDir}${error.path ? ` at ${error.path}` : ''}`;
      problems.push({ line: where, message: `${what}: ${error.msg}` });
    }
  }
  return { release, problems };
}

/** The GitOps contract of releases/: charts from this repository, releases in flux-system. */
function contractProblems(release: HelmRelease, lineOf: (path: YamlPath) => number, root: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  // The Kustomization applies releases/<env>/ without a target namespace: a HelmRelease in a
  // namespace that does not exist yet would fail the whole environment's apply.
  if (release.metadata.namespace !== FLUX_NAMESPACE) {
    problems.push({
      line: lineOf(['metadata', 'namespace']),
      message: `metadata.namespace must be ${FLUX_NAMESPACE} (found ${release.metadata.namespace ?? 'none'}); put the service's namespace in spec.targetNamespace, with spec.install.createNamespace: true`,
    });
  }
  for (const problem of remediationProblems(release)) problems.push({ line: lineOf(problem.path), message: problem.message });
  const spec = release.spec.chart.spec;
  const ref = spec.sourceRef;
  if (ref.kind !== REPOSITORY_SOURCE_REF.kind || ref.name !== REPOSITORY_SOURCE_REF.name || (ref.namespace ?? release.metadata.namespace) !== FLUX_NAMESPACE) {
    problems.push({
      line: lineOf(['spec', 'chart', 'spec', 'sourceRef']),
      message: `spec.chart.spec.sourceRef must be this repository: {kind: GitRepository, name: ${REPOSITORY_SOURCE_REF.name}, namespace: ${FLUX_NAMESPACE}}`,
    });
    return problems;
  }
  const chartDir = repositoryChartPath(spec.chart);
  if (!chartDir || !existsSync(join(root, chartDir, 'Chart.yaml'))) {
    problems.push({
      line: lineOf(['spec', 'chart', 'spec', 'chart']),
      message: `spec.chart.spec.chart ${spec.chart} is not a chart of this repository (no ${chartDir ?? spec.chart}/Chart.yaml); use ./charts/<name>`,
    });
  }
  return problems;
}
