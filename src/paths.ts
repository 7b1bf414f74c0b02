import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where biomage itself is installed: its package.json, bin/, tools/versions.env, tools/emulator
 * and the pinned toolchain in .tools/. This file lives in src/ (tests) or dist/ (the built CLI),
 * one level down. It is not the repository biomage works on: that is the command's `ctx.root`
 * (src/repository-root.ts), which may be another clone altogether.
 */
export const installRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the pinned toolchain lives: beside biomage's code; BIOMAGE_TOOLS_DIR relocates it (tests build partial toolchains). */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BIOMAGE_TOOLS_DIR ? resolve(env.BIOMAGE_TOOLS_DIR) : join(installRoot, '.tools');
}

/**
 * Local state (the twin's emulator record and env file, the local cluster, deploy-infra's logs):
 * `.biomage/` of the repository it was started for, so each clone has its own twin.
 * BIOMAGE_STATE_DIR relocates it; `root` is asked for only when it does not.
 */
export function stateDir(root: () => string, env: NodeJS.ProcessEnv = process.env): string {
  return env.BIOMAGE_STATE_DIR ? resolve(env.BIOMAGE_STATE_DIR) : join(root(), '.biomage');
}

/** biomage's own version, from its package.json. */
export function biomageVersion(): string {
  return (JSON.parse(readFileSync(join(installRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
