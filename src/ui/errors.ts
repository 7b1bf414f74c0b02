/**
 * The typed error hierarchy. Every failure the CLI reports is one of these, and its class decides
 * the exit code documented in the README: 1 the operation failed, 2 bad usage or bad input
 * (nothing was changed), 3 a check found problems.
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  BadInput: 2,
  Findings: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** Where it went wrong: `file:line`, a stack name, a resource. */
  where?: string;
  /** The next step for the operator. */
  hint?: string;
  cause?: unknown;
}

export abstract class BiomageError extends Error {
  abstract readonly exitCode: ExitCode;
  /** A stable, machine-readable id for --json output. */
  abstract readonly code: string;
  readonly where?: string;
  readonly hint?: string;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.where = details.where;
    this.hint = details.hint;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends BiomageError {
  readonly exitCode = ExitCode.BadInput;
  readonly code = 'usage';
}

/** A file or value the operator supplied is unusable. */
export class InputError extends BiomageError {
  readonly exitCode = ExitCode.BadInput;
  readonly code = 'bad-input';
}

/** A required external binary is absent or at the wrong version. */
export class ToolMissingError extends BiomageError {
  readonly exitCode = ExitCode.BadInput;
  readonly code = 'tool-missing';
  constructor(
    readonly tool: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}

/** AWS credentials are missing, expired or invalid: nothing could be read, so nothing was changed. */
export class CredentialsError extends BiomageError {
  readonly exitCode = ExitCode.BadInput;
  readonly code = 'credentials';
}

/** A change to a protected environment was not confirmed. */
export class ConfirmationRequiredError extends BiomageError {
  readonly exitCode = ExitCode.BadInput;
  readonly code = 'confirmation-required';
}

/** The operation was attempted and failed (AWS refused, a tool exited non-zero, ...). */
export class OperationError extends BiomageError {
  readonly exitCode = ExitCode.Failed;
  readonly code = 'failed';
}

/** A check ran and found problems; the findings are the command's result. */
export class FindingsError extends BiomageError {
  readonly exitCode = ExitCode.Findings;
  readonly code = 'findings';
}

/** Any thrown value as a BiomageError; unknown errors are operation failures (exit 1). */
export function asBiomageError(error: unknown): BiomageError {
  if (error instanceof BiomageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OperationError(message, { cause: error });
}
