import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { toolsDir } from '../paths.js';

export type ToolSource = 'project' | 'PATH';

/** Where a binary may come from: `project` (.tools/ only), `system` (PATH only), or `any`. */
export type ToolScope = 'project' | 'system' | 'any';

export interface LocatedTool {
  path: string;
  /** `project`: the pinned build in .tools/; `PATH`: whatever the machine has. */
  source: ToolSource;
}

/** Where binaries are looked for: the project's pinned toolchain first, then PATH. */
export function searchDirs(env: NodeJS.ProcessEnv = process.env): { dir: string; source: ToolSource }[] {
  const tools = toolsDir(env);
  return [
    { dir: join(tools, 'bin'), source: 'project' as const },
    { dir: join(tools, 'venv', 'bin'), source: 'project' as const },
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => ({ dir, source: 'PATH' as const })),
  ];
}

/**
 * Find an executable. The scope keeps look-alikes apart: moto and cfn-lint must come from the
 * venv (`project`), while the python that creates the venv must be the machine's (`system`).
 */
export function locate(name: string, env: NodeJS.ProcessEnv = process.env, scope: ToolScope = 'any'): LocatedTool | undefined {
  for (const { dir, source } of searchDirs(env)) {
    if ((scope === 'project' && source !== 'project') || (scope === 'system' && source !== 'PATH')) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return { path, source };
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
