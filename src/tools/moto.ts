import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { installRoot } from '../paths.js';
import { OperationError, ToolMissingError } from '../ui/errors.js';
import { locate } from './locate.js';
import { logTail, respondsOk } from './daemon.js';
import { isAlive } from './pid.js';
import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** moto, the AWS emulator, run by the tools venv's python through tools/emulator/launch.py. */
export const moto: ToolSpec = {
  name: 'python',
  label: 'moto',
  install: 'tools/install.sh venv',
  purpose: 'AWS emulator (local twin and tests)',
  pin: { key: 'MOTO_VERSION', kind: 'exact' },
  required: true,
  scope: 'project',
  async version(env) {
    const script = 'import importlib.metadata as m; print(m.version("moto"))';
    return firstLine((await runToolOk(moto, ['-c', script], { env })).stdout);
  },
};

export const LAUNCHER = join(installRoot, 'tools', 'emulator', 'launch.py');

export interface EmulatorOptions {
  /** Where the emulator's own log goes (it logs every request). */
  logFile: string;
  /** Keep running after this process exits (`biomage dev up`); otherwise it dies with us. */
  keepRunning?: boolean;
  /** Fixed port; default 0, a free port chosen by the kernel. */
  port?: number;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningEmulator {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** Emulators started by this process that must not outlive it. */
const owned = new Set<number>();
let exitHookInstalled = false;

function killOwnedOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all there is time for. A parent killed by
  // a signal runs no handler at all; launch.py's parent-death signal covers that case.
  process.once('exit', () => {
    for (const pid of owned) killQuietly(pid, 'SIGKILL');
  });
}

/**
 * Start the emulator on 127.0.0.1 and resolve once it answers HTTP. Rejects with the tail of
 * the emulator's log if it exits or stays silent past the timeout (and then leaves nothing running).
 */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const env = options.env ?? process.env;
  const python = locate(moto.name, env, moto.scope);
  if (!python) {
    throw new ToolMissingError('moto', 'the AWS emulator (moto) is not installed in .tools/venv', {
      hint: `install it with: ${moto.install}`,
    });
  }
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-emulator-'));
  const readyFile = join(scratch, 'ready.json');
  const keepRunning = options.keepRunning ?? false;
  const args = [LAUNCHER, '--ready-file', readyFile, '--port', String(options.port ?? 0)];
  if (!keepRunning) args.push('--die-with-parent');

  // A real file descriptor, not a pipe: a detached emulator must keep logging after we exit.
  const log = openSync(options.logFile, 'a');
  const child = spawn(python.path, args, {
    env: { ...env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', log, log],
    detached: keepRunning,
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new OperationError('could not start the emulator (spawn failed)');
  let exited = false;
  child.on('exit', () => {
    exited = true;
    owned.delete(pid);
  });
  child.on('error', () => {
    exited = true;
  });
  if (keepRunning) child.unref();
  else {
    owned.add(pid);
    killOwnedOnExit();
  }

  try {
    const port = await waitForReadyFile(readyFile, () => exited, options.timeoutMs ?? 30_000);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilAnswers(endpoint, options.timeoutMs ?? 30_000);
    return { endpoint, port, pid, stop: () => stopEmulator(pid) };
  } catch (error) {
    await stopEmulator(pid);
    const tail = logTail(options.logFile, 8);
    throw new OperationError(`the emulator did not start: ${(error as Error).message}`, {
      where: options.logFile,
      hint: tail ? `its log ends with:\n  ${tail}` : 'rerun with --verbose',
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function waitForReadyFile(file: string, exited: () => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { port: number }).port;
    if (exited()) throw new Error('it exited before listening');
    await sleep(50);
  }
  throw new Error(`it did not listen within ${timeoutMs} ms`);
}

/** Resolve when the emulator answers an HTTP request; reject at the deadline. */
export async function waitUntilAnswers(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await answers(endpoint)) return;
    if (Date.now() > deadline) throw new Error(`${endpoint} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** True when something at the endpoint answers as moto does. */
export async function answers(endpoint: string): Promise<boolean> {
  return respondsOk(`${endpoint}/moto-api/`);
}

/** Stop an emulator by pid (ours or one left by `dev up`): SIGTERM, then SIGKILL after 5 s. */
export async function stopEmulator(pid: number, graceMs = 5_000): Promise<void> {
  owned.delete(pid);
  if (!isAlive(pid)) return;
  killQuietly(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    killQuietly(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(20);
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
