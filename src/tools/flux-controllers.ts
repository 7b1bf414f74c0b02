import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolsDir } from '../paths.js';
import { ToolMissingError } from '../ui/errors.js';
import { startDaemon, type DaemonRecord } from './daemon.js';
import { locate } from './locate.js';
import type { ToolSpec } from './spec.js';

/**
 * Flux's source-, kustomize- and helm-controller, built from their modules with the e2e toolchain
 * and run as local processes against the local control plane (`biomage dev cluster`). In a real
 * cluster they run as Deployments installed by `flux install`; here they are the same binaries.
 */
export type FluxController = 'source-controller' | 'kustomize-controller' | 'helm-controller';

export const FLUX_CONTROLLERS: readonly FluxController[] = ['source-controller', 'kustomize-controller', 'helm-controller'];

/**
 * For `biomage doctor`. The controllers print no version: the installer's stamp, written after
 * a good build (`source-controller=v1.9.5 kustomize-controller=… …`), says which were built.
 */
export const fluxControllers: ToolSpec = {
  name: 'source-controller',
  label: 'flux controllers',
  install: 'tools/install.sh e2e',
  purpose: 'GitOps in the local cluster (dev cluster, e2e tests)',
  pin: { key: 'SOURCE_CONTROLLER_VERSION', kind: 'exact' },
  required: false,
  scope: 'project',
  version(env) {
    const stamp = join(toolsDir(env), 'bin', '.flux-controllers.installed-from');
    // In a promise's callback, so that an unreadable stamp rejects rather than throws.
    return Promise.resolve().then(() => (existsSync(stamp) ? /source-controller=(\S+)/.exec(readFileSync(stamp, 'utf8'))?.[1] : undefined));
  },
};

export interface ControllerPorts {
  metrics: number;
  health: number;
}

export interface ControllerLaunch {
  controller: FluxController;
  kubeconfig: string;
  /** The namespace Flux runs in (leader election, events). */
  namespace: string;
  ports: ControllerPorts;
  logFile: string;
  env: NodeJS.ProcessEnv;
  /** source-controller only: where artifacts are stored, and the port they are served on. */
  storage?: { path: string; port: number };
}

/** Start one controller as a daemon bound to 127.0.0.1 only. */
export function startController(launch: ControllerLaunch): DaemonRecord {
  const found = locate(launch.controller, launch.env, 'project');
  if (!found) {
    throw new ToolMissingError(launch.controller, `${launch.controller} is not built (looked in .tools/bin)`, {
      hint: `build the local cluster's toolchain with: ${fluxControllers.install}`,
    });
  }
  const args = [
    `--metrics-addr=127.0.0.1:${launch.ports.metrics}`,
    `--health-addr=127.0.0.1:${launch.ports.health}`,
    // One replica of each: there is nobody to elect against, and the lease would only slow start-up.
    '--enable-leader-election=false',
    '--watch-all-namespaces=true',
    '--log-encoding=json',
  ];
  if (launch.storage) {
    args.push(
      `--storage-path=${launch.storage.path}`,
      `--storage-addr=127.0.0.1:${launch.storage.port}`,
      // The address written into artifact URLs, which kustomize- and helm-controller download from.
      `--storage-adv-addr=127.0.0.1:${launch.storage.port}`,
    );
  }
  return startDaemon({
    name: launch.controller,
    path: found.path,
    args,
    env: { ...launch.env, KUBECONFIG: launch.kubeconfig, RUNTIME_NAMESPACE: launch.namespace },
    logFile: launch.logFile,
  });
}
