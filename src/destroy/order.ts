import { InputError } from '../ui/errors.js';

/** One import between two stacks: `importer` uses the export `exportName` of `exporter`. */
export interface StackImport {
  exporter: string;
  exportName: string;
  importer: string;
}

/** An import that keeps a stack of the run alive: its importer is not being deleted. */
export interface BlockingImport extends StackImport {
  /** The importer has no template in cf/ (made by hand, or its template was removed). */
  importerHasTemplate: boolean;
}

/**
 * For each stack of the run, the stacks of the run that must be gone before it: those importing
 * its exports (importers first, the reverse of deploy-cf's order). Imports among stacks outside
 * the run are ignored; an import of a run stack's export by a stack outside it is returned as
 * blocking, since CloudFormation would refuse to delete the exporter halfway through the run.
 */
export function deletionOrder(
  stacks: readonly string[],
  imports: readonly StackImport[],
  hasTemplate: (stack: string) => boolean = () => true,
): { waitsFor: Map<string, string[]>; blocking: BlockingImport[] } {
  const inRun = new Set(stacks);
  const waitsFor = new Map<string, Set<string>>(stacks.map((s) => [s, new Set<string>()]));
  const blocking: BlockingImport[] = [];
  const seen = new Set<string>();
  for (const i of imports) {
    const key = `${i.exporter}\0${i.exportName}\0${i.importer}`;
    if (seen.has(key) || !inRun.has(i.exporter) || i.importer === i.exporter) continue;
    seen.add(key);
    if (inRun.has(i.importer)) waitsFor.get(i.exporter)?.add(i.importer);
    else blocking.push({ ...i, importerHasTemplate: hasTemplate(i.importer) });
  }
  const order = new Map([...waitsFor].map(([stack, importers]) => [stack, [...importers].sort()]));
  assertAcyclic(order);
  return { waitsFor: order, blocking };
}

/** Stacks that import each other cannot be deleted by CloudFormation either: say which. */
function assertAcyclic(waitsFor: Map<string, string[]>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: string, path: string[]): void => {
    if (state.get(stack) === 'done') return;
    if (state.get(stack) === 'visiting') {
      throw new InputError(`stacks import each other's exports in a cycle: ${[...path, stack].join(' → ')}`, {
        where: stack,
        hint: 'update one of them so that it no longer imports the other (deploy-cf), then rerun destroy',
      });
    }
    state.set(stack, 'visiting');
    for (const next of waitsFor.get(stack) ?? []) visit(next, [...path, stack]);
    state.set(stack, 'done');
  };
  for (const stack of waitsFor.keys()) visit(stack, []);
}

/** The stacks in waves: each wave's stacks wait only for earlier waves (for the plan's display). */
export function deletionWaves(waitsFor: ReadonlyMap<string, readonly string[]>): string[][] {
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < waitsFor.size) {
    const wave = [...waitsFor].filter(([s, deps]) => !placed.has(s) && deps.every((d) => placed.has(d))).map(([s]) => s);
    if (!wave.length) throw new Error('internal: deletion order has a cycle (checked by deletionOrder)');
    wave.sort();
    for (const s of wave) placed.add(s);
    waves.push(wave);
  }
  return waves;
}
