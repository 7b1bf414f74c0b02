import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Environment } from '../config/environments.js';
import { FLUX_GIT_REPOSITORY, FLUX_NAMESPACE } from '../config/flux.js';
import { applyObjects, waitUntil } from '../k8s/client.js';
import { fluxObjectState, GIT_REPOSITORIES, KUSTOMIZATIONS, RECONCILE_REQUESTED_AT, type FluxObjectRef } from '../k8s/flux-status.js';
import { fluxSyncObjects, RELEASES_KUSTOMIZATION, type FluxSource } from '../releases/flux-sync.js';
import { OperationError } from '../ui/errors.js';
import type { StepReport } from './steps.js';

export interface FluxSyncResult {
  /** The commit Flux fetched and the Kustomization applied, as Flux reports it (`main@sha1:…`). */
  revision?: string;
  /** The GitRepository or the Kustomization was created or its spec changed (or would be, under dryRun). */
  changed: boolean;
}

/**
 * Connect the cluster to this repository: apply the GitRepository and the Kustomization, then wait
 * until Flux has fetched the branch and applied `releases/<env>/` (both Ready), so that a
 * successful configure means the loop works, not merely that two objects exist.
 */
export async function applyFluxSync(kc: KubeConfig, env: Environment, source: FluxSource, timeoutMs: number, dryRun = false): Promise<FluxSyncResult> {
  // Ask for a reconcile now (as `flux reconcile` does) and judge that one, not a status left
  // over from before: a rerun of configure after a fix must see the fix.
  const token = new Date().toISOString();
  const objects = (fluxSyncObjects(env, source) as KubernetesObject[]).map((o) => ({
    ...o,
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- the metadata of plain objects from fluxSyncObjects, only typed as the client's class
    metadata: { ...o.metadata, annotations: { ...o.metadata?.annotations, [RECONCILE_REQUESTED_AT]: token } },
  }));
  const applied = await applyObjects(kc, objects, { dryRun });
  const changed = applied.some((a) => a.changed);
  if (dryRun) return { changed };
  const gitRepository = { ...GIT_REPOSITORIES, namespace: FLUX_NAMESPACE, name: FLUX_GIT_REPOSITORY };
  const kustomization = { ...KUSTOMIZATIONS, namespace: FLUX_NAMESPACE, name: RELEASES_KUSTOMIZATION };
  await waitReady(kc, gitRepository, `GitRepository ${FLUX_NAMESPACE}/${FLUX_GIT_REPOSITORY} (${source.url})`, token, timeoutMs);
  const revision = await waitReady(kc, kustomization, `Kustomization ${FLUX_NAMESPACE}/${RELEASES_KUSTOMIZATION} (./releases/${env})`, token, timeoutMs);
  return { ...(revision ? { revision } : {}), changed };
}

async function waitReady(kc: KubeConfig, ref: FluxObjectRef, what: string, token: string, timeoutMs: number): Promise<string | undefined> {
  const state = await waitUntil(
    `${what} to become Ready`,
    async () => {
      const s = await fluxObjectState(kc, ref);
      return s.lastHandledReconcileAt === token && (s.ready || s.failed) ? s : undefined;
    },
    timeoutMs,
    250,
  );
  if (state.failed) {
    throw new OperationError(`Flux reports ${what} not ready: ${state.message ?? 'no message'}`, {
      where: `${ref.plural}.${ref.group} ${ref.namespace}/${ref.name}`,
      hint: 'fix what the message names (the URL, the branch, the releases folder) and run configure again; the controllers\' logs have the details',
    });
  }
  return state.revision;
}

/** The flux-sync step of configure: apply, wait, and say what changed and which revision Flux applied. */
export async function fluxSyncStep(kc: KubeConfig, env: Environment, source: FluxSource, timeoutMs: number, dryRun: boolean): Promise<Omit<StepReport, 'step'>> {
  const sync = await applyFluxSync(kc, env, source, timeoutMs, dryRun);
  const where = `${source.url} (${source.branch}), ./releases/${env}`;
  if (dryRun) return { result: sync.changed ? 'would apply' : 'unchanged', changed: sync.changed, detail: where };
  return { result: sync.changed ? 'applied' : 'unchanged', changed: sync.changed, detail: `${where} applied at ${sync.revision ?? 'an unknown revision'}` };
}
