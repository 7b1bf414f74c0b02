import type { KubeConfig, V1APIResource } from '@kubernetes/client-node';
import { isLocal, type Environment } from '../config/environments.js';
import { FLUX_NAMESPACE, HELM_RELEASE_API_VERSION, helmReleaseSchema, type HelmRelease } from '../config/flux.js';
import { clusterFiles, readClusterRecord } from '../dev/cluster/state.js';
import type { ClusterTarget } from '../configure/cluster-target.js';
import { apiMessage, loadKubeConfig } from '../k8s/client.js';
import { rawMessage, rawRequest } from '../k8s/raw-request.js';
import { mapLimit } from '../map-limit.js';
import { deployedManifest } from '../tools/helm.js';
import { OperationError, UsageError } from '../ui/errors.js';
import { objectChange, type ObjectChange, type ReleaseDiffReport, type ReleaseSummary } from './diff.js';
import { RELEASES_KUSTOMIZATION } from './flux-sync.js';
import { managerFields, mergeFieldSets, projectFields } from './managed-fields.js';
import { isRecord } from './object-diff.js';
import {
  helmReleaseName,
  helmReleaseNamespace,
  helmStorageNamespace,
  parseManifests,
  readReleases,
  releasesFolder,
  renderingGaps,
  renderReleaseObjects,
  repositoryChart,
  type ReleaseSource,
  type RenderedObject,
} from './release-objects.js';

/** The field manager helm-controller v1.6.4 applies as (its controllerName, set as Helm's kube.ManagedFieldsManager). */
export const HELM_CONTROLLER_MANAGER = 'helm-controller';

/**
 * The cluster to compare with; for development, the local cluster, said in this command's words
 * when it is not running (the shared target speaks of configuring it).
 */
export function diffTarget(env: Environment, target: () => ClusterTarget, stateDir: () => string): ClusterTarget {
  if (isLocal(env) && !readClusterRecord(clusterFiles(stateDir()))) {
    throw new UsageError('the local cluster is not running, so there is no cluster to compare releases/development/ with', {
      hint: 'start it with `biomage dev cluster up`, or compare with a revision instead: --base <ref>',
    });
  }
  return target();
}

/** Fields the API server sets on every object: never a difference a release makes. */
const SERVER_METADATA = ['resourceVersion', 'generation', 'managedFields', 'uid', 'creationTimestamp', 'selfLink'];

/**
 * `release diff` against a cluster: each HelmRelease of releases/<env>/ in the working tree is
 * rendered, and each object is applied to the cluster as helm-controller would apply it
 * (server-side apply, its field manager, forced) with `dryRun=All`, so the API server's defaults,
 * admission and merge decide the result; that result is compared with the live object over the
 * fields helm-controller owns or would own. Objects the cluster lacks are added; objects of the
 * deployed release that the working tree no longer renders are removed. Nothing is changed.
 */
export async function diffAgainstCluster(options: { root: string; env: Environment; target: ClusterTarget; processEnv?: NodeJS.ProcessEnv }): Promise<ReleaseDiffReport> {
  const { root, env, target } = options;
  const kc = await loadKubeConfig(target.kubeconfig, target.context).catch((error: unknown) => {
    throw new UsageError(`cannot read the kubeconfig ${target.kubeconfig}: ${(error as Error).message}`, { hint: kubeconfigHint(env) });
  });
  if (!kc.getCurrentCluster()) {
    throw new UsageError(`the kubeconfig ${target.kubeconfig} has no context ${target.context ?? '(current)'} with a cluster`, { hint: kubeconfigHint(env) });
  }
  const cluster = await clusterApi(kc, target.label);
  const releases = readReleases(root, releasesFolder(env), 'in the working tree');
  const labels = { from: target.label, to: 'working tree' };
  const context = { root, cluster, target, labels, processEnv: options.processEnv };
  const results = await mapLimit(releases, 2, async (source) => diffRelease(source, context));
  // HelmReleases the Kustomization applied and the working tree no longer has: pruned, so uninstalled.
  const kept = new Set(releases.map((r) => r.id));
  for (const live of await cluster.appliedHelmReleases()) {
    if (!kept.has(live.id)) results.push(await removedRelease(live, context));
  }
  return {
    env,
    from: target.label,
    to: 'working tree',
    releases: results.map((r) => r.summary),
    objects: results.flatMap((r) => r.changes),
    compared: results.reduce((sum, r) => sum + r.summary.objects, 0),
  };
}

function kubeconfigHint(env: Environment): string {
  return isLocal(env)
    ? 'restart the local cluster (`biomage dev cluster down`, then `up`), or compare with a revision: --base <ref>'
    : `write the context with \`biomage kubeconfig --env ${env}\` (KUBECONFIG names the file), or compare with a revision: --base <ref>`;
}

interface ReleaseContext {
  root: string;
  cluster: ClusterApi;
  target: ClusterTarget;
  labels: { from: string; to: string };
  processEnv?: NodeJS.ProcessEnv;
}

