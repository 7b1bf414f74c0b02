import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { KubeConfig, KubernetesObject, V1Node } from '@kubernetes/client-node';
import { FLUX_NAMESPACE } from '../../config/flux.js';
import { toolsDir } from '../../paths.js';
import { locate } from '../../tools/locate.js';
import { pinned } from '../../tools/versions.js';
import { waitUntil } from '../../k8s/client.js';
import { applyManifestFiles } from '../../tools/kubectl.js';
import { ToolMissingError } from '../../ui/errors.js';

/** The binaries the local cluster runs, all built into .tools/bin by `tools/install.sh e2e`. */
export const CONTROL_PLANE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'kwokctl'] as const;

/** Every e2e binary's path, or a ToolMissingError naming what is missing and how to build it. */
export function controlPlaneBinaries(env: NodeJS.ProcessEnv, also: readonly string[] = []): Record<string, string> {
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of [...CONTROL_PLANE_BINARIES, ...also]) {
    const found = locate(name, env, 'project');
    if (found) paths[name] = found.path;
    else missing.push(name);
  }
  const [firstMissing] = missing;
  if (firstMissing !== undefined) {
    throw new ToolMissingError(firstMissing, `the local cluster's toolchain is not built: ${missing.join(', ')} missing from ${join(toolsDir(env), 'bin')}`, {
      hint: 'build it once with `make tools-e2e` (tools/install.sh e2e; Kubernetes from source takes several minutes cold)',
    });
  }
  return paths;
}

/**
 * kwokctl's configuration for the local cluster: the binary runtime with our own builds (nothing
 * is downloaded), every component bound to 127.0.0.1 (kwokctl's default is 0.0.0.0), and
 * authorization on, so RBAC is enforced as in EKS.
 */
export function kwokctlConfiguration(binaries: Record<string, string>, apiServerPort: number, kubectl: string): string {
  const options = {
    runtime: 'binary',
    bindAddress: '127.0.0.1',
    kubeApiserverPort: apiServerPort,
    kubeVersion: pinned('KUBERNETES_RELEASE'),
    kwokVersion: pinned('KWOK_VERSION'),
    securePort: true,
    kubeAuthorization: true,
    etcdBinary: binaries.etcd,
    kubeApiserverBinary: binaries['kube-apiserver'],
    kubeControllerManagerBinary: binaries['kube-controller-manager'],
    kubeSchedulerBinary: binaries['kube-scheduler'],
    kwokControllerBinary: binaries.kwok,
    kubectlBinary: kubectl,
  };
  return `${JSON.stringify({ apiVersion: 'config.kwok.x-k8s.io/v1alpha1', kind: 'KwokctlConfiguration', options }, null, 2)}\n`;
}

/** Flux's CRDs, as the pinned controllers publish them (copied to .tools/crds/flux by the installer). */
export function fluxCrdFiles(env: NodeJS.ProcessEnv): string[] {
  const dir = join(toolsDir(env), 'crds', 'flux');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Install Flux's CRDs and wait until the API server serves each of them. */
export async function installFluxCrds(kc: KubeConfig, kubeconfig: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
  const files = fluxCrdFiles(env);
  await applyManifestFiles(kubeconfig, files, env);
  const names = files.map((f) => basename(f, '.yaml').replace(/^([^_]+)_(.+)$/, '$2.$1'));
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await Promise.all(
    names.map((name) =>
      waitUntil(
        `CRD ${name} to be established`,
        async () => {
          const live = await api.readCustomResourceDefinition({ name });
          return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
        },
        timeoutMs,
      ),
    ),
  );
}

export function fluxNamespace(): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } };
}

/**
 * Nodes for kwok to play: kwokctl's kwok controller manages nodes annotated `kwok.x-k8s.io/node:
 * fake`, marks them Ready and runs the pods scheduled onto them (Running, Ready), so Deployments
 * become Ready as on EKS. Labelled as EKS labels its nodes, so node selectors behave alike.
 */
export function kwokNodes(count: number): KubernetesObject[] {
  return Array.from({ length: count }, (_, index) => {
    const name = `kwok-node-${index}`;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': 'kwok',
          'eks.amazonaws.com/nodegroup': 'local',
          type: 'kwok',
        },
      },
      status: {
        allocatable: { cpu: '16', memory: '64Gi', pods: '110' },
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
      },
    } as KubernetesObject;
  });
}

/** The nodes' names once every one is Ready. */
export async function waitForNodes(kc: KubeConfig, count: number, timeoutMs: number): Promise<string[]> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(CoreV1Api);
  return waitUntil(
    `${count} kwok nodes to be Ready`,
    async () => {
      const list = await api.listNode();
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length >= count ? ready.map(nodeName).sort() : undefined;
    },
    timeoutMs,
  );
}

/** True once the API server answers /readyz with the admin credentials. */
export async function apiServerReady(kc: KubeConfig): Promise<boolean> {
  try {
    const { VersionApi } = await import('@kubernetes/client-node');
    await kc.makeApiClient(VersionApi).getCode();
    return true;
  } catch {
    return false;
  }
}

/** A listed node's name: the API server names every object it lists. */
function nodeName(node: V1Node): string {
  const name = node.metadata?.name;
  if (name === undefined) throw new Error('internal: the API server listed a node without a name');
  return name;
}
