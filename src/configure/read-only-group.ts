import { join } from 'node:path';
import { deployedManifest, renderChart, upgradeInstall } from '../tools/helm.js';
import { OperationError } from '../ui/errors.js';
import type { ClusterTarget } from './cluster-target.js';
import type { StepReport } from './steps.js';

/** The RBAC chart that gives the read-only group its rights. */
export const READ_ONLY_GROUP_CHART = 'infra/charts/read-only-group';
const RELEASE = 'read-only-group';
const NAMESPACE = 'kube-system';

/**
 * Install or upgrade infra/charts/read-only-group, only when what it would install differs from
 * what is installed (`helm upgrade` would otherwise record a new revision on every run).
 */
export async function readOnlyGroupStep(target: ClusterTarget, root: string, timeoutMs: number, dryRun: boolean, env: NodeJS.ProcessEnv): Promise<Omit<StepReport, 'step'>> {
  const chartDir = join(root, READ_ONLY_GROUP_CHART);
  const kube = { kubeconfig: target.kubeconfig, ...(target.context ? { context: target.context } : {}) };
  const [installed, rendered] = await Promise.all([
    deployedManifest(RELEASE, NAMESPACE, kube, env),
    renderChart({ chartDir, releaseName: RELEASE, namespace: NAMESPACE, cwd: root, env }),
  ]);
  if (!rendered.ok) throw new OperationError(`${READ_ONLY_GROUP_CHART} does not render: ${rendered.message}`, { hint: 'run biomage check' });
  if (installed !== undefined && installed.trim() === rendered.manifests.trim()) {
    return { result: 'unchanged', changed: false, detail: `${READ_ONLY_GROUP_CHART} as installed` };
  }
  const fresh = installed === undefined;
  if (dryRun) return { result: fresh ? 'would install' : 'would upgrade', changed: true, detail: `${READ_ONLY_GROUP_CHART} (helm upgrade --install ${RELEASE})` };
  const { revision } = await upgradeInstall({ release: RELEASE, chart: chartDir, namespace: NAMESPACE, ...kube, timeoutSeconds: Math.ceil(timeoutMs / 1000), env });
  return { result: fresh ? 'installed' : 'upgraded', changed: true, detail: `${READ_ONLY_GROUP_CHART}, helm revision ${revision}` };
}
