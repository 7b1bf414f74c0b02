import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { installRoot as repoRoot } from '../../src/paths.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI in-process with captured streams. Commander reads option env vars from
 * process.env, so `env` is applied there for the duration of the run.
 */
export async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: { isTTY: false },
      env: process.env,
    });
    return { code, stdout, stderr };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

export const BIN = join(repoRoot, 'bin', 'biomage');

/**
 * Run the built CLI as a real process (bin/biomage → dist/), for exit codes and start-up; `cwd`
 * is the folder it runs in (the repository it works on is found from there), this one by default.
 */
export function spawnCli(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(BIN, argv, { env, timeout: 120_000, ...(cwd ? { cwd } : {}) }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The environment without anything that could point biomage somewhere it should not go. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['BIOMAGE_ENV', 'BIOMAGE_ROOT', 'AWS_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'NO_COLOR', 'BIOMAGE_STATE_DIR', 'BIOMAGE_TOOLS_DIR']) {
    delete env[k];
  }
  return { ...env, ...extra };
}
