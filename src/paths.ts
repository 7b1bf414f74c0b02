import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in src/ (tests) or dist/ (the built CLI), one level down. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the pinned toolchain lives; BIOMAGE_TOOLS_DIR relocates it (tests build partial toolchains). */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BIOMAGE_TOOLS_DIR ? resolve(env.BIOMAGE_TOOLS_DIR) : join(repoRoot, '.tools');
}

/** Local state of the twin (emulator pid and endpoint, env files); BIOMAGE_STATE_DIR relocates it. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BIOMAGE_STATE_DIR ? resolve(env.BIOMAGE_STATE_DIR) : join(repoRoot, '.biomage');
}

/** biomage's own version, from its package.json. */
export function biomageVersion(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
