import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { toolsDir } from '../paths.js';

export type ToolSource = 'project' | 'PATH';

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

/** Find an executable; `projectOnly` skips PATH (the venv's python must never be the system one). */
export function locate(name: string, env: NodeJS.ProcessEnv = process.env, projectOnly = false): LocatedTool | undefined {
  for (const { dir, source } of searchDirs(env)) {
    if (projectOnly && source !== 'project') break;
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
