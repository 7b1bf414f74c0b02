import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installRoot as repoRoot } from '../../src/paths.js';
import { pinned } from '../../src/tools/versions.js';

/**
 * tools/install.sh when a build fails: the run exits non-zero naming the tool, writes no stamp,
 * leaves the previous installation byte for byte as it was, and leaves no scratch folder behind.
 * The failures are injected with stand-in `go`/`node` executables put first on PATH (fault
 * injection only: nothing here pretends a build succeeded, except the first half of kwok's two
 * binaries, which is what lets the second half fail after it); the venv fails for real, against a
 * package index that refuses connections.
 */
const INSTALL = join(repoRoot, 'tools', 'install.sh');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

function executable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

/**
 * A `go` that passes the installer's Go version check and fails every other command. With
 * STANDIN_GO_BUILDS set, `go install` of a package containing it "succeeds" by leaving an empty
 * executable in GOBIN.
 */
const FAILING_GO = `#!/bin/sh
if [ "$1 $2" = "env GOVERSION" ]; then echo go9.9.9; exit 0; fi
if [ "$1" = install ] && [ -n "\${STANDIN_GO_BUILDS:-}" ]; then
  for last; do :; done
  case $last in *"$STANDIN_GO_BUILDS"*)
    name=\${last%@*}; name=\${name##*/}
    printf '#!/bin/sh\\n' >"$GOBIN/$name"; chmod +x "$GOBIN/$name"; exit 0 ;;
  esac
fi
echo "stand-in go: failing on purpose: go $*" >&2
exit 1
`;

/** A `node` that fails whatever it is asked (npm runs on it too). */
const FAILING_NODE = `#!/bin/sh
echo "stand-in node: failing on purpose: node $*" >&2
exit 1
`;

/** A folder of stand-ins, put first on PATH. */
function standIns(files: Record<string, string>): string {
  const dir = tempDir('biomage-standin-');
  for (const [name, text] of Object.entries(files)) executable(join(dir, name), text);
  return dir;
}

/** Every folder and file under a folder, files with their bytes (symlinks are not followed). */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        files[`${relative(root, path)}/`] = 'folder';
        walk(path);
      }
      else files[relative(root, path)] = entry.isSymbolicLink() ? `-> link` : readFileSync(path, 'base64');
    }
  };
  walk(root);
  return files;
}

