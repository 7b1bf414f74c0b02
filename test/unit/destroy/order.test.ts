import { describe, expect, it } from 'vitest';
import { deletionOrder, deletionWaves, type StackImport } from '../../../src/destroy/order.js';
import { InputError } from '../../../src/ui/errors.js';

const imp = (importer: string, exporter: string, exportName = `${exporter}-out`): StackImport => ({ importer, exporter, exportName });

describe('deletionOrder: importers before exporters', () => {
  it('a chain three imports deep is deleted from its last importer back to its first exporter', () => {
    const { waitsFor, blocking } = deletionOrder(['network', 'data', 'api', 'web'], [imp('data', 'network'), imp('api', 'data'), imp('web', 'api')]);
    expect(blocking).toEqual([]);
    expect(Object.fromEntries(waitsFor)).toEqual({ network: ['data'], data: ['api'], api: ['web'], web: [] });
    expect(deletionWaves(waitsFor)).toEqual([['web'], ['api'], ['data'], ['network']]);
  });

  it('independent stacks share a wave; an exporter waits for all of its importers', () => {
    const { waitsFor } = deletionOrder(['roles', 'lambda', 'pool', 'uploads'], [imp('lambda', 'roles'), imp('pool', 'roles'), imp('pool', 'lambda')]);
    expect(waitsFor.get('roles')).toEqual(['lambda', 'pool']);
    expect(deletionWaves(waitsFor)).toEqual([['pool', 'uploads'], ['lambda'], ['roles']]);
  });

  it('the same import seen twice (ListImports and the template) is one edge', () => {
    const { waitsFor } = deletionOrder(['a', 'b'], [imp('b', 'a'), imp('b', 'a')]);
    expect(waitsFor.get('a')).toEqual(['b']);
  });

  it("imports of exports from outside the run (eksctl's stack) do not matter", () => {
    const { waitsFor, blocking } = deletionOrder(['a'], [imp('a', 'eksctl-biomage-staging-cluster')]);
    expect(blocking).toEqual([]);
    expect(waitsFor.get('a')).toEqual([]);
  });

  it('an importer outside the run blocks, and says whether it has a template', () => {
    const { blocking } = deletionOrder(['data'], [imp('api', 'data', 'records'), imp('by-hand', 'data', 'records')], (s) => s === 'api');
    expect(blocking).toEqual([
      { importer: 'api', exporter: 'data', exportName: 'records', importerHasTemplate: true },
      { importer: 'by-hand', exporter: 'data', exportName: 'records', importerHasTemplate: false },
    ]);
  });

  it('stacks importing each other are refused (exit 2)', () => {
    const cycle = () => deletionOrder(['a', 'b'], [imp('a', 'b'), imp('b', 'a')]);
    expect(cycle).toThrow(InputError);
    expect(cycle).toThrow("stacks import each other's exports in a cycle: a → b → a");
  });
});