async function diffRelease(source: ReleaseSource, context: ReleaseContext): Promise<{ summary: ReleaseSummary; changes: ObjectChange[] }> {
  const { release } = source;
  const chart = repositoryChart(release);
  if ('reason' in chart) return { summary: { release: source.id, where: source.where, status: 'not compared', note: chart.reason, objects: 0 }, changes: [] };
  const namespace = helmReleaseNamespace(release);
  const name = helmReleaseName(release);
  const rendered = await renderReleaseObjects(source, context.root, 'in the working tree', context.processEnv);
  const objects: RenderedObject[] = [];
  for (const object of rendered) objects.push(withHelmMetadata(await context.cluster.scoped(object, namespace), name, namespace));

  const changes: ObjectChange[] = [];
  for (const object of objects) {
    const live = await context.cluster.read(object);
    if (!live) {
      const added = objectChange(source.id, undefined, object.object, object, context.labels);
      if (added) changes.push(added);
      continue;
    }
    const applied = await context.cluster.dryRunApply(object);
    const owned = mergeFieldSets(managerFields(live, HELM_CONTROLLER_MANAGER) ?? {}, managerFields(applied, HELM_CONTROLLER_MANAGER, 'Apply') ?? {});
    const change = objectChange(source.id, comparable(live, owned), comparable(applied, owned), object, context.labels);
    if (change) changes.push(change);
  }

  // What the release installed last and the working tree no longer renders: the upgrade deletes it.
  const keys = new Set(objects.map(identity));
  const helmCluster = { kubeconfig: context.target.kubeconfig, ...(context.target.context ? { context: context.target.context } : {}) };
  const manifest = await deployedManifest(name, helmStorageNamespace(release), helmCluster, context.processEnv);
  const deployed = manifest === undefined ? [] : parseManifests(manifest, namespace);
  for (const old of deployed) {
    const scoped = await context.cluster.scoped(old, namespace);
    if (keys.has(identity(scoped))) continue;
    const live = await context.cluster.read(scoped);
    if (!live) continue;
    const removed = objectChange(source.id, comparable(live, managerFields(live, HELM_CONTROLLER_MANAGER)), undefined, scoped, context.labels);
    if (removed) changes.push(removed);
  }
  const compared = objects.length + changes.filter((c) => c.change === 'removed').length;
  const status = manifest === undefined && changes.length === objects.length && objects.length > 0 ? 'added' : changes.length ? 'changed' : 'unchanged';
  const note = renderingGaps(release, 'cluster');
  return {
    summary: { release: source.id, where: source.where, status, objects: compared, ...(note ? { note } : {}) },
    changes,
  };
}

/** A HelmRelease in the cluster that the working tree removed: every object of its deployed release goes. */
async function removedRelease(live: { id: string; release: HelmRelease }, context: ReleaseContext): Promise<{ summary: ReleaseSummary; changes: ObjectChange[] }> {
  const { release } = live;
  const namespace = helmReleaseNamespace(release);
  const helmCluster = { kubeconfig: context.target.kubeconfig, ...(context.target.context ? { context: context.target.context } : {}) };
  const manifest = await deployedManifest(helmReleaseName(release), helmStorageNamespace(release), helmCluster, context.processEnv);
  const changes: ObjectChange[] = [];
  for (const old of manifest === undefined ? [] : parseManifests(manifest, namespace)) {
    const scoped = await context.cluster.scoped(old, namespace);
    const object = await context.cluster.read(scoped);
    if (!object) continue;
    const removed = objectChange(live.id, comparable(object, managerFields(object, HELM_CONTROLLER_MANAGER)), undefined, scoped, context.labels);
    if (removed) changes.push(removed);
  }
  const where = `in ${context.target.label}, no longer in ${releasesFolder(context.target.env)}/`;
  return { summary: { release: live.id, where, status: 'removed', objects: changes.length }, changes };
}

