import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../../atomic-file.js';

/** kwokctl's name for the local cluster (its processes and work files are keyed by it). */
export const LOCAL_CLUSTER_NAME = 'biomage-development';

/** Where the local cluster keeps everything: all under .biomage/cluster/, removed by `down`. */
export interface ClusterFiles {
  dir: string;
  record: string;
  kubeconfig: string;
  kwokConfig: string;
  /** KWOK_WORKDIR: certificates, etcd data and kwokctl's own pid files and logs. */
  kwokWorkdir: string;
  logs: string;
  /** source-controller's artifact storage. */
  storage: string;
  gitReadyFile: string;
}

/** The local cluster's files in the repository's state folder (`ctx.stateDir`: .biomage/, or BIOMAGE_STATE_DIR). */
export function clusterFiles(stateDir: string): ClusterFiles {
  const dir = join(stateDir, 'cluster');
  return {
    dir,
    record: join(dir, 'cluster.json'),
    kubeconfig: join(dir, 'kubeconfig'),
    kwokConfig: join(dir, 'kwokctl.yaml'),
    kwokWorkdir: join(dir, 'kwok'),
    logs: join(dir, 'logs'),
    storage: join(dir, 'storage'),
    gitReadyFile: join(dir, 'git-server.ready'),
  };
}

const daemonSchema = z.object({ name: z.string(), pid: z.number().int().positive(), logFile: z.string() });

/** What `up` started, so that `status` can check it and `down` can stop it from any shell. */
export const clusterRecordSchema = z.object({
  name: z.string(),
  kubeconfig: z.string(),
  server: z.string(),
  /** The repository the git server serves, and the URL a GitRepository clones it from. */
  repo: z.string(),
  gitUrl: z.string(),
  /** source-controller's artifact server. */
  artifactUrl: z.string(),
  /** Our own processes: the Flux controllers and the git server. kwokctl tracks the control plane's. */
  daemons: z.array(daemonSchema),
  health: z.record(z.string(), z.string()),
  startedAt: z.string(),
});

export type ClusterRecord = z.infer<typeof clusterRecordSchema>;

/** The record, or undefined when there is none or it cannot be read (a crash mid-write, an old format). */
export function readClusterRecord(files: ClusterFiles): ClusterRecord | undefined {
  if (!existsSync(files.record)) return undefined;
  try {
    const parsed = clusterRecordSchema.safeParse(JSON.parse(readFileSync(files.record, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeClusterRecord(files: ClusterFiles, record: ClusterRecord): void {
  writeFileAtomically(files.record, `${JSON.stringify(record, null, 2)}\n`);
}
