import { realpathSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { installRoot, toolsDir } from '../paths.js';
import type { ToolSource } from './locate.js';
import { locate } from './locate.js';
import { runToolOk } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/**
 * The pinned Node's folders (`tools/install.sh node`, only where the machine's Node is older than
 * NODE_MIN), in bin/biomage's order: the relocated toolchain's (BIOMAGE_TOOLS_DIR), then the
 * checkout's.
 */
export function pinnedNodeDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([join(toolsDir(env), 'node'), join(installRoot, '.tools', 'node')])];
}

function realpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The Node running biomage: `project` when it is the pinned one in .tools/node, else `PATH`. */
export function runningNode(env: NodeJS.ProcessEnv = process.env): { version: string; path: string; source: ToolSource } {
  const self = realpath(process.execPath) ?? process.execPath;
  const pinned = pinnedNodeDirs(env).some((dir) => realpath(join(dir, 'bin', 'node')) === self);
  return { version: process.versions.node, path: process.execPath, source: pinned ? 'project' : 'PATH' };
}

/** node: the runtime biomage itself runs on; asked in-process, nothing spawned. */
export const node: ToolSpec = {
  name: 'node',
  install: 'tools/install.sh node (the pinned Node.js into .tools/node), or install Node.js 24 or 22',
  purpose: 'runs biomage',
  pin: { key: 'NODE_MIN', kind: 'minimum' },
  required: true,
  where: () => {
    const { path, source } = runningNode();
    return { path, source };
  },
  version() {
    return Promise.resolve(process.versions.node);
  },
};

/** The machine's own node: PATH without the pinned Node's folder (make puts it first). */
const machineNodeTool = { name: 'node', install: 'install Node.js 24 or 22', scope: 'system' as const };

/** Where the machine's node is and its version; undefined when PATH has none. */
export async function machineNode(env: NodeJS.ProcessEnv): Promise<{ path: string; version?: string } | undefined> {
  const pinnedBins = new Set(pinnedNodeDirs(env).map((dir) => join(dir, 'bin')));
  const PATH = (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !pinnedBins.has(resolve(dir)))
    .join(delimiter);
  const machineEnv = { ...env, PATH };
  const found = locate('node', machineEnv, 'system');
  if (!found) return undefined;
  const version = await runToolOk(machineNodeTool, ['--version'], { env: machineEnv })
    .then((run) => firstLine(run.stdout, /^v/))
    .catch(() => undefined);
  return { path: found.path, ...(version ? { version } : {}) };
}
