import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorRecordPath, readEmulatorRecord, type EmulatorRecord } from '../aws/target.js';
import { isLocal, type Environment } from '../config/environments.js';
import { writeFileAtomically } from '../atomic-file.js';
import { answers, startEmulator, stopEmulator } from '../tools/moto.js';
import { UsageError } from '../ui/errors.js';

export interface TwinFiles {
  record: string;
  envFile: string;
  logFile: string;
}

/** The twin's files in the repository's state folder (`ctx.stateDir`: .biomage/, or BIOMAGE_STATE_DIR). */
export function twinFiles(stateDir: string): TwinFiles {
  const dir = stateDir;
  return {
    record: emulatorRecordPath(stateDir),
    envFile: join(dir, 'development.env'),
    logFile: join(dir, 'emulator.log'),
  };
}

export interface TwinState {
  running: boolean;
  endpoint?: string;
  pid?: number;
  startedAt?: string;
  /** True when `up` found the twin already running and kept it. */
  reused?: boolean;
  files: TwinFiles;
}

/** The twin is development's alone: refuse any other environment before touching anything. */
export function assertLocal(env: Environment, command: string): void {
  if (!isLocal(env)) {
    throw new UsageError(`\`biomage ${command}\` manages the local twin and cannot target --env ${env}`, {
      hint: 'drop --env (or BIOMAGE_ENV), or use --env development',
    });
  }
}

/** Start the emulator (or keep the one running) and write the files services read to find it. */
export async function twinUp(stateDir: string, processEnv: NodeJS.ProcessEnv, region: string, port: number | undefined): Promise<TwinState> {
  const files = twinFiles(stateDir);
  const existing = readEmulatorRecord(stateDir);
  if (existing && (await answers(existing.endpoint))) {
    writeEnvFile(files.envFile, existing.endpoint, region);
    return { running: true, ...existing, reused: true, files };
  }
  // A record whose process is gone or deaf: clear it before starting afresh.
  if (existing) await stopEmulator(existing.pid);
  rmSync(files.record, { force: true });

  mkdirSync(stateDir, { recursive: true });
  const emulator = await startEmulator({ logFile: files.logFile, keepRunning: true, port, env: processEnv });
  const record: EmulatorRecord = { endpoint: emulator.endpoint, pid: emulator.pid, startedAt: new Date().toISOString() };
  writeFileAtomically(files.record, `${JSON.stringify(record, null, 2)}\n`);
  writeEnvFile(files.envFile, emulator.endpoint, region);
  return { running: true, ...record, reused: false, files };
}

export async function twinStatus(stateDir: string): Promise<TwinState> {
  const files = twinFiles(stateDir);
  const record = readEmulatorRecord(stateDir);
  if (!record || !(await answers(record.endpoint))) return { running: false, files };
  return { running: true, ...record, files };
}

/** Stop the emulator and remove the files that point at it. Safe to run when nothing runs. */
export async function twinDown(stateDir: string): Promise<TwinState> {
  const files = twinFiles(stateDir);
  const record = readEmulatorRecord(stateDir);
  if (record) await stopEmulator(record.pid);
  rmSync(files.record, { force: true });
  rmSync(files.envFile, { force: true });
  return { running: false, ...(record ? { endpoint: record.endpoint, pid: record.pid } : {}), files };
}

/** Settings for Cellenics services run against the twin. The credentials are dummies the emulator accepts. */
function writeEnvFile(file: string, endpoint: string, region: string): void {
  writeFileAtomically(
    file,
    [
      '# Written by `biomage dev up`: the local twin of AWS. Source it, or point a service at it.',
      '# The credentials are placeholders: the emulator accepts any and holds no real data.',
      `AWS_ENDPOINT_URL=${endpoint}`,
      `AWS_REGION=${region}`,
      `AWS_DEFAULT_REGION=${region}`,
      'AWS_ACCESS_KEY_ID=testing',
      'AWS_SECRET_ACCESS_KEY=testing',
      'BIOMAGE_ENV=development',
      '',
    ].join('\n'),
  );
}
