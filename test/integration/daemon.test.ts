import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { groupAlive, startDaemon, stopProcessGroup } from '../../src/tools/daemon.js';

/**
 * src/tools/daemon.ts with real processes: a daemon leads its own process group, and stopping it
 * stops everything it started, by SIGTERM, or by SIGKILL once the grace period is over.
 */
const root = mkdtempSync(join(tmpdir(), 'biomage-daemon-'));
const started: number[] = [];

afterAll(() => {
  // Whatever a failed test left behind: SIGKILL to each group we started.
  for (const pgid of started) {
    for (const pid of groupMembers(pgid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** `/proc/<pid>/stat` as state and process group; undefined once the process is gone. */
function stat(pid: number): { comm: string; state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')), state: fields[0]!, pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Running: present and not a zombie (an exited process nobody has reaped yet). */
function running(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

/** Every running process whose process group is `pgid`, found by scanning /proc. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => stat(pid)?.pgrp === pgid && running(pid));
}

/** Wait until `check` holds (polled), or fail with `what`. */
async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function start(name: string, script: string) {
  const daemon = startDaemon({ name, path: '/bin/sh', args: ['-c', script], env: process.env, logFile: join(root, `${name}.log`) });
  started.push(daemon.pid);
  return daemon;
}

describe('startDaemon and stopProcessGroup', () => {
  it('starts a daemon as the leader of its own process group, logging to its log file, and stops it with every child it started', async () => {
    const daemon = start('sleepers', 'echo started; sleep 300 & sleep 300 & wait');
    expect(daemon.name).toBe('sleepers');
    expect(daemon.logFile).toBe(join(root, 'sleepers.log'));
    expect(daemon.pid).toBeGreaterThan(0);

    // Found before stopping: the shell, which leads the group, and its two sleeps.
    const members = await until('the shell and its two sleeps', () => {
      const found = groupMembers(daemon.pid);
      return found.length === 3 ? found : undefined;
    });
    expect(members).toContain(daemon.pid);
    expect(stat(daemon.pid)!.pgrp).toBe(daemon.pid);
    const sleeps = members.filter((pid) => pid !== daemon.pid);
    expect(sleeps.map((pid) => stat(pid)!.comm)).toEqual(['sleep', 'sleep']);
    expect(sleeps.every((pid) => stat(pid)!.pgrp === daemon.pid)).toBe(true);
    await until('the log line', () => readFileSync(daemon.logFile, 'utf8').includes('started'));

    expect(groupAlive(daemon.pid)).toBe(true);

    await stopProcessGroup(daemon.pid);

    expect(running(daemon.pid)).toBe(false);
    for (const pid of sleeps) expect(running(pid), `sleep ${pid}`).toBe(false);
    expect(groupMembers(daemon.pid)).toEqual([]);
    expect(groupAlive(daemon.pid)).toBe(false);
  });

  it('kills with SIGKILL, after the grace period, a daemon that ignores SIGTERM', async () => {
    const daemon = start('stubborn', 'trap "" TERM; sleep 300');
    await until('the stubborn daemon to ignore TERM and sleep', () => groupMembers(daemon.pid).some((pid) => stat(pid)?.comm === 'sleep'));
    const members = groupMembers(daemon.pid);

    // SIGTERM alone does not stop it, so whatever stops it below is the SIGKILL.
    process.kill(-daemon.pid, 'SIGTERM');
    await sleep(200);
    expect(groupAlive(daemon.pid)).toBe(true);
    for (const pid of members) expect(running(pid), `pid ${pid} after SIGTERM`).toBe(true);

    await stopProcessGroup(daemon.pid, 300);

    for (const pid of members) expect(running(pid), `pid ${pid} after stopProcessGroup`).toBe(false);
    expect(groupAlive(daemon.pid)).toBe(false);
  });

  it('resolves at once for a process that no longer exists', async () => {
    const gone = spawnSync('/bin/true');
    expect(gone.status).toBe(0);
    const pid = gone.pid;
    expect(running(pid)).toBe(false);

    // At once: before the next turn of the event loop, so no grace period, no polling.
    const stop = stopProcessGroup(pid, 60_000).then(() => 'stopped' as const);
    expect(await Promise.race([stop, nextTurn('still waiting' as const)])).toBe('stopped');
  });

  it('resolves at once for a daemon that has already exited', async () => {
    const daemon = start('short-lived', 'exit 0');
    await until('the short-lived daemon to exit', () => !groupAlive(daemon.pid));
    const stop = stopProcessGroup(daemon.pid, 60_000).then(() => 'stopped' as const);
    expect(await Promise.race([stop, nextTurn('still waiting' as const)])).toBe('stopped');
  });
});
