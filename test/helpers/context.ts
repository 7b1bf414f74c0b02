import { createContext, parseGlobalOptions, type Context } from '../../src/context.js';
import { outputFor } from '../../src/ui/output.js';

export interface CapturedContext {
  ctx: Context;
  stdout: () => string;
  stderr: () => string;
}

/** A command context with captured output, for calling domain code in-process. */
export function testContext(command: string, options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): CapturedContext {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: { isTTY: false },
    env: { ...env, CI: 'true' },
  };
  const globals = parseGlobalOptions({ env: 'development', ...options });
  const out = outputFor({ json: globals.json, verbose: globals.verbose, color: false }, io);
  return { ctx: createContext(command, globals, out, io), stdout: () => stdout, stderr: () => stderr };
}
