import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installRoot as repoRoot, toolsDir } from '../../src/paths.js';

export interface EksctlCall {
  argv: string[];
  /** The rendered ClusterConfig it was given (--config-file), parsed. */
  config?: Record<string, unknown>;
}

export interface FakeEksctl {
  /** The environment that makes biomage find the fake (BIOMAGE_TOOLS_DIR) and the fake record. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** The calls recorded so far (dry runs, handed to the real eksctl, are not recorded). */
  calls(): EksctlCall[];
}

/**
 * A toolchain folder whose eksctl is the recording fake (test/fixtures/fake-eksctl), beside the
 * real kubeconform, helm and schemas: for the eksctl calls that need real AWS. Without `withEksctl`
 * the folder has no eksctl at all, and PATH is cut down so none is found there either.
 */
export function recordingFakeEksctl(options: { fail?: string; withEksctl?: boolean } = {}): FakeEksctl {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-fake-tools-'));
  const real = toolsDir(process.env);
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(real, 'bin', 'kubeconform'), join(dir, 'bin', 'kubeconform'));
  // helm renders the charts for an upgrade's pre-flight (offline).
  symlinkSync(join(real, 'bin', 'helm'), join(dir, 'bin', 'helm'));
  symlinkSync(join(real, 'schemas'), join(dir, 'schemas'));
  const log = join(dir, 'eksctl-calls.jsonl');
  writeFileSync(log, '');
  if (options.withEksctl !== false) {
    const script = join(repoRoot, 'test', 'fixtures', 'fake-eksctl', 'fake-eksctl.cjs');
    writeFileSync(join(dir, 'bin', 'eksctl'), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
  }
  return {
    env: (extra = {}) => ({
      ...process.env,
      BIOMAGE_TOOLS_DIR: dir,
      // No eksctl from the machine: only the fake (or none at all).
      PATH: ['/usr/bin', '/bin'].filter((p) => !existsSync(join(p, 'eksctl'))).join(':'),
      FAKE_EKSCTL_LOG: log,
      FAKE_EKSCTL_REAL: join(real, 'bin', 'eksctl'),
      FAKE_EKSCTL_NODE_MODULES: join(repoRoot, 'node_modules'),
      ...(options.fail ? { FAKE_EKSCTL_FAIL: options.fail } : {}),
      BIOMAGE_STATE_DIR: join(dir, 'state'),
      ...extra,
    }),
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as EksctlCall),
  };
}
