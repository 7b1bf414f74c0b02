import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { repositoryChartPath, type HelmRelease } from '../config/flux.js';
import type { TreeEntry } from '../tools/git.js';
import { repositoryChart, type ReleaseSource } from './release-objects.js';

/**
 * Whether a release renders from the same inputs at a base revision and in the working tree, so
 * that rendering it twice could only give the same objects. What `helm template` reads for a
 * release of this repository: the HelmRelease itself (chart path, values, valuesFiles, names,
 * namespaces, commonMetadata), every file of its chart folder, and its valuesFiles; the helm
 * binary and its settings are the same for both sides of one run.
 *
 * Files are compared by git object id: the base's from `git ls-tree`, the working tree's computed
 * here from the bytes on disk the way git computes a blob's id, so uncommitted and untracked
 * changes count and no git process runs per file. Anything this cannot vouch for (a symbolic
 * link, a submodule, a chart or values file missing on a side) counts as different: the release
 * is then rendered, and a missing file gives the usual error.
 */
export class ReleaseInputs {
  private readonly base = new Map<string, TreeEntry>();
  private readonly algorithm: 'sha1' | 'sha256';
  private readonly blobIds = new Map<string, string | undefined>();

  constructor(
    baseEntries: TreeEntry[],
    private readonly root: string,
  ) {
    for (const entry of baseEntries) this.base.set(entry.path, entry);
    // A SHA-256 repository names objects with 64 hex digits.
    this.algorithm = baseEntries[0]?.oid.length === 64 ? 'sha256' : 'sha1';
  }

  /** True when both sides install the same chart content with the same HelmRelease and values files. */
  same(before: ReleaseSource, after: ReleaseSource): boolean {
    return isDeepStrictEqual(before.release, after.release) && this.sameFiles(after.release);
  }

  /**
   * True when this release's chart folder and values files are the same at both sides, so its
   * base version renders from the working tree's files as well as from an export of the base.
   */
  sameFiles(release: HelmRelease): boolean {
    const chart = repositoryChart(release);
    if ('reason' in chart) return false;
    return this.sameFolder(chart.chartDir) && valuesFiles(release).every((file) => this.sameFile(file));
  }

  /** The files of the base a render of this release reads: its chart folder and its values files (those that exist there). */
  baseFiles(release: HelmRelease): string[] {
    const chart = repositoryChart(release);
    if ('reason' in chart) return [];
    const prefix = `${chart.chartDir}/`;
    const files = [...this.base.keys()].filter((path) => path.startsWith(prefix));
    return [...files, ...valuesFiles(release).filter((file) => this.base.has(file))];
  }

  /** A working-tree file's blob id the way git computes it; undefined for what is not a regular file. */
  blobId(path: string): string | undefined {
    if (this.blobIds.has(path)) return this.blobIds.get(path);
    let id: string | undefined;
    try {
      if (lstatSync(join(this.root, path)).isFile()) {
        const content = readFileSync(join(this.root, path));
        id = createHash(this.algorithm).update(`blob ${content.length}\0`).update(content).digest('hex');
      }
    } catch {
      id = undefined;
    }
    this.blobIds.set(path, id);
    return id;
  }

  /** A regular file at both sides with the same content. */
  sameFile(path: string): boolean {
    const entry = this.base.get(path);
    if (!entry || !isRegularFile(entry)) return false;
    return this.blobId(path) === entry.oid;
  }

  /** The same set of regular files, each with the same content; a chart must have its Chart.yaml. */
  private sameFolder(folder: string): boolean {
    const prefix = `${folder}/`;
    const baseFiles = [...this.base.values()].filter((entry) => entry.path.startsWith(prefix));
    if (!baseFiles.some((entry) => entry.path === `${folder}/Chart.yaml`)) return false;
    if (!baseFiles.every(isRegularFile)) return false;
    const onDisk = workingTreeFiles(this.root, folder);
    if (!onDisk || onDisk.length !== baseFiles.length) return false;
    return onDisk.every((path) => this.sameFile(path));
  }
}

/** Git's modes of a regular file (executable or not): a symbolic link (120000) or a submodule (160000) is not one. */
function isRegularFile(entry: TreeEntry): boolean {
  return entry.type === 'blob' && (entry.mode === '100644' || entry.mode === '100755');
}

/** The values files a release names, as paths from the repository's root (as `releaseValues` reads them). */
function valuesFiles(release: HelmRelease): string[] {
  const files = (release.spec.chart.spec as { valuesFiles?: unknown }).valuesFiles;
  if (!Array.isArray(files)) return [];
  return files.filter((f): f is string => typeof f === 'string').map((file) => repositoryChartPath(file) ?? file);
}

/**
 * Every regular file under a folder of the working tree, tracked or not, as paths from the root;
 * undefined when the folder is missing or holds anything else (a symbolic link, a socket), which
 * cannot be compared with the base's blobs.
 */
function workingTreeFiles(root: string, folder: string): string[] | undefined {
  const files: string[] = [];
  const walk = (relative: string): boolean => {
    let entries;
    try {
      entries = readdirSync(join(root, relative), { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!walk(path)) return false;
      } else if (entry.isFile()) files.push(path);
      else return false;
    }
    return true;
  };
  return walk(folder) ? files : undefined;
}
