import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import type { ClusterDriftResult } from './cluster.js';
import { isDrift, type Difference, type DifferenceKind } from './difference.js';
import type { StackCheck } from './stacks.js';

export type DriftScope = 'stacks' | 'cluster';

export interface DriftReport {
  env: string;
  region?: string;
  /** What was compared: --only, or both. */
  scope: DriftScope[];
  /** One entry per stack detected; absent when stacks were not compared. */
  stacks?: StackCheck[];
  cluster?: ClusterDriftResult;
  /** Every difference, grouped by stack (the cluster's last), then logical id and path. */
  differences: Difference[];
  /** Things not compared, with why. */
  notes: string[];
  summary: {
    /** Differences that are drift: what runs was changed outside the code. */
    drifted: number;
    /** The code ahead of what runs (not deployed yet): reported, not drift. */
    pending: number;
    /** Stacks or cluster parts that could not be checked. */
    failed: number;
    byKind: Partial<Record<DifferenceKind, number>>;
  };
}

/** The report, its differences in a stable order and counted. */
export function driftReport(input: Omit<DriftReport, 'summary' | 'differences'> & { differences: Difference[] }): DriftReport {
  const differences = [...input.differences].sort(
    (a, b) =>
      Number(a.stack.startsWith('cluster ')) - Number(b.stack.startsWith('cluster ')) ||
      a.stack.localeCompare(b.stack) ||
      (a.logicalId ?? '').localeCompare(b.logicalId ?? '') ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
  const byKind: Partial<Record<DifferenceKind, number>> = {};
  for (const d of differences) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  const failed = (input.stacks ?? []).filter((s) => s.status === 'failed').length + (input.cluster?.parts ?? []).filter((p) => p.status === 'failed').length;
  const drifted = differences.filter(isDrift).length;
  return { ...input, differences, notes: [...input.notes].sort(), summary: { drifted, pending: differences.length - drifted, failed, byKind } };
}

/** 1 when something could not be checked (the answer is incomplete), else 3 on drift, else 0. */
export function driftExitCode(report: DriftReport): number {
  if (report.summary.failed) return 1;
  return report.summary.drifted ? 3 : 0;
}

const KIND_LABEL: Record<DifferenceKind, string> = {
  modified: 'modified',
  deleted: 'DELETED',
  'stack-without-template': 'stack without template',
  'not-deployed-yet': 'not deployed yet',
  'template-without-stack': 'template without stack',
  'node-group': 'node group',
  'cluster-version': 'Kubernetes version',
  access: 'access',
  'helm-release': 'HelmRelease',
  kustomization: 'Kustomization',
};

/** The report for people: one block per stack (then the cluster), each difference with both values, then the summary. */
export function renderDriftReport(report: DriftReport, paint: Paint): string {
  const lines: string[] = [];
  const groups = new Map<string, Difference[]>();
  for (const d of report.differences) groups.set(d.stack, [...(groups.get(d.stack) ?? []), d]);
  for (const [stack, list] of groups) {
    const template = list.find((d) => d.template)?.template;
    lines.push(`${paint('bold', stack)}${template ? `  (${template})` : ''}`);
    const rows = list.map((d) => [
      isDrift(d) ? paint('red', KIND_LABEL[d.kind]) : paint('yellow', KIND_LABEL[d.kind]),
      [d.logicalId, d.type ? `(${d.type})` : undefined].filter(Boolean).join(' '),
      d.path ?? '',
      d.expected ?? '',
      d.actual ?? '',
      [d.detail, d.masked ? `masked: ${d.masked}` : undefined].filter(Boolean).join('; '),
    ]);
    lines.push(indent(renderTable(['kind', 'resource', 'property', 'code', 'runs', 'note'], rows)), '');
  }
  const failed = (report.stacks ?? []).filter((s) => s.status === 'failed');
  if (failed.length) {
    lines.push(paint('red', 'Not checked (drift detection failed):'));
    for (const s of failed) lines.push(`  ${s.stack}: ${s.reason ?? 'no reason given'}`);
    lines.push('');
  }
  if (report.cluster) {
    const c = report.cluster;
    if (c.skipped) lines.push(`Cluster: skipped (${c.skipped}).`);
    else lines.push(`Cluster (${c.target ?? '?'}): ${c.parts.map((p) => `${p.part} ${p.status === 'checked' ? 'compared' : `${p.status}${p.reason ? ` (${p.reason})` : ''}`}`).join(', ')}.`);
  }
  for (const note of report.notes) lines.push(`${paint('yellow', 'note:')} ${note}`);
  const checked = report.stacks ? `${report.stacks.length} stack${report.stacks.length === 1 ? '' : 's'} detected, ${report.stacks.filter((s) => s.status === 'drifted').length} drifted` : 'stacks not compared';
  const { drifted, pending } = report.summary;
  const verdict =
    report.summary.failed > 0
      ? paint('red', `${report.summary.failed} check(s) failed: the comparison is incomplete.`)
      : drifted
        ? paint('red', `${drifted} difference(s) drifted from the code.`)
        : paint('green', 'No drift.');
  lines.push(`${checked}; ${drifted} difference${drifted === 1 ? '' : 's'}, ${pending} not deployed yet. ${verdict}`);
  return lines.join('\n');
}

const indent = (text: string) => text.split('\n').map((line) => `  ${line}`).join('\n');
