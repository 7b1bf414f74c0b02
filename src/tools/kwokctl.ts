import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/**
 * kwokctl: runs the local control plane of `biomage dev cluster` (etcd, kube-apiserver,
 * controller-manager, scheduler and the kwok controller that plays the nodes) as local processes.
 * Built from source with the e2e toolchain.
 */
export const kwokctl: ToolSpec = {
  name: 'kwokctl',
  install: 'tools/install.sh e2e',
  purpose: 'local Kubernetes control plane (dev cluster, e2e tests)',
  pin: { key: 'KWOK_VERSION', kind: 'exact' },
  required: false,
  scope: 'project',
  async version(env) {
    // `kwokctl --version` prints "kwokctl version v0.8.0 go1.26 (linux/amd64)".
    return firstLine((await runToolOk(kwokctl, ['--version'], { env })).stdout)?.split(/\s+/)[2];
  },
};

export interface KwokctlTarget {
  /** kwokctl's cluster name. */
  name: string;
  /** KWOK_WORKDIR: where kwokctl keeps the cluster's certificates, etcd data, pid files and logs. */
  workdir: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Create and start the cluster described by a KwokctlConfiguration file, and wait until its API
 * server is ready. The admin context is merged into `kubeconfig` (a file of our own, never ~/.kube/config).
 */
export async function createCluster(target: KwokctlTarget, configFile: string, kubeconfig: string, timeoutMs: number): Promise<void> {
  await runToolOk(
    kwokctl,
    // --config replaces kwokctl's default (~/.kwok/kwok.yaml), so nothing of the user's setup leaks in.
    ['--config', configFile, '--name', target.name, 'create', 'cluster', '--kubeconfig', kubeconfig, '--wait', `${Math.ceil(timeoutMs / 1000)}s`],
    { env: withWorkdir(target), timeoutMs: timeoutMs + 30_000 },
  );
}

/** Stop every component kwokctl started for the cluster and remove its work files. */
export async function deleteCluster(target: KwokctlTarget, kubeconfig: string): Promise<void> {
  await runToolOk(kwokctl, ['--name', target.name, 'delete', 'cluster', '--kubeconfig', kubeconfig], { env: withWorkdir(target), timeoutMs: 60_000 });
}

function withWorkdir(target: KwokctlTarget): NodeJS.ProcessEnv {
  return { ...target.env, KWOK_WORKDIR: target.workdir };
}
