/** How runAfter treats one item: its key, what it waits for, and how it runs or is passed over. */
export interface RunAfterSteps<T, O> {
  concurrency: number;
  key: (item: T) => string;
  /** Keys of the items that must have an outcome before this one starts (unknown keys never get one). */
  waitsFor: (item: T) => readonly string[];
  /** An outcome recorded without running, when what it waited for ended so that it must not run. */
  passOver: (item: T, outcomes: ReadonlyMap<string, O>) => O | undefined;
  run: (item: T) => Promise<O>;
}

/**
 * Run each item once every item it waits for has an outcome, at most `concurrency` at once: the
 * schedule deploy-cf (exporters first) and destroy (importers first) share. Outcomes in input order.
 */
export async function runAfter<T, O>(items: readonly T[], steps: RunAfterSteps<T, O>): Promise<O[]> {
  const outcomes = new Map<string, O>();
  const pending = [...items];
  const running = new Map<string, Promise<void>>();
  while (pending.length || running.size) {
    for (const item of [...pending]) {
      if (running.size >= steps.concurrency) break;
      if (!steps.waitsFor(item).every((k) => outcomes.has(k))) continue;
      pending.splice(pending.indexOf(item), 1);
      const key = steps.key(item);
      const passed = steps.passOver(item, outcomes);
      if (passed !== undefined) {
        outcomes.set(key, passed);
        continue;
      }
      running.set(
        key,
        steps.run(item).then((outcome) => {
          outcomes.set(key, outcome);
          running.delete(key);
        }),
      );
    }
    if (running.size) await Promise.race(running.values());
    // Nothing running and nothing able to start: what is left waits for what never comes.
    else if (pending.length && pending.every((item) => !steps.waitsFor(item).every((k) => outcomes.has(k)))) {
      throw new Error(`internal: ${pending.map(steps.key).join(', ')} wait for items that never ran`);
    }
  }
  return items.map((item) => {
    const outcome = outcomes.get(steps.key(item));
    if (outcome === undefined) throw new Error(`internal: ${steps.key(item)} has no outcome`);
    return outcome;
  });
}
