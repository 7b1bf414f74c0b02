import { execa } from 'execa';
import { OperationError, ToolMissingError } from '../ui/errors.js';
import { locate, type ToolScope } from './locate.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Called with each line of output as it arrives (for --verbose streaming). */
  onLine?: (line: string) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A tool ran and exited non-zero; its last lines of stderr say why. */
export class ToolFailedError extends OperationError {
  constructor(
    readonly tool: string,
    readonly toolExitCode: number,
    readonly stderr: string,
  ) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n  ');
    super(`${tool} exited with code ${toolExitCode}${tail ? `:\n  ${tail}` : ''}`);
  }
}

/** How to get a missing tool: every facade names its own install command. */
export interface ToolIdentity {
  name: string;
  install: string;
  /** Where it may be found (default: .tools/, then PATH). */
  scope?: ToolScope;
}

/**
 * Run an external binary. The only place in the code base that spawns processes for a
 * command's work, so missing binaries and failures become typed errors in one way.
 */
export async function runTool(tool: ToolIdentity, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = options.env ?? process.env;
  const found = locate(tool.name, env, tool.scope);
  if (!found) {
    throw new ToolMissingError(tool.name, `${tool.name} is not installed (looked in .tools/ and PATH)`, {
      hint: `install it with: ${tool.install}`,
    });
  }
  const subprocess = execa(found.path, args, {
    cwd: options.cwd,
    env,
    extendEnv: false,
    input: options.input,
    timeout: options.timeoutMs,
    reject: false,
    all: false,
    stripFinalNewline: true,
    lines: false,
  });
  if (options.onLine) {
    const onLine = options.onLine;
    for (const stream of [subprocess.stdout, subprocess.stderr]) {
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        lines.forEach(onLine);
      });
      stream.on('end', () => pending && onLine(pending));
    }
  }
  const result = await subprocess;
  if (result.timedOut) throw new OperationError(`${tool.name} did not finish within ${options.timeoutMs} ms`);
  if (result.failed && result.exitCode === undefined) {
    throw new OperationError(`${tool.name} could not be started: ${result.shortMessage}`, { cause: result });
  }
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? 1 };
}

/** Run and require exit code 0. */
export async function runToolOk(tool: ToolIdentity, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runTool(tool, args, options);
  if (result.exitCode !== 0) throw new ToolFailedError(tool.name, result.exitCode, result.stderr || result.stdout);
  return result;
}
