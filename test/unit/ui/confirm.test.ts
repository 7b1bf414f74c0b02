import { describe, expect, it } from 'vitest';
import type { Environment } from '../../../src/config/environments.js';
import { confirmChange } from '../../../src/ui/confirm.js';
import { ConfirmationRequiredError, ExitCode } from '../../../src/ui/errors.js';

const ctx = (env: Environment, over: Partial<{ yes: boolean; dryRun: boolean; interactive: boolean }> = {}) => ({
  env,
  yes: false,
  dryRun: false,
  interactive: false,
  ...over,
});
const neverAsked = async () => {
  throw new Error('must not prompt');
};

describe('confirmChange', () => {
  it('lets development and staging through without asking', async () => {
    await confirmChange(ctx('development'), 'deploy', neverAsked);
    await confirmChange(ctx('staging'), 'deploy', neverAsked);
  });

  it('fails closed for production when nobody can answer (CI, no terminal): exit 2', async () => {
    const error = await confirmChange(ctx('production'), 'deploy-cf', neverAsked).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect((error as ConfirmationRequiredError).exitCode).toBe(ExitCode.BadInput);
    expect((error as Error).message).toBe('deploy-cf changes production and was not confirmed');
  });

  it('production passes with --yes, and under --dry-run (nothing changes)', async () => {
    await confirmChange(ctx('production', { yes: true }), 'deploy', neverAsked);
    await confirmChange(ctx('production', { dryRun: true }), 'deploy', neverAsked);
  });

  it('an interactive operator must type the environment name', async () => {
    await confirmChange(ctx('production', { interactive: true }), 'deploy', async () => 'production\n');
    await expect(confirmChange(ctx('production', { interactive: true }), 'deploy', async () => 'y')).rejects.toThrow(
      'deploy was not confirmed; nothing was changed',
    );
  });
});
