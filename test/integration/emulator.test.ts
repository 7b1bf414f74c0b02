import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { callerIdentity } from '../../src/aws/identity.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { isAlive } from '../../src/tools/pid.js';
import { startEmulator } from '../../src/tools/moto.js';
import { useEmulator } from '../helpers/emulator.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'biomage-emu-test-'));

/** An environment that marks the emulator started with it, so /proc can find it afterwards. */
const marked = () => {
  const marker = `BIOMAGE_EMULATOR_PROBE=${randomUUID()}`;
  return { marker, env: { ...process.env, BIOMAGE_EMULATOR_PROBE: marker.split('=')[1] } };
};

/** Live (not zombie) processes whose environment holds `marker`, children of this worker included. */
function liveProcessesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
        return readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker);
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('the emulator harness', () => {
  const { emulator, target } = useEmulator();

  it('listens on 127.0.0.1 and answers STS GetCallerIdentity through the real SDK', async () => {
    expect(emulator().endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const sts = awsClient(STSClient, target());
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toMatch(/^\d{12}$/);
    expect(identity.Arn).toMatch(/^arn:aws:(iam|sts)::\d{12}:/);
    expect(await callerIdentity(target())).toMatchObject({ account: identity.Account });
  });

  it('stops and leaves no process behind', async () => {
    const { marker, env } = marked();
    const own = await startEmulator({ logFile: join(scratch(), 'emulator.log'), env });
    expect(isAlive(own.pid)).toBe(true);
    expect(liveProcessesWith(marker)).toEqual([own.pid]);
    expect(await accepts(own.port)).toBe(true);
    await own.stop();
    expect(isAlive(own.pid)).toBe(false);
    expect(liveProcessesWith(marker), 'processes started by the emulator still run').toEqual([]);
    expect(await accepts(own.port), `port ${own.port} still accepts connections`).toBe(false);
  });

  it('two emulators run side by side on different free ports', async () => {
    const other = await startEmulator({ logFile: join(scratch(), 'emulator.log') });
    try {
      expect(other.port).not.toBe(emulator().port);
    } finally {
      await other.stop();
    }
  });

  it('a port already taken fails with the emulator log, and nothing is left running', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const logFile = join(scratch(), 'emulator.log');
    const { marker, env } = marked();
    try {
      const error = (await startEmulator({ logFile, port, env }).catch((e: unknown) => e)) as Error & { hint?: string };
      expect(error.message).toContain('the emulator did not start');
      expect(error.hint).toMatch(/Address already in use/);
      // It did start a process (its log says why it failed); none is left.
      expect(readFileSync(logFile, 'utf8')).toMatch(/Address already in use/);
      expect(liveProcessesWith(marker), 'a failed start left the emulator running').toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('dies with its parent even when the parent is killed with SIGKILL', async () => {
    // A separate node process owns the emulator; killing it must take the emulator down too.
    const logFile = join(scratch(), 'emulator.log');
    const { marker, env } = marked();
    const script = `
      const { startEmulator } = await import(${JSON.stringify(join(repoRoot, 'dist', 'tools', 'moto.js'))});
      const e = await startEmulator({ logFile: ${JSON.stringify(logFile)} });
      console.log(e.pid, e.port);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env });
    const [pid, port] = await new Promise<number[]>((resolve) =>
      parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim().split(' ').map(Number))),
    );
    expect(isAlive(pid!)).toBe(true);
    expect(await accepts(port!)).toBe(true);
    parent.kill('SIGKILL');
    for (let i = 0; i < 100 && liveProcessesWith(marker).length; i++) await sleep(100);
    expect(isAlive(pid!), `emulator ${pid} outlived its parent; log:\n${readFileSync(logFile, 'utf8')}`).toBe(false);
    expect(liveProcessesWith(marker), 'processes of the killed parent still run').toEqual([]);
    expect(await accepts(port!), `port ${port} still accepts connections`).toBe(false);
  });
});
