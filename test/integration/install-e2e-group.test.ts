import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installRoot as repoRoot } from '../../src/paths.js';
import { pinned, pinnedVersions } from '../../src/tools/versions.js';

/**
 * tools/install.sh's `e2e` group: the local control plane's toolchain, never part of the default
 * set. Building it for real takes Kubernetes from source over the Go module proxy (minutes), so
 * the expansion is checked against a toolchain that already reports the pinned versions.
 */
const INSTALL = join(repoRoot, 'tools', 'install.sh');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-install-'));
  scratch.push(dir);
  return dir;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** PATH without any folder that holds `go`: an installer that tried to build anything would stop at `require_go`. */
const PATH_WITHOUT_GO = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir && !isExecutable(join(dir, 'go')))
  .join(delimiter);

function install(args: string[], toolsDir: string, path = process.env.PATH) {
  return spawnSync(INSTALL, args, { encoding: 'utf8', env: { ...process.env, PATH: path, BIOMAGE_TOOLS_DIR: toolsDir }, timeout: 60_000 });
}

/** A stand-in binary that prints what the pinned build would print for its version. */
function fakeBinary(bin: string, name: string, versionLine = ''): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\n${versionLine ? `echo '${versionLine}'\n` : ''}`);
  chmodSync(path, 0o755);
}

describe('tools/install.sh', () => {
  it('exits 2 for an unknown tool, naming every known tool and the e2e group, and touches nothing', () => {
    const tools = tempDir();
    const run = install(['nosuchtool'], tools);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain("unknown tool 'nosuchtool'");
    for (const tool of ['venv', 'helm', 'kubeconform', 'actionlint', 'eksctl', 'schemas', 'etcd', 'kube', 'kwok', 'flux-controllers', 'e2e']) {
      expect(run.stderr).toMatch(new RegExp(`[ (]${tool}[,) ]`));
    }
    expect(readdirSync(tools)).toEqual([]);
  });

  it('rejects an unknown tool given beside e2e before installing anything', () => {
    const tools = tempDir();
    const run = install(['e2e', 'nosuchtool'], tools, PATH_WITHOUT_GO);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain("unknown tool 'nosuchtool'");
    expect(readdirSync(tools)).toEqual([]);
  });

  it('expands e2e to etcd kube kwok flux-controllers, in that order (fake binaries standing in for builds from source, which need the network)', () => {
    const tools = tempDir();
    const bin = join(tools, 'bin');
    mkdirSync(bin);
    const k8s = pinned('KUBERNETES_RELEASE');
    fakeBinary(bin, 'etcd', `etcd Version: ${pinned('ETCD_VERSION').replace(/^v/, '')}`);
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) fakeBinary(bin, name, `Kubernetes ${k8s}`);
    for (const name of ['kwok', 'kwokctl', 'source-controller', 'kustomize-controller', 'helm-controller']) fakeBinary(bin, name);
    // kwok and the Flux controllers print no version: the installer trusts the stamp of a good build.
    const fluxStamp =
      `source-controller=${pinned('SOURCE_CONTROLLER_VERSION')} kustomize-controller=${pinned('KUSTOMIZE_CONTROLLER_VERSION')} ` +
      `helm-controller=${pinned('HELM_CONTROLLER_VERSION')} replaces=${pinnedVersions().FLUX_MODULE_REPLACES ?? ''}`;
    writeFileSync(join(bin, '.kwok.installed-from'), `${pinned('KWOK_VERSION')}\n`);
    writeFileSync(join(bin, '.flux-controllers.installed-from'), `${fluxStamp}\n`);

    // Without go on PATH: anything the installer tried to build would end in "Go ... is required".
    const run = install(['e2e'], tools, PATH_WITHOUT_GO);
    expect(run.status, run.stderr).toBe(0);
    // Exactly the four e2e tools, each found current; none of the default set (venv, helm, ...).
    expect(run.stderr.trim().split('\n')).toEqual([
      `ok       etcd ${pinned('ETCD_VERSION')} (already installed)`,
      `ok       kube ${k8s} (already installed)`,
      `ok       kwok ${pinned('KWOK_VERSION')} (already installed)`,
      `ok       flux-controllers ${fluxStamp} (already installed)`,
    ]);
    // Nothing else was written into the tools folder.
    expect(readdirSync(tools).sort()).toEqual(['.install.lock', 'bin']);
  });
});
