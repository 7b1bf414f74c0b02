import { describe, expect, it, vi } from 'vitest';
import type { Environment } from '../../../src/config/environments.js';
import { confirmChange, confirmDestruction } from '../../../src/ui/confirm.js';
import { ConfirmationRequiredError, ExitCode, UsageError } from '../../../src/ui/errors.js';

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

describe('confirmDestruction', () => {
  it('development and --dry-run pass without asking', async () => {
    const prompt = vi.fn(neverAsked);
    await expect(confirmDestruction(ctx('development'), 'destroy', undefined, prompt)).resolves.toBeUndefined();
    await expect(confirmDestruction(ctx('production', { dryRun: true }), 'destroy', undefined, prompt)).resolves.toBeUndefined();
    expect(prompt).not.toHaveBeenCalled();
  });

  it('staging needs the typed name or --yes; without a terminal it fails closed', async () => {
    await expect(confirmDestruction(ctx('staging', { yes: true }), 'destroy', undefined, neverAsked)).resolves.toBeUndefined();
    await expect(confirmDestruction(ctx('staging'), 'destroy', undefined, neverAsked)).rejects.toThrow(ConfirmationRequiredError);
    const prompt = vi.fn(async () => 'staging');
    await expect(confirmDestruction(ctx('staging', { interactive: true }), 'destroy', undefined, prompt)).resolves.toBeUndefined();
    expect(prompt).toHaveBeenCalledExactlyOnceWith("destroy will delete from staging. Type 'staging' to continue: ");
  });

  it('production without a prompt needs both --yes and --confirm-env production', async () => {
    await expect(confirmDestruction(ctx('production', { yes: true }), 'destroy', 'production', neverAsked)).resolves.toBeUndefined();
    const yesOnly = await confirmDestruction(ctx('production', { yes: true }), 'destroy', undefined, neverAsked).catch((e: unknown) => e);
    expect(yesOnly).toBeInstanceOf(ConfirmationRequiredError);
    expect((yesOnly as ConfirmationRequiredError).hint).toBe(
      'review it with --dry-run, then pass both --yes and --confirm-env production (non-interactive runs never prompt)',
    );
    await expect(confirmDestruction(ctx('production'), 'destroy', 'production', neverAsked)).rejects.toThrow(ConfirmationRequiredError);
  });

  it('production at a terminal asks even with --yes alone, and only the exact name passes', async () => {
    const prompt = vi.fn(async () => 'production');
    await expect(confirmDestruction(ctx('production', { yes: true, interactive: true }), 'destroy', undefined, prompt)).resolves.toBeUndefined();
    expect(prompt).toHaveBeenCalledOnce();
    await expect(confirmDestruction(ctx('production', { interactive: true }), 'destroy', undefined, async () => 'y')).rejects.toThrow(
      'destroy was not confirmed; nothing was changed',
    );
  });

  it('--confirm-env naming another environment is bad usage (exit 2)', async () => {
    const error = await confirmDestruction(ctx('production', { yes: true }), 'destroy', 'staging', neverAsked).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe('--confirm-env staging does not match --env production');
  });
});
