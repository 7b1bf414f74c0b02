import { createInterface } from 'node:readline/promises';
import { isLocal, needsConfirmation } from '../config/environments.js';
import type { Context } from '../context.js';
import { ConfirmationRequiredError, UsageError } from './errors.js';

/**
 * Guard a change to a protected environment. Passes for unprotected environments, with --yes,
 * and under --dry-run (nothing changes). Otherwise asks the operator to type the environment's
 * name; when nobody can answer (CI, no terminal) it fails closed.
 */
export async function confirmChange(
  ctx: Pick<Context, 'env' | 'yes' | 'dryRun' | 'interactive'>,
  what: string,
  prompt: (question: string) => Promise<string> = askOnTerminal,
): Promise<void> {
  if (!needsConfirmation(ctx.env) || ctx.yes || ctx.dryRun) return;
  if (!ctx.interactive) {
    throw new ConfirmationRequiredError(`${what} changes ${ctx.env} and was not confirmed`, {
      hint: 'review it with --dry-run, then rerun with --yes (non-interactive runs never prompt)',
    });
  }
  await askForEnvironmentName(ctx.env, `${what} will change ${ctx.env}`, what, prompt, 'or pass --yes');
}

/**
 * Guard an irreversible change (destroy). Development passes; so does --dry-run. Staging needs
 * the typed name or --yes, as production does for other changes. Production needs the typed name,
 * or, to run without a prompt, both --yes and --confirm-env production: --yes alone is too easy to
 * carry over from a shell history or a script written for staging.
 */
export async function confirmDestruction(
  ctx: Pick<Context, 'env' | 'yes' | 'dryRun' | 'interactive'>,
  what: string,
  confirmEnv: string | undefined,
  prompt: (question: string) => Promise<string> = askOnTerminal,
): Promise<void> {
  if (confirmEnv !== undefined && confirmEnv !== ctx.env) {
    throw new UsageError(`--confirm-env ${confirmEnv} does not match --env ${ctx.env}`, {
      hint: `--confirm-env repeats the environment being changed: --confirm-env ${ctx.env}`,
    });
  }
  if (isLocal(ctx.env) || ctx.dryRun) return;
  const named = ctx.env === 'production';
  if (ctx.yes && (!named || confirmEnv === ctx.env)) return;
  const unattended = named ? `pass both --yes and --confirm-env ${ctx.env}` : 'pass --yes';
  if (!ctx.interactive) {
    throw new ConfirmationRequiredError(`${what} destroys resources in ${ctx.env} and was not confirmed`, {
      hint: `review it with --dry-run, then ${unattended} (non-interactive runs never prompt)`,
    });
  }
  await askForEnvironmentName(ctx.env, `${what} will delete from ${ctx.env}`, what, prompt, `or ${unattended}`);
}

async function askForEnvironmentName(
  env: string,
  consequence: string,
  what: string,
  prompt: (question: string) => Promise<string>,
  alternative: string,
): Promise<void> {
  const answer = await prompt(`${consequence}. Type '${env}' to continue: `);
  if (answer.trim() !== env) {
    throw new ConfirmationRequiredError(`${what} was not confirmed; nothing was changed`, {
      hint: `type '${env}' exactly, ${alternative}`,
    });
  }
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}
