import type { Environment } from '../config/environments.js';
import { mapLimit } from '../map-limit.js';
import type { Paint } from '../ui/style.js';
import { maskSecrets } from './mask.js';
import { canonicalYaml, fieldChanges, showValue, unifiedDiff, type FieldChange } from './object-diff.js';
import type { ReleaseInputs } from './release-inputs.js';
import { objectLabel, renderingGaps, renderReleaseObjects, repositoryChart, type ReleaseSource, type RenderedObject } from './release-objects.js';

/** One object that a change adds, removes or changes. Secret values are masked throughout. */
export interface ObjectChange {
  /** The HelmRelease that installs it: `flux-system/ui`. */
  release: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** The fields that differ (a changed object only). */
  fields: FieldChange[];
  /** A unified diff of the object's YAML, keys sorted. */
  diff: string;
}

export interface ReleaseSummary {
  release: string;
  /** Where it is defined (file:line), on the side that has it. */
  where: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged' | 'not compared';
  /** Why a release was not compared, or what the comparison could not include. */
  note?: string;
  /** Objects compared for it (the union of both sides); 0 when it was not rendered. */
  objects: number;
  /** false: its HelmRelease, chart and values files are identical at both sides, so it is unchanged and was not rendered (`--base`). */
  rendered?: false;
}

export interface ReleaseDiffReport {
  env: Environment;
  /** What was compared with what: `origin/main@3f2a…` and `working tree`, or a cluster and the working tree. */
  from: string;
  to: string;
  releases: ReleaseSummary[];
  objects: ObjectChange[];
  /** Objects compared, over all releases. */
  compared: number;
  /** Releases unchanged because their inputs are identical at both sides, not rendered (`--base`). */
  notRendered?: number;
}

/** Objects keyed as the diff matches them: kind, namespace, name. */
export function objectKey(object: { kind: string; namespace?: string; name: string }): string {
  return `${object.kind}/${object.namespace ?? ''}/${object.name}`;
}

/**
 * Compare one release's objects at two sides. `before`/`after` absent: the release does not exist
 * on that side, so all of its objects are added or removed.
 */
export function compareObjects(release: string, before: RenderedObject[], after: RenderedObject[], labels: { from: string; to: string }): { changes: ObjectChange[]; compared: number } {
  const old = new Map(before.map((o) => [objectKey(o), o]));
  const next = new Map(after.map((o) => [objectKey(o), o]));
  const keys = [...new Set([...old.keys(), ...next.keys()])].sort();
  const changes: ObjectChange[] = [];
  for (const key of keys) {
    const a = old.get(key);
    const b = next.get(key);
    const change = objectChange(release, a?.object, b?.object, (a ?? b) as RenderedObject, labels);
    if (change) changes.push(change);
  }
  return { changes, compared: keys.length };
}

/** The change of one object between two versions (either may be absent), or undefined when equal. */
export function objectChange(
  release: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  id: { apiVersion: string; kind: string; namespace?: string; name: string },
  labels: { from: string; to: string },
): ObjectChange | undefined {
  const masked = maskSecrets(before, after);
  const fields = before && after ? fieldChanges(masked.before, masked.after) : [];
  // Compared unmasked: a Secret whose values alone changed is changed, though the diff hides how.
  const equal = before && after && fieldChanges(before, after).length === 0;
  if (equal) return undefined;
  const label = objectLabel(id);
  const diff = (() => {
    const text = canonicalYaml(masked.before ?? null);
    const nextText = canonicalYaml(masked.after ?? null);
    return unifiedDiff(before ? text : '', after ? nextText : '', {
      from: before ? `${label} (${labels.from})` : '/dev/null',
      to: after ? `${label} (${labels.to})` : '/dev/null',
    });
  })();
  return {
    release,
    apiVersion: id.apiVersion,
    kind: id.kind,
    ...(id.namespace ? { namespace: id.namespace } : {}),
    name: id.name,
    change: !before ? 'added' : !after ? 'removed' : 'changed',
    fields,
    diff,
  };
}

/** What the diff does with one release: render it at both sides, compare its HelmRelease only, or nothing (same inputs). */
export interface ReleasePlan {
  id: string;
  before?: ReleaseSource;
  after?: ReleaseSource;
  action: 'render' | 'release only' | 'same inputs';
  /** Render the base's HelmRelease from the working tree's files: its chart and values files are the same at both sides (a values-only change). */
  baseFromWorkingTree?: boolean;
  /** Why only the HelmRelease is compared. */
  reason?: string;
}

/** The plan of each release of either side, by id. */
export function planReleases(before: ReleaseSource[], after: ReleaseSource[], inputs: ReleaseInputs): ReleasePlan[] {
  const old = new Map(before.map((r) => [r.id, r]));
  const next = new Map(after.map((r) => [r.id, r]));
  return [...new Set([...old.keys(), ...next.keys()])].sort().map((id) => {
    const a = old.get(id);
    const b = next.get(id);
    const unrenderable = [a, b].map((s) => (s ? repositoryChart(s.release) : undefined)).find((c) => c && 'reason' in c);
    if (unrenderable && 'reason' in unrenderable) return { id, before: a, after: b, action: 'release only', reason: unrenderable.reason };
    if (a && b && inputs.same(a, b)) return { id, before: a, after: b, action: 'same inputs' };
    return { id, before: a, after: b, action: 'render', ...(a && inputs.sameFiles(a.release) ? { baseFromWorkingTree: true } : {}) };
  });
}

export interface Side {
  root: string;
  label: string;
  /** Settled when the side's files are in place (the base's export). */
  ready: Promise<void>;
}

