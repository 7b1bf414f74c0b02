import type { BiomageError } from './errors.js';
import { LiveStatus } from './live-status.js';
import { colorWanted, painter, type Paint } from './style.js';

export interface TextSink {
  write(chunk: string): unknown;
}

/** The process's streams and environment, injectable so the CLI runs in-process in tests. */
export interface Io {
  stdout: TextSink & { isTTY?: boolean };
  stderr: TextSink & { isTTY?: boolean };
  stdin: { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  color: boolean;
  /** stderr is a terminal: progress may be redrawn in place. */
  liveProgress?: boolean;
  stdout: TextSink;
  stderr: TextSink;
}

/** What `--json` prints on stdout: exactly one document per run, success or failure. */
export interface JsonEnvelope {
  /** True exactly when the exit code is 0. */
  ok: boolean;
  command: string;
  exitCode: number;
  /** The command's result (also present when a check exits 3 with findings). */
  result?: unknown;
  /** Present when the command failed; `code` is stable, `message` is for people. */
  error?: { code: string; message: string; where?: string; hint?: string };
}

/**
 * The output layer. Human text (progress, results, errors) goes to stderr; stdout carries only
 * the machine document of `--json`, so `biomage … --json | jq` never sees progress lines.
 * Values registered with `secret()` are masked in everything written, whatever the path.
 */
export class Output {
  readonly paint: Paint;
  private readonly secrets = new Set<string>();

  constructor(private readonly options: OutputOptions) {
    this.paint = painter(options.color);
  }

  get json(): boolean {
    return this.options.json;
  }

  get verbose(): boolean {
    return this.options.verbose;
  }

  /** Never print this value: it is replaced by `****` wherever it would appear. */
  secret(value: string): void {
    if (value.length >= 4) this.secrets.add(value);
  }

  /** Per-item status lines for long parallel operations (see LiveStatus). */
  liveStatus(): LiveStatus {
    return new LiveStatus((text) => this.options.stderr.write(this.mask(text)), Boolean(this.options.liveProgress));
  }

  info(message: string): void {
    this.err(message);
  }

  step(message: string): void {
    this.err(`${this.paint('blue', '›')} ${message}`);
  }

  success(message: string): void {
    this.err(`${this.paint('green', '✓')} ${message}`);
  }

  warn(message: string): void {
    this.err(`${this.paint('yellow', 'warning:')} ${message}`);
  }

  /** Detail shown only with --verbose (tool output, API calls). */
  debug(message: string): void {
    if (this.options.verbose) this.err(this.paint('dim', message));
  }

  /**
   * The command's result: a JSON document on stdout with --json, else the human rendering on
   * stderr. A check that found problems passes exit code 3 and still reports its result.
   * `asJson` lets a command's own `--format json` ask for the same document.
   */
  result<T>(command: string, data: T, human: (data: T, paint: Paint) => string, exitCode = 0, asJson = this.options.json): void {
    if (asJson) this.writeJson({ ok: exitCode === 0, command, exitCode, result: data });
    else this.err(human(data, this.paint));
  }

  /** A machine format the operator asked for by name (SARIF): stdout, exactly as given. */
  document(text: string): void {
    this.options.stdout.write(`${this.mask(text)}\n`);
  }

  /** Report a failure: one line saying what, then where and the next step; the stack only with --verbose. */
  failure(command: string, error: BiomageError): void {
    const lines = [`${this.paint('red', 'error:')} ${error.message}`];
    if (error.where) lines.push(`  where: ${error.where}`);
    if (error.hint) lines.push(`  next:  ${error.hint}`);
    if (this.options.verbose && error.stack) lines.push(this.paint('dim', stackOf(error)));
    this.err(lines.join('\n'));
    if (this.options.json) {
      this.writeJson({
        ok: false,
        command,
        exitCode: error.exitCode,
        error: {
          code: error.code,
          message: error.message,
          ...(error.where ? { where: error.where } : {}),
          ...(error.hint ? { hint: error.hint } : {}),
        },
      });
    }
  }

  private writeJson(envelope: JsonEnvelope): void {
    this.options.stdout.write(`${this.mask(JSON.stringify(envelope, null, 2))}\n`);
  }

  private err(text: string): void {
    this.options.stderr.write(`${this.mask(text)}\n`);
  }

  private mask(text: string): string {
    let masked = text;
    for (const value of this.secrets) masked = masked.split(value).join('****');
    return masked;
  }
}

/** The error's stack followed by its causes' stacks. */
function stackOf(error: Error): string {
  const parts = [error.stack ?? String(error)];
  let cause = error.cause;
  while (cause instanceof Error) {
    parts.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
  return parts.join('\n');
}

export function outputFor(options: { json: boolean; verbose: boolean; color: boolean }, io: Io): Output {
  return new Output({
    json: options.json,
    verbose: options.verbose,
    color: colorWanted(options.color, io.env, Boolean(io.stderr.isTTY)),
    liveProgress: Boolean(io.stderr.isTTY) && !io.env.CI,
    stdout: io.stdout,
    stderr: io.stderr,
  });
}

/** A plain text table: a header row, then the rows, columns padded to their widest cell. */
export function renderTable(headers: string[], rows: string[][]): string {
  // eslint-disable-next-line no-control-regex -- ESC starts the ANSI colour sequences this strips
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
  const widths = headers.map((h, i) => Math.max(visible(h).length, ...rows.map((r) => visible(r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - visible(c).length)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The last line of a per-repository report: how many failed, else whether anything changed. */
export function repositoriesOutcome(failed: number, options: { dryRun: boolean; otherFailure?: boolean }, paint: Paint): string {
  if (failed || options.otherFailure) return paint('red', `${failed} repositor${failed === 1 ? 'y' : 'ies'} failed.`);
  return options.dryRun ? 'Dry run: nothing was changed.' : paint('green', 'Done.');
}
