import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError } from '../ui/errors.js';
import { isAlive } from './pid.js';

/** A long-running local process (a controller, the git server) that outlives the command that started it. */
export interface DaemonSpec {
  name: string;
  path: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  cwd?: string;
}

export interface DaemonRecord {
  name: string;
  /** Also its process group id: every daemon leads its own group, so one signal reaches its children too. */
  pid: number;
  logFile: string;
}

/**
 * Start a daemon in its own process group (setsid), its output appended to a log file (a real
 * descriptor, not a pipe, so it keeps logging after we exit), and let it run on without us.
 */
export function startDaemon(spec: DaemonSpec): DaemonRecord {
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.path, spec.args, {
      env: spec.env,
      cwd: spec.cwd,
      stdio: ['ignore', log, log],
      detached: true,
    });
    if (child.pid === undefined) throw new OperationError(`could not start ${spec.name} (${spec.path})`, { where: spec.logFile });
    // An 'error' event (ENOENT after spawn) must not crash us: the caller's readiness check reports it.
    child.on('error', () => undefined);
    child.unref();
    return { name: spec.name, pid: child.pid, logFile: spec.logFile };
  } finally {
    closeSync(log);
  }
}

/**
 * Whether any process of the group led by `pgid` is still running. Zombies do not count: they
 * have exited, and where nothing reaps orphans (a container whose pid 1 is not an init) they
 * would otherwise look alive for ever.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return isAlive(pgid);
  }
  const members = groupMembers(pgid);
  return members === undefined ? true : members.length > 0;
}

/** The live (non-zombie) processes of a group, from /proc; undefined where there is no /proc. */
function groupMembers(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

/**
 * Stop a daemon and everything it started: SIGTERM to its process group, then SIGKILL to what is
 * left after the grace period. Resolves once the group is gone; a group already gone is fine.
 */
export async function stopProcessGroup(pgid: number, graceMs = 5_000): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGKILL');
  const hard = Date.now() + 5_000;
  while (groupAlive(pgid) && Date.now() < hard) await sleep(20);
}

/** SIGKILL to each group, synchronously: for process 'exit' handlers, where nothing can be awaited. */
export function killGroupsNow(pgids: number[]): void {
  for (const pgid of pgids) signalGroup(pgid, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    try {
      process.kill(pgid, signal);
    } catch {
      // already gone
    }
  }
}

/** The last lines of a process's log, indented for an error's hint; empty when there is no log. */
export function logTail(file: string, lines: number): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n  ') : '';
}

/** Whether something answers a GET at `url` with a 2xx within a couple of seconds: the readiness probe of our local processes. */
export async function respondsOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
