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
 * This module loads only git's facade: the parsing and comparing half (zod, yaml, a third of
 * the start-up) is imported once git is already resolving the base, so the two overlap.
 */
export async function diffAgainstBase(options: { root: string; env: Environment; base: string; processEnv?: NodeJS.ProcessEnv }): Promise<ReleaseDiffReport> {
  const { root, env, base, processEnv } = options;
  // Flux's artifact of this repository holds charts/ and releases/<env>/ only (flux-sync's ignore list).
  const folder = releasesFolder(env);
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-release-diff-'));
  let exporting: ReturnType<typeof startExport> | undefined;
  // git's part that needs nothing parsed runs while the modules below load: resolve the base,
  // read its export index, list its charts and releases.
  const listing = (async () => {
    const commit = await revisionCommit(base, root, processEnv);
    if (!commit) return undefined;
    exporting = startExport(commit, scratch, root, processEnv);
    return { commit, entries: await treeEntries(commit, ['charts', folder], root, processEnv) };
  })();
  listing.catch(() => undefined);
  try {
    const [{ compareReleases, planReleases }, { parseReleases, readReleases, releaseFiles }, { ReleaseInputs }] = await Promise.all([
      import('./diff.js'),
      import('./release-objects.js'),
      import('./release-inputs.js'),
    ]);
    const noSuchBase = () =>
      new UsageError(`--base ${base}: no such commit, branch or tag in this clone`, {
        where: root,
        hint: 'pass a revision that exists here (in a shallow CI clone, fetch the base branch first: actions/checkout with fetch-depth: 0)',
      });
    let after: ReleaseSource[];
    try {
      after = readReleases(root, folder, 'in the working tree');
    } catch (error) {
      // A base that does not exist is the first thing to fix, as when it is checked first.
      if (!(await listing)) throw noSuchBase();
      throw error;
    }
    const resolved = await listing;
    if (!resolved || !exporting) throw noSuchBase();
    const { commit, entries } = resolved;
    const labels = { from: `${base}@${commit.slice(0, 12)}`, to: 'working tree' };
    const inputs = new ReleaseInputs(entries, root);
    const read = { root, label: `at ${base}`, inputs, processEnv, parse: parseReleases, order: releaseFiles };
    const plan = planReleases(await baseReleases(entries, folder, read), after, inputs);
    const files = [...new Set(plan.flatMap((p) => (p.action === 'render' && p.before ? inputs.baseFiles(p.before.release) : [])))];
    const exported = exporting.write(files);
    // Awaited by the base's renders; with none, settled in finally.
    exported.catch(() => undefined);
    const sides = { before: { root: scratch, label: `at ${base}`, ready: exported }, after: { root, label: 'in the working tree', ready: Promise.resolve() } };
    return await compareReleases(env, plan, sides, labels, processEnv);
  } finally {
    // No git run may still write into the scratch folder as it goes, whatever failed first.
    await listing.catch(() => undefined);
    await exporting?.settled();
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
