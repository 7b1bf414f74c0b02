import type { KubeConfig } from '@kubernetes/client-node';
import { FLUX_NAMESPACE } from '../config/flux.js';
import { statusOf, waitUntil } from '../k8s/client.js';
import { FLUX_CONTROLLERS } from '../tools/flux-controllers.js';
import { fluxInstall } from '../tools/flux.js';
import { pinned } from '../tools/versions.js';
import type { ClusterTarget } from './cluster-target.js';
import type { StepReport } from './steps.js';

/** The CRDs a cluster must serve for the releases to apply. */
const FLUX_CRDS = ['gitrepositories.source.toolkit.fluxcd.io', 'kustomizations.kustomize.toolkit.fluxcd.io', 'helmreleases.helm.toolkit.fluxcd.io'];

/**
 * Flux on an EKS cluster: present when its CRDs are served and its three controllers' Deployments
 * are available; otherwise installed with the pinned flux CLI, then waited for. A cluster with
 * Flux at another version is reported, not changed (an upgrade is a decision, not a side effect).
 */
export async function fluxStep(kc: KubeConfig, target: ClusterTarget, timeoutMs: number, dryRun: boolean, env: NodeJS.ProcessEnv): Promise<Omit<StepReport, 'step'>> {
  const version = pinned('FLUX_VERSION');
  const found = await fluxPresence(kc);
  if (found.ready) {
    const drift = found.version && found.version !== version ? `; runs ${found.version}, pinned ${version}: upgrade it deliberately (flux install --version=${version})` : '';
    return { result: 'present', changed: false, detail: `${FLUX_CONTROLLERS.join(', ')} available${drift}` };
  }
  const missing = [...found.missingCrds, ...found.unavailable].join(', ');
  if (dryRun) return { result: 'would install', changed: true, detail: `flux install ${version} (missing: ${missing})` };
  await fluxInstall({ kubeconfig: target.kubeconfig, ...(target.context ? { context: target.context } : {}), version, timeoutSeconds: Math.ceil(timeoutMs / 1000), env });
  await waitUntil('the Flux controllers to become available', async () => ((await fluxPresence(kc)).ready ? true : undefined), timeoutMs, 1000);
  return { result: 'installed', changed: true, detail: `flux ${version}: ${FLUX_CONTROLLERS.join(', ')}` };
}

async function fluxPresence(kc: KubeConfig): Promise<{ ready: boolean; missingCrds: string[]; unavailable: string[]; version?: string }> {
  const { ApiextensionsV1Api, AppsV1Api } = await import('@kubernetes/client-node');
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const orAbsent = <T>(promise: Promise<T>) =>
    promise.catch((error: unknown) => {
      if (statusOf(error) === 404) return undefined;
      throw error;
    });
  const missingCrds = (await Promise.all(FLUX_CRDS.map(async (name) => ((await orAbsent(crds.readCustomResourceDefinition({ name }))) ? [] : [name])))).flat();
  let version: string | undefined;
  const unavailable = (
    await Promise.all(
      FLUX_CONTROLLERS.map(async (name) => {
        const deployment = await orAbsent(apps.readNamespacedDeployment({ namespace: FLUX_NAMESPACE, name }));
        version ??= deployment?.metadata?.labels?.['app.kubernetes.io/version'];
        const available = deployment?.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
        return available ? [] : [`deployment ${FLUX_NAMESPACE}/${name}`];
      }),
    )
  ).flat();
  return { ready: !missingCrds.length && !unavailable.length, missingCrds, unavailable, ...(version ? { version } : {}) };
}
