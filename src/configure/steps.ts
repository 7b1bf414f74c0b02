import type { Context } from '../context.js';
import { BiomageError, ExitCode } from '../ui/errors.js';

/** What one step of configure did (or, under --dry-run, would do). */
export interface StepReport {
  step: string;
  /** `unchanged`, `present`, or what changed (`installed`, `updated`, `created`, …); `would-…` under --dry-run. */
  result: string;
  changed: boolean;
  detail: string;
}

export interface Step {
  name: string;
  run(): Promise<Omit<StepReport, 'step'>>;
}

/**
 * A step failed. It keeps the exit code of the failure (2 for bad input, 1 otherwise), names the
 * step, and says that the steps before it stand: configure is idempotent, so a rerun resumes.
 */
export class StepFailedError extends BiomageError {
  readonly exitCode: ExitCode;
  readonly code = 'configure-step';
  constructor(
    readonly step: string,
    readonly completed: string[],
    cause: unknown,
  ) {
    const inner = cause instanceof BiomageError ? cause : undefined;
    const done = completed.length ? `the steps before it (${completed.join(', ')}) are done and stay in place` : 'no step before it had run';
    super(`configure stopped at step ${step}: ${(cause as Error).message}`, {
      where: inner?.where ?? `configure, step ${step}`,
      hint: `${inner?.hint ? `${inner.hint}; ` : ''}${done}: fix it and rerun configure, which resumes (every step is idempotent)`,
      cause,
    });
    this.exitCode = inner?.exitCode ?? ExitCode.Failed;
  }
}

/** Run the steps in order, with a progress line for each; the first failure stops the run. */
export async function runSteps(ctx: Context, steps: Step[]): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const step of steps) {
    ctx.out.step(`${step.name}…`);
    try {
      const report = { step: step.name, ...(await step.run()) };
      reports.push(report);
      ctx.out.step(`${step.name}: ${report.result}${report.detail ? ` (${report.detail})` : ''}`);
    } catch (error) {
      throw new StepFailedError(step.name, reports.map((r) => r.step), error);
    }
  }
  return reports;
}
