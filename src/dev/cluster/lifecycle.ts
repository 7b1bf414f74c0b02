import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLUX_NAMESPACE } from '../../config/flux.js';
import { apiMessage, applyObjects, loadKubeConfig, waitUntil } from '../../k8s/client.js';
import { groupAlive, killGroupsNow, logTail, respondsOk, startDaemon, stopProcessGroup, type DaemonRecord } from '../../tools/daemon.js';
import { FLUX_CONTROLLERS, startController } from '../../tools/flux-controllers.js';
import { kubectl } from '../../tools/kubectl.js';
import { createCluster, deleteCluster, type KwokctlTarget } from '../../tools/kwokctl.js';
import { locate } from '../../tools/locate.js';
import { OperationError, ToolMissingError } from '../../ui/errors.js';
import {
  apiServerReady,
  controlPlaneBinaries,
  fluxNamespace,
  installFluxCrds,
  kwokNodes,
  kwokctlConfiguration,
  waitForNodes,
} from './control-plane.js';
import { clusterFiles, LOCAL_CLUSTER_NAME, readClusterRecord, writeClusterRecord, type ClusterFiles, type ClusterRecord } from './state.js';

export interface ClusterUpOptions {
  /** The repository served to Flux: the one the command works on, unless `dev cluster up --repo` names another. */
  repo: string;
  /** Simulated nodes (default 2). */
  nodes?: number;
  timeoutMs?: number;
  /** Progress lines for the person waiting. */
  progress?: (line: string) => void;
}

export interface ClusterUpReport {
  reused: boolean;
  record: ClusterRecord;
  nodes: string[];
  /** Milliseconds from the start of `up`: the API server answering, then everything ready. */
  timings: { apiServerMs: number; readyMs: number };
}

export interface ClusterStatus {
  running: boolean;
  record?: ClusterRecord;
  /** Each of our processes, and whether its health endpoint answers. */
  components: { name: string; pid?: number; healthy: boolean }[];
}

const GIT_SERVER = 'git-server';

/**
 * Bring the local cluster up, or keep the one that is up: the control plane through kwokctl, the
 * Flux CRDs, simulated nodes, the git server and the three Flux controllers. Anything that fails
 * midway is torn down again, so a failed `up` leaves no process behind.
 */
