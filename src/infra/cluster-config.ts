import { clusterName, type Environment } from '../config/environments.js';

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
