import { renderTable } from '../../ui/output.js';
import type { Paint } from '../../ui/style.js';
import type { ClusterStatus, ClusterUpReport } from './lifecycle.js';

export function renderClusterUp(report: ClusterUpReport): string {
  const { record, timings } = report;
  const how = report.reused
    ? 'The local cluster was already up: kept it.'
    : `The local cluster is up: API server ready in ${seconds(timings.apiServerMs)}, everything ready in ${seconds(timings.readyMs)}.`;
  return [
    how,
    `  API server:  ${record.server}`,
    `  nodes:       ${report.nodes.join(', ')} (simulated by kwok)`,
    `  git server:  ${record.gitUrl} (serves ${record.repo}, read-only)`,
    `  kubectl:     export KUBECONFIG=${record.kubeconfig}`,
    '  connect Flux to it: biomage configure --env development',
    '  stop it:     biomage dev cluster down',
  ].join('\n');
}

export function renderClusterStatus(status: ClusterStatus, paint: Paint): string {
  if (!status.record) return 'The local cluster is not running: start it with `biomage dev cluster up`.';
  const rows = status.components.map((c) => [c.name, c.pid ? String(c.pid) : '', c.healthy ? paint('green', 'ready') : paint('red', 'not ready')]);
  return [
    renderTable(['component', 'pid', 'state'], rows),
    '',
    status.running
      ? `The local cluster is up at ${status.record.server} (since ${status.record.startedAt}); KUBECONFIG=${status.record.kubeconfig}`
      : `The local cluster is not healthy: see the logs in ${status.record.kubeconfig.replace(/kubeconfig$/, 'logs/')}, or restart it (biomage dev cluster down && biomage dev cluster up).`,
  ].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
