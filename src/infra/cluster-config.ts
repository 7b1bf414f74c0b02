import { clusterName, type Environment } from '../config/environments.js';
import { UsageError } from '../ui/errors.js';

/** The environments that run an EKS cluster (development's cluster is the local one). */
export const CLUSTER_ENVIRONMENTS = ['staging', 'production'] as const satisfies readonly Environment[];

/**
 * infra/cluster.yaml as eksctl gets it for one environment: the file never names the cluster or
 * its region, so one file serves every environment; the tool fills both in.
 */
export function renderClusterConfig(config: Record<string, unknown>, env: Environment, region: string): Record<string, unknown> {
  const metadata = (config.metadata && typeof config.metadata === 'object' ? config.metadata : {}) as Record<string, unknown>;
  return { ...config, metadata: { ...metadata, name: clusterName(env), region } };
}

export type ClusterEnvironment = (typeof CLUSTER_ENVIRONMENTS)[number];

/** The environment, when it runs a cluster; development (the local twin) is a usage error. */
export function clusterEnvironment(env: Environment): ClusterEnvironment {
  if ((CLUSTER_ENVIRONMENTS as readonly string[]).includes(env)) return env as ClusterEnvironment;
  throw new UsageError(`--env ${env} runs no cluster: pass --env ${CLUSTER_ENVIRONMENTS.join(' or --env ')}`, {
    hint: 'development is the local twin; its cluster is not fed from releases/',
  });
}
