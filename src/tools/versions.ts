import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installRoot } from '../paths.js';

/** The pinned versions from tools/versions.env, the same file the installer sources. */
export type PinnedVersions = Readonly<Record<string, string>>;

let cached: PinnedVersions | undefined;

export function pinnedVersions(): PinnedVersions {
  cached ??= parseVersionsEnv(readFileSync(join(installRoot, 'tools', 'versions.env'), 'utf8'));
  return cached;
}

export function parseVersionsEnv(text: string): PinnedVersions {
  const pins: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=([^\s#]+)/.exec(line.trim());
    if (match?.[1] && match[2]) pins[match[1]] = match[2];
  }
  return pins;
}

export function pinned(key: string): string {
  const value = pinnedVersions()[key];
  if (value === undefined) throw new Error(`tools/versions.env has no ${key}`);
  return value;
}

/** Dotted-version comparison: -1, 0 or 1. A leading `v` and any suffix after `-`/`+` are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .replace(/[-+][\s\S]*$/, '')
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
