import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { AwsTarget } from '../../src/aws/target.js';
import { startEmulator, type RunningEmulator } from '../../src/tools/moto.js';

/**
 * One emulator for the calling test file: started before its tests, stopped after them. `env`
 * adds to its environment (BIOMAGE_EKS_CATALOGUE: a recorded EKS catalogue of the test's own).
 */
export function useEmulator(options: { env?: NodeJS.ProcessEnv } = {}): { emulator: () => RunningEmulator; target: () => AwsTarget } {
  let running: RunningEmulator | undefined;
  beforeAll(async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'biomage-test-')), 'emulator.log');
    running = await startEmulator({ logFile, ...(options.env ? { env: { ...process.env, ...options.env } } : {}) });
  });
  afterAll(async () => {
    await running?.stop();
  });
  const emulator = () => {
    if (!running) throw new Error('the emulator is not running (did beforeAll fail?)');
    return running;
  };
  return {
    emulator,
    target: () => ({ region: 'eu-west-1', endpoint: emulator().endpoint, local: true }),
  };
}
