import { describe, expect, it, vi } from 'vitest';
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
    const prompt = vi.fn(neverAsked);
    await expect(confirmChange(ctx('development'), 'deploy', prompt)).resolves.toBeUndefined();
    await expect(confirmChange(ctx('staging'), 'deploy', prompt)).resolves.toBeUndefined();
    expect(prompt).not.toHaveBeenCalled();
  });

  it('fails closed for production when nobody can answer (CI, no terminal): exit 2', async () => {
    const error = await confirmChange(ctx('production'), 'deploy-cf', neverAsked).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect((error as ConfirmationRequiredError).exitCode).toBe(ExitCode.BadInput);
    expect((error as Error).message).toBe('deploy-cf changes production and was not confirmed');
  });

  it('production passes with --yes, and under --dry-run (nothing changes), without asking', async () => {
    const prompt = vi.fn(neverAsked);
    await expect(confirmChange(ctx('production', { yes: true }), 'deploy', prompt)).resolves.toBeUndefined();
    await expect(confirmChange(ctx('production', { dryRun: true }), 'deploy', prompt)).resolves.toBeUndefined();
    expect(prompt).not.toHaveBeenCalled();
  });

  it('an interactive operator must type the environment name', async () => {
    const prompt = vi.fn(async () => 'production\n');
    await expect(confirmChange(ctx('production', { interactive: true }), 'deploy', prompt)).resolves.toBeUndefined();
    expect(prompt).toHaveBeenCalledExactlyOnceWith("deploy will change production. Type 'production' to continue: ");
    await expect(confirmChange(ctx('production', { interactive: true }), 'deploy', async () => 'y')).rejects.toThrow(
      'deploy was not confirmed; nothing was changed',
    );
  });
});
