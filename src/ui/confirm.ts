import { createInterface } from 'node:readline/promises';
import { needsConfirmation } from '../config/environments.js';
import type { Context } from '../context.js';
import { ConfirmationRequiredError } from './errors.js';

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
  const answer = await prompt(`${what} will change ${ctx.env}. Type '${ctx.env}' to continue: `);
  if (answer.trim() !== ctx.env) {
    throw new ConfirmationRequiredError(`${what} was not confirmed; nothing was changed`, {
      hint: `type '${ctx.env}' exactly, or pass --yes`,
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
