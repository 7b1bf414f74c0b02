import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/tools/pid.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';

const state = mkdtempSync(join(tmpdir(), 'biomage-dev-'));
const env = cleanEnv({ BIOMAGE_STATE_DIR: state, CI: 'true' });
/** The `result` of a --json output, typed by the caller that knows the command. */
const json = (stdout: string): unknown => (JSON.parse(stdout) as { result: unknown }).result;

interface State {
  running: boolean;
  endpoint?: string;
  pid?: number;
  reused?: boolean;
}

describe('biomage dev (the local twin)', () => {
  afterAll(async () => {
    await spawnCli(['dev', 'down'], env);
  });

  it('dev up --dry-run starts nothing', async () => {
    const run = await spawnCli(['dev', 'up', '--dry-run'], env);
    expect(run.code).toBe(0);
    expect(existsSync(join(state, 'emulator.json'))).toBe(false);
  });

  it('up starts the emulator, survives the CLI exiting, and writes the env file', async () => {
    const up = await spawnCli(['dev', 'up', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    const started = (json(up.stdout) as { twin: State }).twin;
    expect(started).toMatchObject({ running: true, reused: false });
    expect(isAlive(started.pid!)).toBe(true);
    const envFile = readFileSync(join(state, 'development.env'), 'utf8');
    expect(envFile).toContain(`AWS_ENDPOINT_URL=${started.endpoint}`);
    expect(envFile).toContain('AWS_REGION=eu-west-1');

    // Commands for development find the twin on their own, without --endpoint-url.
    const doctor = await spawnCli(['doctor', '--json'], env);
    expect((json(doctor.stdout) as { aws: { status: string; endpoint: string } }).aws).toMatchObject({ status: 'ok', endpoint: started.endpoint });

    const again = (json((await spawnCli(['dev', 'up', '--json'], env)).stdout) as { twin: State }).twin;
    expect(again).toMatchObject({ reused: true, pid: started.pid, endpoint: started.endpoint });

    const status = await spawnCli(['dev', 'status', '--json'], env);
    expect(status.code).toBe(0);
    expect(json(status.stdout) as State).toMatchObject({ running: true, pid: started.pid });

    const down = await spawnCli(['dev', 'down', '--json'], env);
    expect(down.code).toBe(0);
    expect(isAlive(started.pid!)).toBe(false);
    expect(existsSync(join(state, 'development.env'))).toBe(false);

    const after = await spawnCli(['dev', 'status', '--json'], env);
    expect(after.code).toBe(3);
    expect((json(after.stdout) as State).running).toBe(false);
  });
});
