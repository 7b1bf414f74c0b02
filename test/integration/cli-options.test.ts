import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const CLEAN = { BIOMAGE_ENV: undefined, AWS_REGION: undefined, AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined, CI: 'true' };

/** `doctor --json --no-aws --no-color` is cheap and echoes the environment it resolved. */
async function resolvedEnv(argv: string[], env: Record<string, string | undefined> = {}) {
  const run = await runCli(['doctor', '--json', '--no-aws', ...argv], { ...CLEAN, ...env });
  return (JSON.parse(run.stdout) as { result: { aws: { env: string } } }).result.aws.env;
}

describe('global options', () => {
  it('--help names every option with its environment variable, and the exit codes', async () => {
    const run = await runCli(['--help'], CLEAN);
    expect(run.code).toBe(0);
    for (const text of ['BIOMAGE_ENV', 'AWS_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'NO_COLOR', '--dry-run', '--yes', '--json', '--verbose']) {
      expect(run.stdout).toContain(text);
    }
    expect(run.stdout).toMatch(/2\s+bad usage or bad input/);
    expect(run.stdout).toMatch(/3\s+a check found problems/);
  });

  it('--env defaults to development', async () => {
    expect(await resolvedEnv([])).toBe('development');
  });

  it('BIOMAGE_ENV beats the default, and --env beats BIOMAGE_ENV', async () => {
    expect(await resolvedEnv([], { BIOMAGE_ENV: 'staging' })).toBe('staging');
    expect(await resolvedEnv(['--env', 'production'], { BIOMAGE_ENV: 'staging' })).toBe('production');
  });

  it('global options are accepted after the command too', async () => {
    expect(await resolvedEnv(['-e', 'staging'])).toBe('staging');
  });
});

describe('bad usage exits 2 with a one-line reason', () => {
  const oneLineError = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('error:'));

  it('an unknown command', async () => {
    const run = await runCli(['deploy-everything'], CLEAN);
    expect(run.code).toBe(2);
    expect(oneLineError(run.stderr)).toEqual(["error: unknown command 'deploy-everything'"]);
    expect(run.stderr).toContain('see `biomage --help`');
  });

  it('an unknown --env', async () => {
    const run = await runCli(['doctor', '--env', 'qa'], CLEAN);
    expect(run.code).toBe(2);
    expect(oneLineError(run.stderr)[0]).toMatch(/argument 'qa' is invalid\. Allowed choices are development, staging, production/);
  });

  it('an unknown BIOMAGE_ENV', async () => {
    const run = await runCli(['doctor'], { ...CLEAN, BIOMAGE_ENV: 'qa' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("value 'qa' from env 'BIOMAGE_ENV' is invalid");
  });

  it('an unknown option', async () => {
    const run = await runCli(['doctor', '--frobnicate'], CLEAN);
    expect(run.code).toBe(2);
    expect(oneLineError(run.stderr)).toEqual(["error: unknown option '--frobnicate'"]);
  });

  it('--endpoint-url conflicts with a real environment', async () => {
    const run = await runCli(['doctor', '--env', 'staging', '--endpoint-url', 'http://127.0.0.1:5000'], CLEAN);
    expect(run.code).toBe(2);
    expect(oneLineError(run.stderr)).toEqual([
      'error: --endpoint-url (or AWS_ENDPOINT_URL=http://127.0.0.1:5000) cannot be used with --env staging',
    ]);
    expect(run.stderr).toContain('unset AWS_ENDPOINT_URL');
  });

  it('AWS_ENDPOINT_URL left in the shell conflicts with --env production', async () => {
    const run = await runCli(['doctor', '--env', 'production'], { ...CLEAN, AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot be used with --env production');
  });

  it('a region that is not a region name', async () => {
    const run = await runCli(['doctor', '--region', 'Ireland'], CLEAN);
    expect(run.code).toBe(2);
    expect(oneLineError(run.stderr)).toEqual([
      "error: option '--region <region>' argument 'Ireland' is invalid. it is not an AWS region name (like eu-west-1).",
    ]);
  });

  it('no command at all prints the help on stderr', async () => {
    const run = await runCli([], CLEAN);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: biomage');
  });

  it('the twin commands refuse a real environment', async () => {
    const run = await runCli(['dev', 'up', '--env', 'production'], CLEAN);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('manages the local twin and cannot target --env production');
  });

  it('--version exits 0', async () => {
    const run = await runCli(['--version'], CLEAN);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('--json', () => {
  it('prints exactly one JSON document on stdout and nothing but progress on stderr', async () => {
    const run = await runCli(['doctor', '--json', '--no-aws'], CLEAN);
    const doc = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['command', 'exitCode', 'ok', 'result']);
    expect(doc.command).toBe('doctor');
    expect(doc.ok).toBe(doc.exitCode === 0);
    expect(doc.exitCode).toBe(run.code);
    expect(run.stderr).not.toContain('{');
  });

  it('reports usage errors as a document too', async () => {
    const run = await runCli(['doctor', '--json', '--env', 'staging', '--endpoint-url', 'http://127.0.0.1:1'], CLEAN);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      command: 'doctor',
      exitCode: 2,
      error: {
        code: 'usage',
        message: '--endpoint-url (or AWS_ENDPOINT_URL=http://127.0.0.1:1) cannot be used with --env staging',
        hint: 'the endpoint override is for the local twin only: unset AWS_ENDPOINT_URL, or use --env development',
      },
    });
  });

  it('reports commander errors as a document too', async () => {
    const run = await runCli(['nope', '--json'], CLEAN);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'usage' } });
  });
});
