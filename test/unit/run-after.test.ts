import { describe, expect, it } from 'vitest';
import { runAfter } from '../../src/run-after.js';

interface Item {
  name: string;
  after: string[];
  fails?: boolean;
}

/** Runs the items, recording the order they start in and how many run at once at most. */
async function schedule(items: Item[], concurrency: number) {
  const started: string[] = [];
  let inFlight = 0;
  let most = 0;
  const outcomes = await runAfter(items, {
    concurrency,
    key: (item) => item.name,
    waitsFor: (item) => item.after,
    passOver: (item, done) => (item.after.some((a) => done.get(a) !== 'ok') ? 'skipped' : undefined),
    run: async (item) => {
      started.push(item.name);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return item.fails ? 'failed' : 'ok';
    },
  });
  return { outcomes, started, most };
}

describe('runAfter: each item once what it waits for has an outcome, bounded', () => {
  it('starts an item only after the items it waits for, outcomes in input order', async () => {
    const { outcomes, started } = await schedule(
      [
        { name: 'cognito', after: ['lambda'] },
        { name: 'lambda', after: ['role', 'logs'] },
        { name: 'role', after: [] },
        { name: 'logs', after: [] },
      ],
      4,
    );
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(started.indexOf('lambda')).toBeGreaterThan(Math.max(started.indexOf('role'), started.indexOf('logs')));
    expect(started.at(-1)).toBe('cognito');
  });

  it('never runs more than the concurrency at once', async () => {
    const items = Array.from({ length: 9 }, (_, i) => ({ name: `s${String(i)}`, after: [] }));
    expect((await schedule(items, 3)).most).toBe(3);
  });

  it('passes over what waits for a failure, transitively, and runs the rest', async () => {
    const { outcomes, started } = await schedule(
      [
        { name: 'a', after: [], fails: true },
        { name: 'b', after: ['a'] },
        { name: 'c', after: ['b'] },
        { name: 'd', after: [] },
      ],
      2,
    );
    expect(outcomes).toEqual(['failed', 'skipped', 'skipped', 'ok']);
    expect(started.sort()).toEqual(['a', 'd']);
  });

  it('an item waiting for one that is not in the run is an internal error, not a hang', async () => {
    await expect(schedule([{ name: 'a', after: ['missing'] }], 2)).rejects.toThrow(/a wait for items that never ran/);
  });
});
