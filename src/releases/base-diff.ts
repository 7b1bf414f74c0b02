import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Environment } from '../config/environments.js';
import { mapLimit } from '../map-limit.js';
import { blobText, revisionCommit, startExport, treeEntries, type TreeEntry } from '../tools/git.js';
import { UsageError } from '../ui/errors.js';
import type { ReleaseDiffReport } from './diff.js';
import type { ReleaseInputs } from './release-inputs.js';
import type { ReleaseSource } from './release-objects.js';
import { releasesFolder } from './releases-folder.js';

/**
 * `release diff --base`: every HelmRelease of releases/<env>/ at `base` and in the working tree,
 * compared object by object. A release whose inputs are identical at both sides (the HelmRelease,
 * its chart folder, its values files: release-inputs.ts) is unchanged without rendering it; the
 * others are rendered at both sides, the base's from the files they need exported to a temporary
 * folder. Changes nothing; a release that cannot be rendered on either side is bad input.
 *
 * This module loads only git's facade: the parsing and comparing half (zod, yaml, about a third
 * of the start-up) is imported once the base is resolved, while git lists it.
 */
export async function diffAgainstBase(options: { root: string; env: Environment; base: string; processEnv?: NodeJS.ProcessEnv }): Promise<ReleaseDiffReport> {
  const { root, env, base, processEnv } = options;
  const commit = await revisionCommit(base, root, processEnv);
  if (!commit) {
    throw new UsageError(`--base ${base}: no such commit, branch or tag in this clone`, {
      where: root,
      hint: 'pass a revision that exists here (in a shallow CI clone, fetch the base branch first: actions/checkout with fetch-depth: 0)',
    });
  }
  // Flux's artifact of this repository holds charts/ and releases/<env>/ only (flux-sync's ignore list).
  const folder = releasesFolder(env);
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-release-diff-'));
  // git lists the base and reads its export index while the modules below load (execa starts
  // both at once; module loading blocks the event loop, so nothing that waits on git runs meanwhile).
  const exporting = startExport(commit, scratch, root, processEnv);
  const listing = treeEntries(commit, ['charts', folder], root, processEnv);
  listing.catch(() => undefined);
  try {
    const [{ compareReleases, planReleases }, { parseReleases, readReleases, releaseFiles }, { ReleaseInputs }] = await Promise.all([
      import('./diff.js'),
      import('./release-objects.js'),
      import('./release-inputs.js'),
    ]);
    const after = readReleases(root, folder, 'in the working tree');
    const entries = await listing;
    const inputs = new ReleaseInputs(entries, root);
    const read = { root, label: `at ${base}`, inputs, processEnv, parse: parseReleases, order: releaseFiles };
    const plan = planReleases(await baseReleases(entries, folder, read), after, inputs);
    const files = [...new Set(plan.flatMap((p) => (p.action === 'render' && p.before && !p.baseFromWorkingTree ? inputs.baseFiles(p.before.release) : [])))];
    const exported = exporting.write(files);
    // Awaited by the base's renders; with none, settled in finally.
    exported.catch(() => undefined);
    const sides = { before: { root: scratch, label: `at ${base}`, ready: exported }, after: { root, label: 'in the working tree', ready: Promise.resolve() } };
    const labels = { from: `${base}@${commit.slice(0, 12)}`, to: 'working tree' };
    return await compareReleases(env, plan, sides, labels, processEnv);
  } finally {
    // No git run may still write into the scratch folder as it goes, whatever failed first.
    await Promise.allSettled([listing, exporting.settled()]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The HelmReleases of releases/<env>/ at the base. A file whose content the working tree has
 * unchanged is read from the working tree (the same bytes) instead of from git.
 */
async function baseReleases(
  entries: TreeEntry[],
  folder: string,
  context: {
    root: string;
    label: string;
    inputs: ReleaseInputs;
    processEnv?: NodeJS.ProcessEnv;
    parse: (relative: string, text: string, label: string) => ReleaseSource[];
    order: (paths: string[]) => string[];
  },
): Promise<ReleaseSource[]> {
  const byPath = new Map(entries.filter((e) => e.type === 'blob' && dirname(e.path) === folder).map((e) => [e.path, e]));
  const perFile = await mapLimit(context.order([...byPath.keys()]), 4, async (path) => {
    if (context.inputs.sameFile(path)) return context.parse(path, readFileSync(join(context.root, path), 'utf8'), context.label);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- path is a key of byPath
    return context.parse(path, await blobText(byPath.get(path)!.oid, context.root, context.processEnv), context.label);
  });
  return perFile.flat();
}
