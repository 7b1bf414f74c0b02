import { isLocal, type Environment } from '../config/environments.js';
import { kubeconfigPath } from '../cluster/kubeconfig.js';
import { clusterFiles, readClusterRecord, type ClusterRecord } from '../dev/cluster/state.js';
import { UsageError } from '../ui/errors.js';

/** Which cluster a command configures, and how to reach it. */
export interface ClusterTarget {
  env: Environment;
  /** How people call it in messages. */
  label: string;
  kubeconfig: string;
  /** Unset: the file's current context (the local cluster's own kubeconfig). */
  context?: string;
  /** development: the local cluster as `biomage dev cluster up` recorded it. */
  local?: ClusterRecord;
}

/**
 * development is the local cluster (`biomage dev cluster up`, its own kubeconfig, recorded in the
 * repository's state folder, asked for only then); staging and production are the EKS clusters,
 * through the context `biomage kubeconfig` writes.
 */
export function clusterTarget(env: Environment, processEnv: NodeJS.ProcessEnv, stateDir: () => string): ClusterTarget {
  if (isLocal(env)) {
    const record = readClusterRecord(clusterFiles(stateDir()));
    if (!record) {
      throw new UsageError('the local cluster is not running, so there is nothing to configure for development', {
        hint: 'start it with `biomage dev cluster up` (or `make dev` then `biomage dev cluster up`), then rerun',
      });
    }
    return { env, label: `the local cluster (${record.server})`, kubeconfig: record.kubeconfig, local: record };
  }
  return { env, label: `cluster biomage-${env}`, kubeconfig: kubeconfigPath(processEnv), context: `biomage-${env}` };
}
