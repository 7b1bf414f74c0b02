import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { callerIdentity } from '../../src/aws/identity.js';
import { repoRoot } from '../../src/paths.js';
import { isAlive } from '../../src/tools/pid.js';
import { startEmulator } from '../../src/tools/moto.js';
import { useEmulator } from '../helpers/emulator.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'biomage-emu-test-'));

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
    const own = await startEmulator({ logFile: join(scratch(), 'emulator.log') });
    expect(isAlive(own.pid)).toBe(true);
    await own.stop();
    expect(isAlive(own.pid)).toBe(false);
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
    try {
      const error = (await startEmulator({ logFile, port }).catch((e: unknown) => e)) as Error & { hint?: string };
      expect(error.message).toContain('the emulator did not start');
      expect(error.hint).toMatch(/Address already in use/);
    } finally {
      blocker.close();
    }
  });

  it('dies with its parent even when the parent is killed with SIGKILL', async () => {
    // A separate node process owns the emulator; killing it must take the emulator down too.
    const logFile = join(scratch(), 'emulator.log');
    const script = `
      const { startEmulator } = await import(${JSON.stringify(join(repoRoot, 'dist', 'tools', 'moto.js'))});
      const e = await startEmulator({ logFile: ${JSON.stringify(logFile)} });
      console.log(e.pid);
      setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    expect(isAlive(pid)).toBe(true);
    parent.kill('SIGKILL');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    expect(isAlive(pid), `emulator ${pid} outlived its parent; log:\n${readFileSync(logFile, 'utf8')}`).toBe(false);
  });
});
