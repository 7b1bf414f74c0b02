import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError } from '../ui/errors.js';

/** The field manager our server-side applies are recorded under (`kubectl get -o yaml --show-managed-fields`). */
export const FIELD_MANAGER = 'biomage';

/** A kubeconfig file, at one context (its current one by default). The client library loads lazily. */
export async function loadKubeConfig(file: string, context?: string): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** The HTTP status of a failed client call, when the API server answered. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** What the API server said, for an error message: its Status message rather than the whole response. */
export function apiMessage(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      // not JSON: fall through
    }
  }
  return (error as Error).message;
}

export function describe(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${namespace}${object.metadata?.name}`;
}

/** What an apply did to one object. */
export interface Applied {
  object: string;
  /** Created, or its spec changed (a new generation); metadata-only changes do not count. */
  changed: boolean;
}

/**
 * Server-side apply, as `kubectl apply --server-side --force-conflicts --field-manager biomage`:
 * the server merges, and creates what does not exist, so applying twice changes nothing. With
 * `dryRun` the server computes the result without storing it, so the report says what would change.
 */
export async function applyObjects(kc: KubeConfig, objects: KubernetesObject[], options: { dryRun?: boolean } = {}): Promise<Applied[]> {
  const { KubernetesObjectApi, PatchStrategy } = await import('@kubernetes/client-node');
  const api = KubernetesObjectApi.makeApiClient(kc);
  const applied: Applied[] = [];
  for (const object of objects) {
    try {
      const before = await api.read(object as Parameters<typeof api.read>[0]).catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined;
        throw error;
      });
      const after = await api.patch(object, undefined, options.dryRun ? 'All' : undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      const generation = (o: KubernetesObject | undefined) => o?.metadata?.generation ?? o?.metadata?.resourceVersion;
      applied.push({ object: describe(object), changed: !before || generation(before) !== generation(after) });
    } catch (error) {
      throw new OperationError(`could not apply ${describe(object)}: ${apiMessage(error)}`, {
        where: kc.getCurrentCluster()?.server,
        hint: 'check that the API server answers and that the object is valid for it',
        cause: error,
      });
    }
  }
  return applied;
}

/** Poll until `probe` returns a value, or fail with `what` at the deadline; other errors are retried. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      // An OperationError is the probe's verdict (a process died, a definite failure): no retry.
      if (error instanceof OperationError) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new OperationError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`, {
        ...(lastError ? { hint: `last error: ${apiMessage(lastError)}` } : {}),
      });
    }
    await sleep(intervalMs);
  }
}
