import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isEnvironment, type Environment } from '../../config/environments.js';
import { HELM_RELEASE_KIND, REPOSITORY_SOURCE_REF, repositoryChartPath } from '../../config/flux.js';
import { lintCharts, renderChart } from '../../tools/helm.js';
import type { ChartSource, RenderedManifest, Repository, YamlSource } from '../context.js';
import type { Finding } from '../finding.js';
import { parseYamlFile } from '../../yaml/source.js';

/** One `helm template` output: a chart with its defaults, or with a release's values. */
export interface Rendering {
  origin: string;
  chart: ChartSource;
  /** The rendered YAML, as helm printed it (kubeconform reads it from a file). */
  text: string;
  manifests: RenderedManifest[];
}

/** A HelmRelease under releases/ whose chart is a folder of this repository. */
interface LocalRelease {
  source: YamlSource;
  index: number;
  chart: ChartSource;
  environment?: Environment;
  releaseName: string;
  namespace: string;
  values: unknown;
}

/**
 * helm lint over all charts in one run, then `helm template` for every chart with its defaults
 * and for every release with its own values; the renderings feed kubeconform and the manifest rules.
 */
export async function helmFindings(repo: Repository, env?: NodeJS.ProcessEnv): Promise<{ findings: Finding[]; renderings: Rendering[] }> {
  const lint = lintCharts(
    repo.charts.map((c) => c.dir),
    { cwd: repo.root, env },
  );
  const chartRenders = repo.charts.map(async (chart) => {
    const result = await renderChart({ chartDir: chart.dir, releaseName: chart.name, namespace: 'default', cwd: repo.root, env });
    // A chart that does not render with its defaults is already a helm lint error.
    return result.ok ? rendering(chart.dir, chart, undefined, 'default', result.manifests) : undefined;
  });
  const releaseRenders = localReleases(repo).map(async (release) => {
    const result = await renderChart({
      chartDir: release.chart.dir,
      releaseName: release.releaseName,
      namespace: release.namespace,
      values: JSON.stringify(release.values ?? {}),
      cwd: repo.root,
      env,
    });
    if (result.ok) return rendering(release.source.file, release.chart, release.environment, release.namespace, result.manifests);
    const doc = release.source.yaml.documents[release.index];
    if (!doc) throw new Error(`internal: ${release.source.file} has no document ${release.index}`);
    const inChart = result.file !== undefined && !result.valuesPath;
    const finding: Finding = {
      file: inChart ? `${release.chart.dir}/${result.file}` : release.source.file,
      line: inChart ? (result.line ?? 1) : doc.lineOf(['spec', 'values', ...(result.valuesPath ?? [])]),
      rule: 'helm-template',
      message: `${release.chart.dir} does not render with the values of ${release.source.file}: ${oneLine(result.message)}`,
    };
    return finding;
  });

  const findings: Finding[] = (await lint)
    // "unable to load chart" only repeats the error before it.
    .filter((m) => !/^unable to load chart/.test(m.message))
    .map((m) => {
      const file = m.file ? `${m.chartDir}/${m.file}` : `${m.chartDir}/Chart.yaml`;
      return { file, line: m.line ?? chartFieldLine(repo.root, file, m.message), rule: 'helm-lint', message: `${m.level.toLowerCase()}: ${oneLine(m.message)}` };
    });
  const renderings: Rendering[] = [];
  for (const outcome of await Promise.all([...chartRenders, ...releaseRenders])) {
    if (!outcome) continue;
    if ('rule' in outcome) findings.push(outcome);
    else renderings.push(outcome);
  }
  return { findings, renderings };
}

/** The releases that install a chart from this repository (others come from chart registries). */
function localReleases(repo: Repository): LocalRelease[] {
  const charts = new Map(repo.charts.map((c) => [c.dir, c]));
  return repo.releases.flatMap((source) =>
    source.yaml.documents.flatMap((doc, index) => {
      const release = doc.value as HelmReleaseShape | null;
      const spec = release?.spec?.chart?.spec;
      const fromHere = spec?.sourceRef?.kind === REPOSITORY_SOURCE_REF.kind && spec.sourceRef.name === REPOSITORY_SOURCE_REF.name;
      if (release?.kind !== HELM_RELEASE_KIND || !fromHere || typeof spec.chart !== 'string') return [];
      const chart = charts.get(repositoryChartPath(spec.chart) ?? '');
      if (!chart) return [];
      const name = release.metadata?.name ?? chart.name;
      const target = release.spec?.targetNamespace;
      const environment = source.file.split('/')[1];
      return [
        {
          source,
          index,
          chart,
          environment: environment && isEnvironment(environment) ? environment : undefined,
          // Flux's defaults: the release is named `<targetNamespace>-<name>` when it targets another namespace.
          releaseName: release.spec?.releaseName ?? (target ? `${target}-${name}` : name),
          namespace: target ?? release.metadata?.namespace ?? 'default',
          values: release.spec?.values,
        },
      ];
    }),
  );
}

interface HelmReleaseShape {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: {
    releaseName?: string;
    targetNamespace?: string;
    values?: unknown;
    chart?: { spec?: { chart?: unknown; sourceRef?: { kind?: string; name?: string } } };
  };
}

function rendering(origin: string, chart: ChartSource, environment: Environment | undefined, namespace: string, text: string): Rendering {
  const manifests: RenderedManifest[] = [];
  for (const chunk of text.split(/^---\s*$/m)) {
    const source = /^# Source: [^/\n]+\/(.+)$/m.exec(chunk)?.[1];
    if (!source) continue;
    for (const doc of parseYamlFile(chunk).documents) {
      if (!doc.value || typeof doc.value !== 'object') continue;
      manifests.push({ value: doc.value as Record<string, unknown>, template: `${chart.dir}/${source}`, origin, environment, namespace });
    }
  }
  return { origin, chart, text, manifests };
}

/** Chart.yaml problems name the field (`version 'x' is not…`, `chart.metadata.version`): point at its line. */
function chartFieldLine(root: string, file: string, message: string): number {
  const field = /metadata\.(\w+)|^(\w+) '/.exec(message);
  const key = field?.[1] ?? field?.[2];
  if (!key || !file.endsWith('Chart.yaml')) return 1;
  return parseYamlFile(readFileSync(join(root, file), 'utf8')).documents[0]?.lineOf([key]) ?? 1;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
