import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { FLUX_GIT_REPOSITORY, FLUX_NAMESPACE, helmReleaseSchema, HELM_RELEASE_KIND, repositoryChartPath, type HelmRelease } from '../config/flux.js';
import { renderChart } from '../tools/helm.js';
import { schemaProblems } from '../config/schema-problems.js';
import { InputError } from '../ui/errors.js';
import { parseYamlFile } from '../yaml/source.js';
import { isRecord } from './object-diff.js';

// Where it is defined (a module of its own, light enough for base-diff.ts to load first).
export { releasesFolder } from './releases-folder.js';

/** One object a release installs, named as the API server names it. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  /** Unset for cluster-scoped kinds. */
  namespace?: string;
  name: string;
  object: Record<string, unknown>;
}

/** A HelmRelease of one revision of releases/<env>/, with where it was read. */
export interface ReleaseSource {
  /** `flux-system/ui`: the HelmRelease's own namespace and name. */
  id: string;
  /** releases/<env>/ui.yaml:1, for messages. */
  where: string;
  release: HelmRelease;
}

/** How helm-controller v1.6.4 names a release (GetReleaseName, then ShortenName past Helm's 53 characters). */
export function helmReleaseName(release: HelmRelease): string {
  const target = release.spec.targetNamespace;
  const name = release.spec.releaseName ?? (target ? `${target}-${release.metadata.name}` : release.metadata.name);
  if (name.length <= 53) return name;
  return `${name.slice(0, 40)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/** The namespace the release's objects go to (GetReleaseNamespace). */
export function helmReleaseNamespace(release: HelmRelease): string {
  return release.spec.targetNamespace ?? release.metadata.namespace ?? FLUX_NAMESPACE;
}

/** Where helm-controller keeps the release's history (GetStorageNamespace). */
export function helmStorageNamespace(release: HelmRelease): string {
  const storage = (release.spec as { storageNamespace?: unknown }).storageNamespace;
  return typeof storage === 'string' && storage ? storage : (release.metadata.namespace ?? FLUX_NAMESPACE);
}

/**
 * The HelmReleases of one folder of releases (every `*.yaml`/`*.yml`, every document of kind
 * HelmRelease). `root` is the tree read (the working tree, or a revision exported to a temporary
 * folder); `label` names that tree in messages. A release Flux would reject is bad input.
 */
export function readReleases(root: string, folder: string, label: string): ReleaseSource[] {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return releaseFiles(readdirSync(dir).map((file) => `${folder}/${file}`)).flatMap((relative) => parseReleases(relative, readFileSync(join(root, relative), 'utf8'), label));
}

/** The files of a folder of releases that Flux's Kustomization reads as HelmReleases: `*.yaml`/`*.yml`, in order. */
export function releaseFiles(paths: string[]): string[] {
  return paths.filter((f) => /\.ya?ml$/.test(f)).sort();
}

/** The HelmReleases of one file (`relative` from the root of the tree `label` names). */
export function parseReleases(relative: string, text: string, label: string): ReleaseSource[] {
  const releases: ReleaseSource[] = [];
  const parsed = parseYamlFile(text);
  for (const doc of parsed.documents) {
    if (!isRecord(doc.value) || doc.value.kind !== HELM_RELEASE_KIND) continue;
    const result = helmReleaseSchema.safeParse(doc.value);
    if (!result.success) {
      const [problem] = schemaProblems(result.error, doc.value, doc.lineOf);
      const line = problem?.line ?? 1;
      throw new InputError(`${label}: ${relative}:${line} is not a valid HelmRelease: ${problem?.message ?? 'it does not match the schema'}`, {
        where: `${relative}:${line}`,
        hint: 'run `biomage check` on that revision; nothing was compared',
      });
    }
    const release = result.data;
    releases.push({ id: `${release.metadata.namespace ?? FLUX_NAMESPACE}/${release.metadata.name}`, where: `${relative}:${doc.lineOf(['metadata', 'name'])}`, release });
  }
  return releases;
}

/**
 * The chart folder of a release whose chart comes from this repository's GitRepository; a
 * reason when it cannot be rendered from a checkout (a chart repository's chart).
 */
export function repositoryChart(release: HelmRelease): { chartDir: string } | { reason: string } {
  const spec = release.spec.chart.spec;
  const ref = spec.sourceRef;
  if (ref.kind !== 'GitRepository' || ref.name !== FLUX_GIT_REPOSITORY || (ref.namespace ?? release.metadata.namespace) !== FLUX_NAMESPACE) {
    return { reason: `its chart comes from ${ref.kind} ${ref.namespace ?? release.metadata.namespace ?? ''}/${ref.name}, not from this repository` };
  }
  const chartDir = repositoryChartPath(spec.chart);
  return chartDir ? { chartDir } : { reason: `spec.chart.spec.chart ${spec.chart} is outside the repository` };
}

/**
 * The values helm-controller installs with, as far as a checkout holds them: the chart's
 * `valuesFiles` (merged in order) then `spec.values` on top. `valuesFrom` (ConfigMaps and
 * Secrets of the cluster) cannot be read from a checkout; the caller says so.
 */
export function releaseValues(release: HelmRelease, root: string): Record<string, unknown> {
  const files = (release.spec.chart.spec as { valuesFiles?: unknown }).valuesFiles;
  let values: Record<string, unknown> = {};
  for (const file of Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : []) {
    const path = join(root, repositoryChartPath(file) ?? file);
    if (!existsSync(path)) throw new InputError(`spec.chart.spec.valuesFiles names ${file}, which does not exist (HelmRelease ${release.metadata.name})`);
    const [doc] = parseAllDocuments(readFileSync(path, 'utf8'));
    const parsed: unknown = doc?.toJS();
    if (isRecord(parsed)) values = mergeValues(values, parsed);
  }
  return mergeValues(values, release.spec.values ?? {});
}

/** Helm's value merge: maps merge key by key, anything else is replaced. */
function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const old = merged[key];
    merged[key] = isRecord(old) && isRecord(value) ? mergeValues(old, value) : value;
  }
  return merged;
}

/**
 * Kinds that live outside namespaces. Helm leaves an object's namespace unset unless the chart
 * sets it, and the API server then puts namespaced ones in the release namespace; offline that
 * needs this list (live, discovery answers instead).
 */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

/** Render one release's chart with its values as helm-controller would install it (no hooks: they are not part of the release's objects). */
export async function renderReleaseObjects(
  source: ReleaseSource,
  root: string,
  label: string,
  env?: NodeJS.ProcessEnv,
): Promise<RenderedObject[]> {
  const { release } = source;
  const chart = repositoryChart(release);
  if ('reason' in chart) throw new Error(`internal: renderReleaseObjects called for a release that cannot be rendered (${chart.reason})`);
  if (!existsSync(join(root, chart.chartDir, 'Chart.yaml'))) {
    throw new InputError(`${label}: HelmRelease ${source.id} (${source.where}) installs ${chart.chartDir}, which has no Chart.yaml there`, {
      where: source.where,
      hint: 'a release and the chart it installs must exist at the same revision',
    });
  }
  const namespace = helmReleaseNamespace(release);
  const rendered = await renderChart({
    chartDir: chart.chartDir,
    releaseName: helmReleaseName(release),
    namespace,
    values: JSON.stringify(releaseValues(release, root)),
    cwd: root,
    env,
    skipHooks: true,
  });
  if (!rendered.ok) {
    throw new InputError(`${label}: HelmRelease ${source.id} (${source.where}) does not render: ${rendered.message.replace(/\s*\n\s*/g, ' ')}`, {
      where: source.where,
      hint: 'run `biomage check` on that revision for the exact line',
    });
  }
  return parseManifests(rendered.manifests, namespace).map((object) => ({ ...object, object: withBuiltInPostRenderers(object.object, release) }));
}

/**
 * helm-controller's own post-renderers, applied to every object (BuildPostRenderers): the
 * release's `commonMetadata` labels and annotations, then the origin labels naming the
 * HelmRelease, which win over a common label of the same key. Kustomize `postRenderers` are not
 * reproduced; `renderingGaps` says so.
 */
function withBuiltInPostRenderers(object: Record<string, unknown>, release: HelmRelease): Record<string, unknown> {
  const common = (release.spec as { commonMetadata?: unknown }).commonMetadata;
  const strings = (value: unknown) => (isRecord(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {});
  const metadata = isRecord(object.metadata) ? { ...object.metadata } : {};
  const labels = { ...strings(metadata.labels), ...strings(isRecord(common) ? common.labels : undefined), ...originLabels(release) };
  const annotations = { ...strings(metadata.annotations), ...strings(isRecord(common) ? common.annotations : undefined) };
  metadata.labels = labels;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  return { ...object, metadata };
}

function originLabels(release: HelmRelease): Record<string, string> {
  return {
    'helm.toolkit.fluxcd.io/name': release.metadata.name,
    'helm.toolkit.fluxcd.io/namespace': release.metadata.namespace ?? FLUX_NAMESPACE,
  };
}

/** What a diff of this release cannot include, in words; undefined when it includes everything. */
export function renderingGaps(release: HelmRelease, where: 'checkout' | 'cluster'): string | undefined {
  const spec = release.spec as { valuesFrom?: unknown; postRenderers?: unknown };
  const gaps: string[] = [];
  if (Array.isArray(spec.valuesFrom) && spec.valuesFrom.length) gaps.push(`its valuesFrom (ConfigMaps and Secrets ${where === 'checkout' ? 'of the cluster, not in a checkout' : 'are not read'})`);
  if (Array.isArray(spec.postRenderers) && spec.postRenderers.length) gaps.push('its kustomize postRenderers');
  return gaps.length ? `compared without ${gaps.join(' and ')}` : undefined;
}

/** Objects of a `helm template` stream, each with its namespace as the API server would give it. */
export function parseManifests(manifests: string, releaseNamespace: string, namespaced?: (apiVersion: string, kind: string) => boolean): RenderedObject[] {
  const objects: RenderedObject[] = [];
  for (const doc of parseAllDocuments(manifests)) {
    const value: unknown = doc.toJS();
    if (!isRecord(value)) continue;
    const { apiVersion, kind } = value;
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof metadata.name !== 'string') continue;
    const scoped = namespaced ? namespaced(apiVersion, kind) : !CLUSTER_SCOPED.has(kind);
    const namespace = scoped ? (typeof metadata.namespace === 'string' ? metadata.namespace : releaseNamespace) : undefined;
    objects.push({ apiVersion, kind, name: metadata.name, ...(namespace ? { namespace } : {}), object: value });
  }
  return objects;
}

/** `Deployment ui/ui-nodejs`: how the diff names an object. */
export function objectLabel(object: { kind: string; namespace?: string; name: string }): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}