/** Render what the plan says at both sides (a few helm runs at a time) and compare: the report. */
export async function compareReleases(
  env: Environment,
  plan: ReleasePlan[],
  sides: { before: Side; after: Side },
  labels: { from: string; to: string },
  processEnv?: NodeJS.ProcessEnv,
): Promise<ReleaseDiffReport> {
  // helm template is a process each: a few at a time, the working tree's first, as they need no
  // export; the base's follow once its files are written.
  const renders = plan.filter((p) => p.action === 'render');
  const tasks = [
    ...renders.flatMap((p) => (p.after ? [{ id: p.id, side: 'after' as const, source: p.after }] : [])),
    ...renders.flatMap((p) => (p.before ? [{ id: p.id, side: 'before' as const, source: p.before, files: p.baseFromWorkingTree ? sides.after : sides.before }] : [])),
  ];
  const rendered = await mapLimit(tasks, 4, async (task) => {
    const files = 'files' in task ? task.files : sides.after;
    await files.ready;
    return { ...task, objects: await renderReleaseObjects(task.source, files.root, sides[task.side].label, processEnv) };
  });
  const objectsOf = (id: string, side: 'before' | 'after') => rendered.find((r) => r.id === id && r.side === side)?.objects ?? [];
  const results = plan.map((p): { summary: ReleaseSummary; changes: ObjectChange[] } => {
    const { id, before: a, after: b } = p;
    const where = (b ?? a)?.where ?? id;
    if (p.action === 'release only') {
      // Its chart is not in the checkout: the HelmRelease itself (chart version, values) is what can be compared.
      const release = (a ?? b)?.release;
      const header = { apiVersion: release?.apiVersion ?? '', kind: 'HelmRelease', namespace: release?.metadata.namespace, name: release?.metadata.name ?? id };
      const change = objectChange(id, a?.release, b?.release, header, labels);
      const note = `${p.reason ?? ''}: its objects cannot be rendered offline, only the HelmRelease is compared`;
      const status = !a ? 'added' : !b ? 'removed' : change ? 'changed' : 'unchanged';
      return { summary: { release: id, where, status, note, objects: 1 }, changes: change ? [change] : [] };
    }
    const note = [a, b].map((s) => (s ? renderingGaps(s.release, 'checkout') : undefined)).find(Boolean);
    if (p.action === 'same inputs') {
      return { summary: { release: id, where, status: 'unchanged', objects: 0, rendered: false, ...(note ? { note } : {}) }, changes: [] };
    }
    const { changes, compared } = compareObjects(id, objectsOf(id, 'before'), objectsOf(id, 'after'), labels);
    const status = !a ? 'added' : !b ? 'removed' : changes.length ? 'changed' : 'unchanged';
    return {
      summary: { release: id, where, status, objects: compared, ...(note ? { note } : {}) },
      changes,
    };
  });
  return {
    env,
    from: labels.from,
    to: labels.to,
    releases: results.map((r) => r.summary),
    objects: results.flatMap((r) => r.changes),
    compared: results.reduce((sum, r) => sum + r.summary.objects, 0),
    notRendered: results.filter((r) => r.summary.rendered === false).length,
  };
}

/** Any release or object differs: what `--exit-code` turns into exit 3. */
export function hasDifferences(report: ReleaseDiffReport): boolean {
  return report.objects.length > 0 || report.releases.some((r) => r.status === 'added' || r.status === 'removed');
}

/** The human report: a summary per release, one line per changed field, then the unified diffs. */
export function renderDiffReport(report: ReleaseDiffReport, paint?: Paint): string {
  const color = paint ?? ((_: string, text: string) => text);
  const skipped = report.notRendered ? `; ${report.notRendered} release${report.notRendered === 1 ? '' : 's'} unchanged, not rendered (same HelmRelease, chart and values files at both sides)` : '';
  const lines = [`releases/${report.env}/: ${report.from} → ${report.to}, ${report.compared} object${report.compared === 1 ? '' : 's'} compared${skipped}`];
  for (const release of report.releases) {
    const count = report.objects.filter((o) => o.release === release.release).length;
    const what = release.status === 'changed' ? `changed (${count} object${count === 1 ? '' : 's'})` : release.rendered === false ? 'unchanged, not rendered' : release.status;
    lines.push(`  HelmRelease ${release.release} (${release.where}): ${what}${release.note ? `; ${release.note}` : ''}`);
  }
  if (!report.objects.length) {
    lines.push(report.releases.length ? 'no differences' : `no HelmRelease in releases/${report.env}/ on either side`);
    return lines.join('\n');
  }
  lines.push('');
  for (const object of report.objects) {
    const label = objectLabel(object);
    if (object.change !== 'changed') {
      lines.push(`${object.change === 'added' ? color('green', '+') : color('red', '-')} ${object.change} ${label}`);
      continue;
    }
    lines.push(`~ changed ${label}`);
    for (const field of object.fields) lines.push(`    ${fieldLine(field)}`);
  }
  for (const object of report.objects) {
    lines.push('');
    lines.push(object.diff.trimEnd());
  }
  return lines.join('\n');
}

/** `spec.replicas: 2 → 3`; an added or removed field says so. */
export function fieldLine(field: FieldChange): string {
  if (!('before' in field)) return `${field.path}: added ${showValue(field.after)}`;
  if (!('after' in field)) return `${field.path}: removed (was ${showValue(field.before)})`;
  return `${field.path}: ${showValue(field.before)} → ${showValue(field.after)}`;
}
