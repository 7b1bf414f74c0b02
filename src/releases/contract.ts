import { isRecord } from './object-diff.js';

/**
 * The self-healing part of the HelmRelease contract: helm-controller corrects drift (someone's
 * `kubectl edit` is undone at the next reconcile), retries a failed install a bounded number of
 * times, and rolls a failed upgrade back to the last good release instead of leaving the service
 * half-upgraded or uninstalling it. Used by `release render` (a template without it is refused)
 * and by `biomage check` (a committed release without it is a finding).
 */
export interface ContractProblem {
  rule: 'release-drift-detection' | 'release-remediation';
  /** Where in the HelmRelease: the field, or the nearest parent that exists. */
  path: string[];
  message: string;
}

export function remediationProblems(release: unknown): ContractProblem[] {
  const spec = isRecord(release) && isRecord(release.spec) ? release.spec : {};
  const problems: ContractProblem[] = [];
  const at = (path: string[]) => nearest(spec, path);

  const drift = isRecord(spec.driftDetection) ? spec.driftDetection.mode : undefined;
  if (drift !== 'enabled') {
    problems.push({
      rule: 'release-drift-detection',
      path: at(['driftDetection', 'mode']),
      message: `spec.driftDetection.mode must be enabled (found ${drift === undefined ? 'none' : JSON.stringify(drift)}): without it a change made by hand in the cluster stays until the next upgrade`,
    });
  }
  for (const phase of ['install', 'upgrade'] as const) {
    const remediation = field(spec, [phase, 'remediation']);
    const retries = isRecord(remediation) ? remediation.retries : undefined;
    if (!(typeof retries === 'number' && Number.isInteger(retries) && retries > 0)) {
      problems.push({
        rule: 'release-remediation',
        path: at([phase, 'remediation', 'retries']),
        message: `spec.${phase}.remediation.retries must be a whole number above 0 (found ${retries === undefined ? 'none' : JSON.stringify(retries)}): a failed ${phase} is otherwise never retried`,
      });
    }
  }
  const upgrade = field(spec, ['upgrade', 'remediation']);
  const strategy = isRecord(upgrade) ? upgrade.strategy : undefined;
  const lastFailure = isRecord(upgrade) ? upgrade.remediateLastFailure : undefined;
  if (strategy === 'uninstall') {
    problems.push({
      rule: 'release-remediation',
      path: at(['upgrade', 'remediation', 'strategy']),
      message: 'spec.upgrade.remediation.strategy uninstall removes the service when an upgrade fails; use rollback (the last good release keeps running)',
    });
  } else if (lastFailure !== true && strategy !== 'rollback') {
    problems.push({
      rule: 'release-remediation',
      path: at(['upgrade', 'remediation', 'remediateLastFailure']),
      message: 'spec.upgrade.remediation must roll back the last failure too: set remediateLastFailure: true (or strategy: rollback), or the final failed attempt stays deployed',
    });
  }
  return problems;
}

function field(spec: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = spec;
  for (const key of path) value = isRecord(value) ? value[key] : undefined;
  return value;
}

/** The path of the deepest part of `path` that exists, from the release's root. */
function nearest(spec: Record<string, unknown>, path: string[]): string[] {
  const found = ['spec'];
  let value: unknown = spec;
  for (const key of path) {
    if (!isRecord(value) || !(key in value)) break;
    value = value[key];
    found.push(key);
  }
  return found;
}
