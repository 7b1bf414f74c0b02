import { spawn } from 'node:child_process';
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
 *
 * Node's own child_process, not a wrapper library: a wrapper cost ~60 ms to load and several ms
 * per run (bench/release-diff.mjs), and this needs only a plain spawn with the output collected.
 */
export async function runTool(tool: ToolIdentity, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = options.env ?? process.env;
  const found = locate(tool.name, env, tool.scope);
  if (!found) {
    throw new ToolMissingError(tool.name, `${tool.name} is not installed (looked in .tools/ and PATH)`, {
      hint: `install it with: ${tool.install}`,
    });
  }
  const outcome = await new Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; error?: Error }>((resolve) => {
    const child = spawn(found.path, args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let error: Error | undefined;
    // SIGTERM first; a tool that ignores it is killed 5 s later.
    const stop = () => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    };
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, options.timeoutMs);
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ stdout: stripFinalNewline(Buffer.concat(out).toString()), stderr: stripFinalNewline(Buffer.concat(err).toString()), code, signal, timedOut, error });
    };
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    if (options.onLine) {
      const onLine = options.onLine;
      for (const stream of [child.stdout, child.stderr]) {
        let pending = '';
        stream.on('data', (chunk: Buffer) => {
          const lines = (pending + chunk.toString()).split('\n');
          pending = lines.pop() ?? '';
          lines.forEach(onLine);
        });
        stream.on('end', () => pending && onLine(pending));
      }
    }
    // A tool that exits without reading its input closes the pipe: not a failure of ours.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
    child.on('error', (e) => {
      error = e;
      // It never started (no pid): no close may follow.
      if (child.pid === undefined) finish(null, null);
    });
    // close, not exit: the output streams have ended too. After a timeout, exit: a grandchild
    // may still hold the pipes open.
    child.on('close', finish);
    child.on('exit', (code, signal) => timedOut && finish(code, signal));
  });
  if (outcome.timedOut) throw new OperationError(`${tool.name} did not finish within ${options.timeoutMs} ms`);
  if (outcome.error && outcome.code === null) throw new OperationError(`${tool.name} could not be started: ${outcome.error.message}`, { cause: outcome.error });
  if (outcome.code === null) throw new OperationError(`${tool.name} was stopped by ${outcome.signal ?? 'a signal'}`);
  return { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.code };
}

/** The output without its last line ending, as a shell's `$(…)` gives it. */
function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/** Run and require exit code 0. */
export async function runToolOk(tool: ToolIdentity, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runTool(tool, args, options);
  if (result.exitCode !== 0) throw new ToolFailedError(tool.name, result.exitCode, result.stderr || result.stdout);
  return result;
}
