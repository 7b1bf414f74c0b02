import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImportCycles, findCycles, importGraph, relativeImports } from '../../tools/check-import-cycles.mjs';

const ROOT = join(import.meta.dirname, '..', '..');

function cyclesOf(files: Record<string, string>): string[][] {
  return findCycles(importGraph(new Map(Object.entries(files))));
}

describe('relativeImports', () => {
  it('counts every kind of import, type-only ones included, and only relative ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "export * from './e.js';",
      "import './f.js';",
      "const g = await import('./g.js');",
      "type H = typeof import('./h.js');",
      "import { z } from 'zod';",
      "import { readFileSync } from 'node:fs';",
      "// import { x } from './commented-out.js';",
      "const s = \"import { y } from './in-a-string.js'\";",
    ].join('\n');
    expect(relativeImports(text)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js', './g.js', './h.js']);
  });
});

describe('findCycles', () => {
  it('finds a cycle made of a type-only import, named as a path from its alphabetically first file', () => {
    expect(
      cyclesOf({
        'access/mapping.ts': "import { x } from './aws-auth.js';",
        'access/aws-auth.ts': "import type { DesiredEntry } from './mapping.js';",
      }),
    ).toEqual([['access/aws-auth.ts', 'access/mapping.ts', 'access/aws-auth.ts']]);
  });

  it('follows dynamic imports, export-from and folder index files across folders', () => {
    expect(
      cyclesOf({
        'cluster/deploy.ts': "const { runConfigure } = await import('../configure/index.js');",
        'configure/index.ts': "export { clusterTarget } from './target.js';",
        'configure/target.ts': "import type { R } from '../cluster/deploy.js';",
        'other.ts': "import { x } from './configure/index.js';",
      }),
    ).toEqual([['cluster/deploy.ts', 'configure/index.ts', 'configure/target.ts', 'cluster/deploy.ts']]);
  });

  it('names a file that imports itself', () => {
    expect(cyclesOf({ 'a.ts': "import type { A } from './a.js';" })).toEqual([['a.ts', 'a.ts']]);
  });

  it('covers every file of a tangle, each cycle once, shortest first', () => {
    expect(
      cyclesOf({
        'a.ts': "import './b.js'; import './c.js';",
        'b.ts': "import './a.js';",
        'c.ts': "import './d.js';",
        'd.ts': "import './a.js';",
      }),
    ).toEqual([
      ['a.ts', 'b.ts', 'a.ts'],
      ['a.ts', 'c.ts', 'd.ts', 'a.ts'],
    ]);
  });

  it('finds nothing in a layered graph, and ignores imports of files it does not have', () => {
    expect(
      cyclesOf({
        'commands/plan.ts': "import type { R } from '../cluster/request.js'; import('../cluster/deploy.js');",
        'cluster/deploy.ts': "import type { R } from './request.js'; import { z } from 'zod'; import './gone.js';",
        'cluster/request.ts': "import type { T } from '../aws/target.js';",
      }),
    ).toEqual([]);
  });
});

describe("this repository's src/", () => {
  it('has no import cycle (make test also runs the check on its own: make import-cycles)', () => {
    const { cycles, text } = checkImportCycles(join(ROOT, 'src'));
    expect(cycles, text).toEqual([]);
  });
});