export async function clusterUp(stateDir: string, processEnv: NodeJS.ProcessEnv, options: ClusterUpOptions): Promise<ClusterUpReport> {
  const started = Date.now();
  const files = clusterFiles(stateDir);
  const progress = options.progress ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const nodeCount = options.nodes ?? 2;

  const existing = readClusterRecord(files);
  if (existing) {
    const status = await clusterStatus(stateDir);
    if (status.running && resolve(existing.repo) === resolve(options.repo)) {
      const kc = await loadKubeConfig(existing.kubeconfig);
      const nodes = await waitForNodes(kc, nodeCount, timeoutMs);
      return { reused: true, record: existing, nodes, timings: { apiServerMs: 0, readyMs: Date.now() - started } };
    }
    progress(status.running ? `serving another repository (${existing.repo}): restarting` : 'found a stale local cluster: cleaning it up');
    await clusterDown(stateDir, processEnv);
  }

  const binaries = controlPlaneBinaries(processEnv, FLUX_CONTROLLERS);
  const kubectlPath = locate(kubectl.name, processEnv)?.path;
  if (!kubectlPath) throw new ToolMissingError(kubectl.name, 'kubectl is not installed', { hint: `install it with: ${kubectl.install}` });
  if (!existsSync(join(options.repo, '.git')) && !existsSync(join(options.repo, 'HEAD'))) {
    throw new OperationError(`${options.repo} is not a git repository, so Flux would have nothing to clone`, {
      hint: 'pass --repo a clone of this repository',
    });
  }

  rmSync(files.dir, { recursive: true, force: true });
  mkdirSync(files.logs, { recursive: true });
  mkdirSync(files.storage, { recursive: true });
  const ports = await freePorts(2 + FLUX_CONTROLLERS.length * 2);
  const portAt = (i: number): number => {
    const port = ports[i];
    if (port === undefined) throw new Error(`internal: freePorts gave ${ports.length} ports, not the ${i + 1} asked for`);
    return port;
  };
  const [apiPort, storagePort] = [portAt(0), portAt(1)];
  const target: KwokctlTarget = { name: LOCAL_CLUSTER_NAME, workdir: files.kwokWorkdir, env: processEnv };
  writeFileSync(files.kwokConfig, kwokctlConfiguration(binaries, apiPort, kubectlPath));

  const daemons: DaemonRecord[] = [];
  // Should we be interrupted (Ctrl-C) or crash while starting, nothing we started may stay behind.
  const onExit = () => killGroupsNow(daemons.map((d) => d.pid));
  process.once('exit', onExit);
  try {
    progress('starting etcd, kube-apiserver, controller-manager, scheduler and kwok (kwokctl, binary runtime)');
    await createCluster(target, files.kwokConfig, files.kubeconfig, timeoutMs);
    const kc = await loadKubeConfig(files.kubeconfig);
    await waitUntil('the API server to answer', async () => ((await apiServerReady(kc)) ? true : undefined), timeoutMs);
    const apiServerMs = Date.now() - started;
    progress(`API server ready at ${kc.getCurrentCluster()?.server} after ${(apiServerMs / 1000).toFixed(1)} s`);

    // The git server needs nothing from the cluster: start it while the CRDs go in.
    const name = `${basename(resolve(options.repo))}.git`;
    const gitServer = startGitServer(files, options.repo, name, processEnv);
    daemons.push(gitServer);
    await applyObjects(kc, [fluxNamespace(), ...kwokNodes(nodeCount)]);
    await installFluxCrds(kc, files.kubeconfig, processEnv, timeoutMs);

    const health: Record<string, string> = {};
    FLUX_CONTROLLERS.forEach((controller, index) => {
      const controllerPorts = { metrics: portAt(2 + index * 2), health: portAt(3 + index * 2) };
      health[controller] = `http://127.0.0.1:${controllerPorts.health}/readyz`;
      daemons.push(
        startController({
          controller,
          kubeconfig: files.kubeconfig,
          namespace: FLUX_NAMESPACE,
          ports: controllerPorts,
          logFile: join(files.logs, `${controller}.log`),
          env: processEnv,
          ...(controller === 'source-controller' ? { storage: { path: files.storage, port: storagePort } } : {}),
        }),
      );
    });
    progress(`started ${FLUX_CONTROLLERS.join(', ')} and the git server`);

    const gitPort = await waitUntil('the git server to listen', () => {
      assertRunning(gitServer);
      return Promise.resolve(readGitPort(files));
    }, timeoutMs, 50);
    health[GIT_SERVER] = `http://127.0.0.1:${gitPort}/${name}/info/refs?service=git-upload-pack`;
    const record: ClusterRecord = {
      name: LOCAL_CLUSTER_NAME,
      kubeconfig: files.kubeconfig,
      server: kc.getCurrentCluster()?.server ?? '',
      repo: resolve(options.repo),
      gitUrl: `http://127.0.0.1:${gitPort}/${name}`,
      artifactUrl: `http://127.0.0.1:${storagePort}`,
      daemons,
      health,
      startedAt: new Date().toISOString(),
    };
    writeClusterRecord(files, record);

    const [nodes] = await Promise.all([waitForNodes(kc, nodeCount, timeoutMs), ...daemons.map((d) => waitHealthy(d, healthUrl(health, d.name), timeoutMs))]);
    return { reused: false, record, nodes, timings: { apiServerMs, readyMs: Date.now() - started } };
  } catch (error) {
    progress('start-up failed: stopping what was started');
    await stopAll(target, files, daemons);
    throw error instanceof OperationError
      ? error
      : new OperationError(`the local cluster did not start: ${apiMessage(error)}`, { where: files.logs, cause: error });
  } finally {
    process.off('exit', onExit);
  }
}

/** Stop everything `up` started and remove .biomage/cluster. Safe when nothing runs. */
export async function clusterDown(stateDir: string, processEnv: NodeJS.ProcessEnv): Promise<{ stopped: string[] }> {
  const files = clusterFiles(stateDir);
  const record = readClusterRecord(files);
  const target: KwokctlTarget = { name: LOCAL_CLUSTER_NAME, workdir: files.kwokWorkdir, env: processEnv };
  const stopped = await stopAll(target, files, record?.daemons ?? []);
  return { stopped };
}

