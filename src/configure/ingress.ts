import { setTimeout as sleep } from 'node:timers/promises';
import { canonicalJson } from '../canonical-json.js';
import { ToolFailedError } from '../tools/run.js';
import { deployedRelease, upgradeInstall } from '../tools/helm.js';
import { pinned } from '../tools/versions.js';
import type { ClusterTarget } from './cluster-target.js';
import type { StepReport } from './steps.js';

export const LOAD_BALANCER_CONTROLLER = {
  release: 'aws-load-balancer-controller',
  chart: 'aws-load-balancer-controller',
  repo: 'https://aws.github.io/eks-charts',
  namespace: 'kube-system',
  /** Created by eksctl with its IRSA role (infra/cluster.yaml, iam.serviceAccounts). */
  serviceAccount: 'aws-load-balancer-controller',
} as const;

/** How often an install that hit the controller's start-up race is tried again, and how long apart. */
const RACE_ATTEMPTS = 3;
const RACE_BACKOFF_MS = 10_000;

export interface IngressSettings {
  cluster: string;
  region: string;
  vpcId: string;
}

/** The values the controller is installed with: the cluster, its VPC and region, and eksctl's service account. */
export function loadBalancerControllerValues(settings: IngressSettings): Record<string, unknown> {
  return {
    clusterName: settings.cluster,
    region: settings.region,
    vpcId: settings.vpcId,
    serviceAccount: { create: false, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
  };
}

/**
 * Install or upgrade the AWS Load Balancer Controller (chart pinned in tools/versions.env), only
 * when the deployed chart version or values differ, and wait until it is ready. Its admission
 * webhook answers only once its pods are up, so an install racing it (`failed calling webhook`,
 * `no endpoints available`) is retried a bounded number of times.
 */
export async function ingressStep(target: ClusterTarget, settings: IngressSettings, timeoutMs: number, dryRun: boolean, env: NodeJS.ProcessEnv, backoffMs = RACE_BACKOFF_MS): Promise<Omit<StepReport, 'step'>> {
  const version = pinned('AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION');
  const values = loadBalancerControllerValues(settings);
  const kube = { kubeconfig: target.kubeconfig, ...(target.context ? { context: target.context } : {}) };
  const { release, chart, repo, namespace } = LOAD_BALANCER_CONTROLLER;
  const deployed = await deployedRelease(release, namespace, kube, env);
  const base = `chart ${chart} ${version}, cluster ${settings.cluster}, ${settings.vpcId}`;
  const changes = deployed ? differences(deployed, version, values) : [];
  if (deployed && !changes.length) return { result: 'unchanged', changed: false, detail: base };
  const detail = changes.length ? `${base}; ${changes.join(', ')}` : base;
  const verb = deployed ? 'upgrade' : 'install';
  if (dryRun) return { result: `would ${verb}`, changed: true, detail };
  for (let attempt = 1; ; attempt++) {
    try {
      await upgradeInstall({ release, chart, repo: { url: repo, version }, namespace, ...kube, values: JSON.stringify(values), timeoutSeconds: Math.ceil(timeoutMs / 1000), env });
      break;
    } catch (error) {
      const race = error instanceof ToolFailedError && /failed calling webhook|no endpoints available for service/.test(error.stderr);
      if (!race || attempt >= RACE_ATTEMPTS) throw error;
      await sleep(backoffMs * attempt);
    }
  }
  return { result: deployed ? 'upgraded' : 'installed', changed: true, detail };
}

/** What differs between the deployed release and the one configure would install, for the report. */
function differences(deployed: { chart: string; values: Record<string, unknown> }, version: string, values: Record<string, unknown>): string[] {
  const wanted = `${LOAD_BALANCER_CONTROLLER.chart}-${version}`;
  const changes = deployed.chart === wanted ? [] : [`chart ${deployed.chart || '(unknown)'} → ${wanted}`];
  const keys = [...new Set([...Object.keys(deployed.values), ...Object.keys(values)])].sort();
  const changed = keys.filter((key) => canonicalJson(deployed.values[key]) !== canonicalJson(values[key]));
  return changed.length ? [...changes, `values changed: ${changed.join(', ')}`] : changes;
}
