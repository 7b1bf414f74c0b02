import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../config/environments.js';
import { mapLimit } from '../map-limit.js';
import { exportFolders, revisionCommit } from '../tools/git.js';
import { UsageError } from '../ui/errors.js';
import type { Paint } from '../ui/style.js';
import { maskSecrets } from './mask.js';
import { canonicalYaml, fieldChanges, showValue, unifiedDiff, type FieldChange } from './object-diff.js';
import { objectLabel, readReleases, releasesFolder, renderingGaps, renderReleaseObjects, repositoryChart, type ReleaseSource, type RenderedObject } from './release-objects.js';

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
  /** Objects compared for it (the union of both sides). */
  objects: number;
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

/**
 * `release diff --base`: every HelmRelease of releases/<env>/ rendered at `base` (its chart from
 * charts/ at that revision, exported to a temporary folder) and in the working tree, and compared
 * object by object. Changes nothing; a release that cannot be rendered on either side is bad input.
 */
export async function diffAgainstBase(options: { root: string; env: Environment; base: string; processEnv?: NodeJS.ProcessEnv }): Promise<ReleaseDiffReport> {
  const { root, env, base } = options;
  const commit = await revisionCommit(base, root);
  if (!commit) {
    throw new UsageError(`--base ${base}: no such commit, branch or tag in this clone`, {
      where: root,
      hint: 'pass a revision that exists here (in a shallow CI clone, fetch the base branch first: actions/checkout with fetch-depth: 0)',
    });
  }
  const folder = releasesFolder(env);
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-release-diff-'));
  try {
    // Flux's artifact of this repository holds charts/ and releases/<env>/ only (flux-sync's ignore
    // list). The working tree's releases render while the base is being exported.
    const after = { root, label: 'in the working tree', releases: readReleases(root, folder, 'in the working tree') };
    const exported = exportFolders(commit, ['charts', folder], scratch, root, options.processEnv);
    // Settled before the scratch folder goes, whatever fails first.
    exported.catch(() => undefined);
    const from = `${base}@${commit.slice(0, 12)}`;
    const sides = { before: exported.then(() => ({ root: scratch, label: `at ${base}`, releases: readReleases(scratch, folder, `at ${base}`) })), after };
    try {
      return await compareSides(env, sides, { from, to: 'working tree' }, options.processEnv);
    } finally {
      await exported.catch(() => undefined);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface Side {
  root: string;
  label: string;
  releases: ReleaseSource[];
}

async function compareSides(
  env: Environment,
  sides: { before: Promise<Side>; after: Side },
  labels: { from: string; to: string },
  processEnv?: NodeJS.ProcessEnv,
): Promise<ReleaseDiffReport> {
  const after = new Map(sides.after.releases.map((r) => [r.id, r]));
  // helm template is a process each: the working tree's renders start at once, a few at a time.
  const rendered = new Map<string, Promise<RenderedObject[]>>();
  const renderAfter = (id: string) => {
    const source = after.get(id);
    if (!source || 'reason' in repositoryChart(source.release)) return Promise.resolve([]);
    let promise = rendered.get(id);
    if (!promise) {
      promise = renderReleaseObjects(source, sides.after.root, sides.after.label, processEnv);
      rendered.set(id, promise);
    }
    return promise;
  };
  const early = mapLimit([...after.keys()], 4, (id) => renderAfter(id).then(() => undefined, () => undefined));
  const baseSide = await sides.before;
  await early;
  const before = new Map(baseSide.releases.map((r) => [r.id, r]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const results = await mapLimit(ids, 4, async (id): Promise<{ summary: ReleaseSummary; changes: ObjectChange[] }> => {
    const a = before.get(id);
    const b = after.get(id);
    const where = (b ?? a)?.where ?? id;
    const unrenderable = [a, b].map((s) => (s ? repositoryChart(s.release) : undefined)).find((c) => c && 'reason' in c);
    if (unrenderable && 'reason' in unrenderable) {
      // Its chart is not in the checkout: the HelmRelease itself (chart version, values) is what can be compared.
      const release = (a ?? b)?.release;
      const header = { apiVersion: release?.apiVersion ?? '', kind: 'HelmRelease', namespace: release?.metadata.namespace, name: release?.metadata.name ?? id };
      const change = objectChange(id, a?.release, b?.release, header, labels);
      const note = `${unrenderable.reason}: its objects cannot be rendered offline, only the HelmRelease is compared`;
      const status = !a ? 'added' : !b ? 'removed' : change ? 'changed' : 'unchanged';
      return { summary: { release: id, where, status, note, objects: 1 }, changes: change ? [change] : [] };
    }
    const [old, next] = await Promise.all([a ? renderReleaseObjects(a, baseSide.root, baseSide.label, processEnv) : [], renderAfter(id)]);
    const { changes, compared } = compareObjects(id, old, next, labels);
    const status = !a ? 'added' : !b ? 'removed' : changes.length ? 'changed' : 'unchanged';
    const note = [a, b].map((s) => (s ? renderingGaps(s.release, 'checkout') : undefined)).find(Boolean);
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
  };
}

/** Any release or object differs: what `--exit-code` turns into exit 3. */
export function hasDifferences(report: ReleaseDiffReport): boolean {
  return report.objects.length > 0 || report.releases.some((r) => r.status === 'added' || r.status === 'removed');
}

/** The human report: a summary per release, one line per changed field, then the unified diffs. */
export function renderDiffReport(report: ReleaseDiffReport, paint?: Paint): string {
  const color = paint ?? ((_: string, text: string) => text);
  const lines = [`releases/${report.env}/: ${report.from} → ${report.to}, ${report.compared} object${report.compared === 1 ? '' : 's'} compared`];
  for (const release of report.releases) {
    const count = report.objects.filter((o) => o.release === release.release).length;
    const what = release.status === 'changed' ? `changed (${count} object${count === 1 ? '' : 's'})` : release.status;
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
