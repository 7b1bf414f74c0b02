import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/diagnose.js';
import { pinned } from '../../src/tools/versions.js';
import { BIN, cleanEnv } from '../helpers/cli.js';

/**
 * Which Node bin/biomage runs on. The choice itself is checked on a copy of the launcher beside a
 * tools/versions.env of its own, with stand-in `node` executables that only record how they were
 * called (fault injection: no stand-in pretends to be biomage). The real launcher is then run on a
 * real Node found only through BIOMAGE_TOOLS_DIR, and doctor says so.
 */
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-launcher-'));
  scratch.push(dir);
  return dir;
}

/** A stand-in node that writes its name and argv to a record file. */
function recordingNode(path: string, name: string, record: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "${name}" "$@" >"${record}"\n`);
  chmodSync(path, 0o755);
}

/** A checkout holding only the launcher and a versions.env with the given NODE_MIN. */
function checkout(nodeMin: string): string {
  const root = tempDir();
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'tools'));
  copyFileSync(BIN, join(root, 'bin', 'biomage'));
  writeFileSync(join(root, 'tools', 'versions.env'), `NODE_MIN=${nodeMin}\n`);
  writeFileSync(join(root, 'package.json'), '{"type": "module"}\n');
  return root;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(file, args, { encoding: 'utf8', env: cleanEnv(env), timeout: 60_000 });
}

describe('bin/biomage chooses its Node', () => {
  it('sh picks .tools/node/bin/node over the PATH node, passing itself and every argument (stand-in nodes record the call)', () => {
    const root = checkout('1.0.0');
    const record = join(root, 'record.txt');
    const pathDir = join(root, 'path-bin');
    recordingNode(join(pathDir, 'node'), 'path', record);
    recordingNode(join(root, '.tools', 'node', 'bin', 'node'), 'pinned', record);
    const launcher = join(root, 'bin', 'biomage');

    expect(run(launcher, ['deploy-cf', '--env', 'a b'], { PATH: `${pathDir}:/usr/bin:/bin` }).status).toBe(0);
    expect(readFileSync(record, 'utf8').split('\n')).toEqual(['pinned', launcher, 'deploy-cf', '--env', 'a b', '']);

    // A relocated toolchain's Node comes first.
    const relocated = tempDir();
    recordingNode(join(relocated, 'node', 'bin', 'node'), 'relocated', record);
    expect(run(launcher, ['--help'], { PATH: `${pathDir}:/usr/bin:/bin`, BIOMAGE_TOOLS_DIR: relocated }).status).toBe(0);
    expect(readFileSync(record, 'utf8').split('\n')[0]).toBe('relocated');

    // Without a pinned Node, the PATH's; and through a symlink (npm link), the same.
    rmSync(join(root, '.tools'), { recursive: true });
    const link = join(tempDir(), 'biomage');
    symlinkSync(launcher, link);
    expect(run(link, ['--version'], { PATH: `${pathDir}:/usr/bin:/bin` }).status).toBe(0);
    expect(readFileSync(record, 'utf8').split('\n')).toEqual(['path', launcher, '--version', '']);
  });

  it('`node bin/biomage` on a Node older than NODE_MIN: exit 2 with the fix, when no pinned Node is installed', () => {
    const root = checkout('999.0.0');
    const result = run(process.execPath, [join(root, 'bin', 'biomage'), '--help'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `error: biomage needs Node.js 999.0.0 or later; this is ${process.version} (${process.execPath})\n` +
        '  next:  run `tools/install.sh node` to install the pinned Node.js into .tools/node (bin/biomage then runs on it),\n' +
        '         or install Node.js 24 (or 22) yourself\n',
    );
  });

  it('`node bin/biomage` on a Node older than NODE_MIN hands over to .tools/node with its options and arguments (a stand-in node records the call)', () => {
    const root = checkout('999.0.0');
    const record = join(root, 'record.txt');
    recordingNode(join(root, '.tools', 'node', 'bin', 'node'), 'pinned', record);
    const launcher = join(root, 'bin', 'biomage');
    const result = run(process.execPath, ['--no-warnings', launcher, 'check', '--json'], {});
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(record, 'utf8').split('\n')).toEqual(['pinned', '--no-warnings', launcher, 'check', '--json', '']);
  });

  it('the real launcher runs on a Node found only through BIOMAGE_TOOLS_DIR, and doctor names it with where it came from', () => {
    const tools = tempDir();
    mkdirSync(join(tools, 'node', 'bin'), { recursive: true });
    symlinkSync(process.execPath, join(tools, 'node', 'bin', 'node'));
    // No node on PATH at all: only the launcher's choice can start one.
    const env = { PATH: '/nonexistent', BIOMAGE_TOOLS_DIR: tools };
    const json = run(BIN, ['doctor', '--no-aws', '--json'], env);
    const { runtime } = (JSON.parse(json.stdout) as { result: DoctorReport }).result;
    expect(runtime).toMatchObject({ node: process.versions.node, source: 'project', minimum: pinned('NODE_MIN'), pinned: pinned('NODE_VERSION'), machine: null });

    const human = run(BIN, ['doctor', '--no-aws'], env);
    expect(human.stderr).toContain(
      `Node.js: biomage runs on ${process.versions.node} from .tools/node (${runtime.path}), the pinned NODE_VERSION ${pinned('NODE_VERSION')}; the machine has no node on PATH`,
    );
    expect(human.stderr).toMatch(new RegExp(`^node +ok +${process.versions.node.replace(/\./g, '\\.')} +>=${pinned('NODE_MIN').replace(/\./g, '\\.')} +project: `, 'm'));
  });
});
