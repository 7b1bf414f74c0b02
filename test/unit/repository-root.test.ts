import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext, parseGlobalOptions } from '../../src/context.js';
import { findRepositoryRoot, isRepositoryRoot, resolveRepositoryRoot } from '../../src/repository-root.js';
import { UsageError } from '../../src/ui/errors.js';
import { outputFor } from '../../src/ui/output.js';

/** A folder with the repository's markers (cf/ and infra/cluster.yaml), and a subfolder of it. */
function repository(parent = mkdtempSync(join(tmpdir(), 'biomage-root-'))): string {
  mkdirSync(join(parent, 'cf'), { recursive: true });
  mkdirSync(join(parent, 'infra', 'charts', 'read-only-group'), { recursive: true });
  writeFileSync(join(parent, 'infra', 'cluster.yaml'), 'apiVersion: eksctl.io/v1alpha5\n');
  return parent;
}

const outside = () => mkdtempSync(join(tmpdir(), 'biomage-outside-'));

describe('findRepositoryRoot', () => {
  it('finds the folder holding cf/ and infra/cluster.yaml from itself and from any folder below it', () => {
    const root = repository();
    expect(findRepositoryRoot(root)).toBe(root);
    expect(findRepositoryRoot(join(root, 'infra', 'charts', 'read-only-group'))).toBe(root);
    expect(findRepositoryRoot(join(root, 'cf'))).toBe(root);
  });

  it('takes the nearest: a repository inside another is its own', () => {
    const outer = repository();
    const inner = repository(join(outer, 'vendor', 'other-clone'));
    mkdirSync(join(inner, 'releases'));
    expect(findRepositoryRoot(join(inner, 'releases'))).toBe(inner);
    expect(findRepositoryRoot(join(outer, 'vendor'))).toBe(outer);
  });

  it('wants both markers, each of the right kind', () => {
    const onlyCf = outside();
    mkdirSync(join(onlyCf, 'cf'));
    expect(isRepositoryRoot(onlyCf)).toBe(false);
    const cfFile = outside();
    writeFileSync(join(cfFile, 'cf'), '');
    mkdirSync(join(cfFile, 'infra'));
    writeFileSync(join(cfFile, 'infra', 'cluster.yaml'), '');
    expect(isRepositoryRoot(cfFile)).toBe(false);
    expect(findRepositoryRoot(onlyCf)).toBeUndefined();
  });
});

describe('resolveRepositoryRoot', () => {
  it('--root (or BIOMAGE_ROOT) wins over the search, relative to the working directory, and needs no markers', () => {
    const root = repository();
    const other = outside();
    expect(resolveRepositoryRoot({ given: other, cwd: root })).toBe(other);
    expect(resolveRepositoryRoot({ given: 'cf', cwd: root })).toBe(join(root, 'cf'));
    expect(resolveRepositoryRoot({ cwd: join(root, 'cf') })).toBe(root);
  });

  it('a --root or BIOMAGE_ROOT that is not a folder: a usage error naming which', () => {
    const cwd = outside();
    expect(usageError(() => resolveRepositoryRoot({ given: 'nope', source: 'flag', cwd })).message).toBe('--root nope is not a folder');
    expect(usageError(() => resolveRepositoryRoot({ given: '/no/such/dir', source: 'env', cwd })).message).toBe('BIOMAGE_ROOT=/no/such/dir is not a folder');
  });

  it('outside any repository: a usage error (exit 2) naming the folder searched, the markers and the flag', () => {
    const cwd = outside();
    const error = usageError(() => resolveRepositoryRoot({ cwd }));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(cwd);
    expect(error.message).toContain('cf/ and infra/cluster.yaml');
    expect(error.hint).toContain('--root <dir>');
    expect(error.hint).toContain('BIOMAGE_ROOT');
  });
});

describe('the context', () => {
  const io = (env: NodeJS.ProcessEnv = {}) => ({ stdout: { write: () => true }, stderr: { write: () => true }, stdin: { isTTY: false }, env });
  const context = (options: Record<string, unknown>, cwd: string, env: NodeJS.ProcessEnv = {}) => {
    const globals = parseGlobalOptions({ env: 'development', ...options });
    const out = outputFor({ json: false, verbose: false, color: false }, io(env));
    return createContext('test', globals, out, io(env), cwd);
  };

  it('finds the repository on first use only: a command that reads none runs anywhere', () => {
    const ctx = context({}, outside());
    expect(ctx.rootSource).toBe('cwd');
    expect(() => ctx.root).toThrow(UsageError);
  });

  it('root comes from --root when given, and the state is .biomage/ of that repository', () => {
    const root = repository();
    const ctx = context({ root, rootSource: 'env' }, outside());
    expect(ctx.root).toBe(root);
    expect(ctx.rootSource).toBe('env');
    expect(ctx.stateDir).toBe(join(root, '.biomage'));
    expect(context({}, join(root, 'cf')).stateDir).toBe(join(root, '.biomage'));
  });

  it('BIOMAGE_STATE_DIR relocates the state without asking for a repository', () => {
    const state = outside();
    expect(context({}, outside(), { BIOMAGE_STATE_DIR: state }).stateDir).toBe(state);
  });
});

/** The UsageError `run` throws; anything else fails the test. */
function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}