export async function clusterStatus(stateDir: string): Promise<ClusterStatus> {
  const files = clusterFiles(stateDir);
  const record = readClusterRecord(files);
  if (!record) return { running: false, components: [] };
  const kc = await loadKubeConfig(record.kubeconfig).catch(() => undefined);
  const api = { name: 'kube-apiserver', healthy: kc ? await apiServerReady(kc) : false };
  const components = await Promise.all(
    record.daemons.map(async (d) => {
      const url = record.health[d.name];
      return { name: d.name, pid: d.pid, healthy: groupAlive(d.pid) && url !== undefined && (await respondsOk(url)) };
    }),
  );
  const all = [api, ...components];
  return { running: all.every((c) => c.healthy), record, components: all };
}

/** Our daemons first (they talk to the API server), then the control plane, then the files. */
async function stopAll(target: KwokctlTarget, files: ClusterFiles, daemons: DaemonRecord[]): Promise<string[]> {
  const stopped: string[] = [];
  await Promise.all(
    daemons.map(async (d) => {
      if (groupAlive(d.pid)) stopped.push(d.name);
      await stopProcessGroup(d.pid);
    }),
  );
  if (existsSync(files.kwokWorkdir)) {
    // kwokctl stops its processes; its pid files stop whatever a failed delete left.
    await deleteCluster(target, files.kubeconfig).catch(() => undefined);
    await killKwokProcesses(files);
    stopped.push('control plane');
  }
  rmSync(files.dir, { recursive: true, force: true });
  return stopped.sort();
}

/**
 * The control plane's processes by kwokctl's own pid files: the fallback when `kwokctl delete`
 * failed (a broken work dir), so that `down` still stops every process.
 */
async function killKwokProcesses(files: ClusterFiles): Promise<void> {
  const pidsDir = join(files.kwokWorkdir, 'clusters', LOCAL_CLUSTER_NAME, 'pids');
  if (!existsSync(pidsDir)) return;
  await Promise.all(
    readdirSync(pidsDir).map(async (file) => {
      const pid = Number.parseInt(readFileSync(join(pidsDir, file), 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0) await stopProcessGroup(pid);
    }),
  );
}

/** The git server is this package's own script, run by the node that runs us. */
function startGitServer(files: ClusterFiles, repo: string, name: string, env: NodeJS.ProcessEnv): DaemonRecord {
  const script = fileURLToPath(new URL('./git-http-server.js', import.meta.url));
  return startDaemon({
    name: GIT_SERVER,
    path: process.execPath,
    args: [script, '--repo', resolve(repo), '--name', name, '--port', '0', '--ready-file', files.gitReadyFile],
    env,
    logFile: join(files.logs, `${GIT_SERVER}.log`),
  });
}

/** Resolve once the daemon's health endpoint answers; fail at once, with its log, if it exited. */
async function waitHealthy(daemon: DaemonRecord, url: string, timeoutMs: number): Promise<void> {
  await waitUntil(
    `${daemon.name} to report ready (${url}; log in ${daemon.logFile})`,
    async () => {
      assertRunning(daemon);
      return (await respondsOk(url)) ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

/** A daemon that exited during start-up will not come back: say so with the end of its log. */
function assertRunning(daemon: DaemonRecord): void {
  if (groupAlive(daemon.pid)) return;
  const tail = logTail(daemon.logFile, 5);
  throw new OperationError(`${daemon.name} exited during start-up`, {
    where: daemon.logFile,
    hint: tail ? `its log ends with:\n  ${tail}` : 'it wrote nothing to its log; run it by hand to see why',
  });
}

/** The port the git server writes to its ready file once it listens. */
/** The health URL of a daemon we started: every one gets its URL before it is waited for. */
function healthUrl(health: Record<string, string>, name: string): string {
  const url = health[name];
  if (url === undefined) throw new Error(`internal: no health URL for ${name}`);
  return url;
}

function readGitPort(files: ClusterFiles): number | undefined {
  return existsSync(files.gitReadyFile) ? (JSON.parse(readFileSync(files.gitReadyFile, 'utf8')) as { port: number }).port : undefined;
}

/** Free TCP ports on 127.0.0.1, all held open until every one is chosen, so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolvePort, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolvePort(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}