function identity(object: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${object.apiVersion.split('/').length > 1 ? object.apiVersion.split('/')[0] : ''}/${object.kind}/${object.namespace ?? ''}/${object.name}`;
}

/** Helm's ownership marks, which helm-controller sets on every object of a release (setHelmMetadata). */
function withHelmMetadata(object: RenderedObject, release: string, namespace: string): RenderedObject {
  const copy = structuredClone(object.object);
  const metadata = isRecord(copy.metadata) ? copy.metadata : {};
  metadata.labels = { ...(isRecord(metadata.labels) ? metadata.labels : {}), 'app.kubernetes.io/managed-by': 'Helm' };
  metadata.annotations = {
    ...(isRecord(metadata.annotations) ? metadata.annotations : {}),
    'meta.helm.sh/release-name': release,
    'meta.helm.sh/release-namespace': namespace,
  };
  if (object.namespace) metadata.namespace = object.namespace;
  else delete metadata.namespace;
  copy.metadata = metadata;
  return { ...object, object: copy };
}

/**
 * An object reduced to what the comparison looks at: the fields the manager owns (all of them
 * when it owns none, for an object it never applied), without what the server keeps for itself.
 */
function comparable(object: Record<string, unknown>, owned: Record<string, unknown> | undefined): Record<string, unknown> {
  const projected = owned && Object.keys(owned).length ? projectFields(object, owned) : object;
  const copy = structuredClone(isRecord(projected) ? projected : {});
  delete copy.status;
  if (isRecord(copy.metadata)) for (const key of SERVER_METADATA) delete copy.metadata[key];
  // apiVersion and kind are not in a field set, but name the object in the diff.
  return { apiVersion: object.apiVersion, kind: object.kind, ...copy };
}

interface ClusterApi {
  /** The object with its namespace as the API server scopes its kind. */
  scoped(object: RenderedObject, releaseNamespace: string): Promise<RenderedObject>;
  read(object: RenderedObject): Promise<Record<string, unknown> | undefined>;
  dryRunApply(object: RenderedObject): Promise<Record<string, unknown>>;
  /** The HelmReleases the Kustomization of releases/<env>/ applied (its labels on them); none when Flux is not installed. */
  appliedHelmReleases(): Promise<{ id: string; release: HelmRelease }[]>;
}

async function clusterApi(kc: KubeConfig, label: string): Promise<ClusterApi> {
  const { KubernetesObjectApi } = await import('@kubernetes/client-node');
  /** Discovery is protected in the client: a subclass asks it for a kind's resource (its plural, whether it is namespaced). */
  class ObjectApi extends KubernetesObjectApi {
    kindResource(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
      return this.resource(apiVersion, kind);
    }
  }
  const api = kc.makeApiClient(ObjectApi);
  const server = kc.getCurrentCluster()?.server ?? label;
  const hint = `check that ${label} answers (kubectl with the same kubeconfig and context) and that your identity may get and patch these objects`;
  const failed = (what: string, message: string, cause?: unknown) => new OperationError(`could not ${what}: ${message}`, { where: server, hint, cause });
  const describe = (object: RenderedObject) => `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
  const resources = new Map<string, V1APIResource | undefined>();
  const resourceOf = async (object: { apiVersion: string; kind: string }) => {
    const key = `${object.apiVersion}/${object.kind}`;
    if (!resources.has(key)) {
      const resource = await api.kindResource(object.apiVersion, object.kind).catch((error: unknown) => {
        throw failed(`look up the kind ${key}`, apiMessage(error), error);
      });
      resources.set(key, resource);
    }
    return resources.get(key);
  };
  const pathOf = async (object: RenderedObject) => {
    const resource = await resourceOf(object);
    if (!resource) throw failed(`find ${describe(object)}`, `the server does not serve ${object.apiVersion} ${object.kind}`);
    const group = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    const scope = resource.namespaced && object.namespace ? `/namespaces/${encodeURIComponent(object.namespace)}` : '';
    return `${group}${scope}/${resource.name}/${encodeURIComponent(object.name)}`;
  };
  const asObject = (body: unknown) => (isRecord(body) ? body : {});
  return {
    async scoped(object, releaseNamespace) {
      // A kind the server does not serve (its CRD not installed yet) counts as namespaced; reading it says more.
      const namespaced = (await resourceOf(object))?.namespaced ?? true;
      const { namespace: _namespace, ...rest } = object;
      return namespaced ? { ...rest, namespace: object.namespace ?? releaseNamespace } : rest;
    },
    async read(object) {
      const response = await rawRequest(kc, 'GET', await pathOf(object)).catch((error: unknown) => {
        throw failed(`read ${describe(object)}`, (error as Error).message, error);
      });
      if (response.status === 404) return undefined;
      if (response.status >= 300) throw failed(`read ${describe(object)}`, rawMessage(response));
      return asObject(response.body);
    },
    async appliedHelmReleases() {
      const selector = `kustomize.toolkit.fluxcd.io/name=${RELEASES_KUSTOMIZATION},kustomize.toolkit.fluxcd.io/namespace=${FLUX_NAMESPACE}`;
      const response = await rawRequest(kc, 'GET', `/apis/${HELM_RELEASE_API_VERSION}/helmreleases`, { query: { labelSelector: selector } }).catch((error: unknown) => {
        throw failed('list the HelmReleases', (error as Error).message, error);
      });
      if (response.status === 404) return [];
      if (response.status >= 300) throw failed('list the HelmReleases', rawMessage(response));
      const items = isRecord(response.body) && Array.isArray(response.body.items) ? response.body.items : [];
      return items.flatMap((item) => {
        const parsed = helmReleaseSchema.safeParse(item);
        return parsed.success ? [{ id: `${parsed.data.metadata.namespace ?? FLUX_NAMESPACE}/${parsed.data.metadata.name}`, release: parsed.data }] : [];
      });
    },
    async dryRunApply(object) {
      const query = { dryRun: 'All', fieldManager: HELM_CONTROLLER_MANAGER, force: 'true' };
      const response = await rawRequest(kc, 'PATCH', await pathOf(object), { query, body: object.object, contentType: 'application/apply-patch+yaml' }).catch(
        (error: unknown) => {
          throw failed(`dry-run apply ${describe(object)}`, (error as Error).message, error);
        },
      );
      if (response.status >= 300) throw failed(`dry-run apply ${describe(object)}`, rawMessage(response));
      return asObject(response.body);
    },
  };
}