function install(tool: string, toolsDir: string, standInDir: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(INSTALL, [tool], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${standInDir}${delimiter}${process.env.PATH ?? ''}`, BIOMAGE_TOOLS_DIR: toolsDir, ...env },
    timeout: 120_000,
  });
}

/** An "old installation" of a Go-built tool: binaries that report an older version, and its stamp. */
function oldGoTool(tool: string): string {
  const tools = tempDir('biomage-install-fail-');
  const bin = join(tools, 'bin');
  mkdirSync(bin);
  const binaries: Record<string, string[]> = {
    kube: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
    kwok: ['kwok', 'kwokctl'],
    'flux-controllers': ['source-controller', 'kustomize-controller', 'helm-controller'],
  };
  for (const exe of binaries[tool] ?? [tool]) executable(join(bin, exe), `#!/bin/sh\necho 'old ${exe} v0.0.1'\n`);
  if (tool === 'kwok' || tool === 'flux-controllers') writeFileSync(join(bin, `.${tool}.installed-from`), 'old stamp v0.0.1\n');
  return tools;
}

function expectFailedCleanly(run: ReturnType<typeof install>, tool: string, tools: string, before: Record<string, string>) {
  expect(run.status, run.stderr).not.toBe(0);
  expect(run.stderr).toContain(`FAILED   ${tool} (exit`);
  expect(run.stderr).toContain(`tools/install.sh: not installed: ${tool} (see above)`);
  expect(run.stderr).not.toMatch(new RegExp(`^built +${tool} `, 'm'));
  // Same files, same bytes: no stamp written, nothing replaced, no scratch or staged folder left.
  const after = snapshot(tools);
  delete after['.install.lock'];
  expect(after).toEqual(before);
}

describe('tools/install.sh when a build fails', () => {
  const goTools = ['helm', 'kubeconform', 'actionlint', 'eksctl', 'etcd', 'kube', 'kwok', 'flux-controllers'];

  it.each(goTools)('%s: a stand-in go that exits 1 (fault injection) stops it, names it, and keeps the old binaries and stamp', (tool) => {
    const tools = oldGoTool(tool);
    const before = snapshot(tools);
    const run = install(tool, tools, standIns({ go: FAILING_GO }));
    expectFailedCleanly(run, tool, tools, before);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('stand-in go: failing on purpose');
  });

  it('kwok: kwok builds but kwokctl fails (stand-in go, fault injection): neither binary nor the stamp is replaced', () => {
    const tools = oldGoTool('kwok');
    const before = snapshot(tools);
    const run = install('kwok', tools, standIns({ go: FAILING_GO }), { STANDIN_GO_BUILDS: '/cmd/kwok@' });
    expectFailedCleanly(run, 'kwok', tools, before);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`stand-in go: failing on purpose: go install -trimpath`);
    expect(run.stderr).toContain(`sigs.k8s.io/kwok/cmd/kwokctl@${pinned('KWOK_VERSION')}`);
    expect(readFileSync(join(tools, 'bin', '.kwok.installed-from'), 'utf8')).toBe('old stamp v0.0.1\n');
  });

  it('schemas: a stand-in node that exits 1 (fault injection) fails the converter; the old schemas, CRDs and stamp stay', () => {
    const tools = tempDir('biomage-install-fail-');
    mkdirSync(join(tools, 'bin'));
    // eksctl at its pin (a stand-in answering `version` and `utils schema`), so only the schemas build.
    executable(
      join(tools, 'bin', 'eksctl'),
      `#!/bin/sh\ncase "$1" in version) echo '${pinned('EKSCTL_VERSION').replace(/^v/, '')}' ;; utils) echo '{}' ;; esac\n`,
    );
    mkdirSync(join(tools, 'schemas'));
    writeFileSync(join(tools, 'schemas', '.installed-from'), 'old schemas stamp\n');
    writeFileSync(join(tools, 'schemas', 'deployment-apps-v1.json'), '{"old": true}\n');
    mkdirSync(join(tools, 'crds', 'flux'), { recursive: true });
    writeFileSync(join(tools, 'crds', 'flux', 'source.toolkit.fluxcd.io_gitrepositories.yaml'), 'old: crd\n');
    const before = snapshot(tools);
    const run = install('schemas', tools, standIns({ node: FAILING_NODE }));
    expectFailedCleanly(run, 'schemas', tools, before);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('stand-in node: failing on purpose: node ');
    expect(run.stderr).toContain('build-schemas.mjs');
  });

  it('node: a stand-in node that exits 1 (fault injection) fails npm; the old .tools/node stays', () => {
    const tools = tempDir('biomage-install-fail-');
    mkdirSync(join(tools, 'bin'));
    mkdirSync(join(tools, 'node', 'bin'), { recursive: true });
    executable(join(tools, 'node', 'bin', 'node'), `#!/bin/sh\necho v22.0.0\n`);
    const before = snapshot(tools);
    const run = install('node', tools, standIns({ node: FAILING_NODE }));
    expectFailedCleanly(run, 'node', tools, before);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`building node v${pinned('NODE_VERSION')} (replacing v22.0.0)`);
    expect(run.stderr).toContain('stand-in node: failing on purpose');
  });

  it('venv: pip failing for real (a package index that refuses connections) keeps the old venv', () => {
    const tools = tempDir('biomage-install-fail-');
    mkdirSync(join(tools, 'bin'));
    mkdirSync(join(tools, 'venv', 'bin'), { recursive: true });
    writeFileSync(join(tools, 'venv', '.installed-from'), 'old venv stamp\n');
    executable(join(tools, 'venv', 'bin', 'cfn-lint'), '#!/bin/sh\necho old\n');
    const before = snapshot(tools);
    const run = install('venv', tools, standIns({}), {
      PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
      PIP_NO_CACHE_DIR: '1',
      PIP_RETRIES: '0',
      PIP_CONFIG_FILE: '/dev/null',
    });
    expectFailedCleanly(run, 'venv', tools, before);
    expect(run.status).toBe(1);
    expect(statSync(join(tools, 'venv', 'bin', 'cfn-lint')).isFile()).toBe(true);
  });
});
