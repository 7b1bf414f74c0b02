import type { KubeConfig } from '@kubernetes/client-node';
import { statusOf } from './client.js';

export interface FluxObjectRef {
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface FluxObjectState {
  exists: boolean;
  /** Ready=True for the object's current generation (Flux's own readiness, as `flux get` shows it). */
  ready: boolean;
  /** Ready=False with a reason that retrying will not fix soon (the caller may stop waiting). */
  failed: boolean;
  message?: string;
  revision?: string;
  /** The last `reconcile.fluxcd.io/requestedAt` token the controller acted on. */
  lastHandledReconcileAt?: string;
}

/** The annotation `flux reconcile` sets to make a controller reconcile now rather than at its interval. */
export const RECONCILE_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/** What Flux says of one of its objects. */
export async function fluxObjectState(kc: KubeConfig, ref: FluxObjectRef): Promise<FluxObjectState> {
  const { CustomObjectsApi } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CustomObjectsApi);
  let object: { metadata?: { generation?: number }; status?: Record<string, unknown> };
  try {
    object = (await api.getNamespacedCustomObject({ ...ref })) as typeof object;
  } catch (error) {
    if (statusOf(error) === 404) return { exists: false, ready: false, failed: false };
    throw error;
  }
  const status = object.status ?? {};
  const conditions = (status.conditions as Condition[] | undefined) ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const generation = object.metadata?.generation;
  const current = status.observedGeneration === generation;
  // A failing object keeps status.observedGeneration at -1 and dates its Ready condition instead.
  const judged = (ready as { observedGeneration?: number } | undefined)?.observedGeneration === generation;
  const artifact = status.artifact as { revision?: string } | undefined;
  const revision = artifact?.revision ?? (status.lastAppliedRevision as string | undefined) ?? (status.lastAttemptedRevision as string | undefined);
  return {
    exists: true,
    ready: current && ready?.status === 'True',
    failed: judged && ready?.status === 'False' && !/Progressing|DependencyNotReady/.test(ready.reason ?? ''),
    ...(ready?.message ? { message: ready.message } : {}),
    ...(revision ? { revision } : {}),
    ...(typeof status.lastHandledReconcileAt === 'string' ? { lastHandledReconcileAt: status.lastHandledReconcileAt } : {}),
  };
}

export const GIT_REPOSITORIES = { group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' } as const;
export const KUSTOMIZATIONS = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' } as const;
export const HELM_RELEASES = { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' } as const;
