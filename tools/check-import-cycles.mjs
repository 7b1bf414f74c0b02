#!/usr/bin/env node
// Fails on any import cycle among the TypeScript files under a directory (default src/), naming
// each cycle as a path of files. Every relative import counts, type-only ones included: `import`,
// `import type`, `export … from`, `import('…')` (calls and types). A cycle is a sign that two modules
// share something that belongs in a third, or that orchestration sits inside one of its parts.
//
//   node tools/check-import-cycles.mjs [dir]     exit 0: no cycle; 1: cycles (listed); 2: bad usage

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The relative module specifiers one file imports, in source order (duplicates removed). */
export function relativeImports(text) {
  // preProcessFile reads the import/export declarations, `import type`, and (with the third
  // argument) `import('…')`, without a full parse and without being fooled by comments or strings.
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return [...new Set(importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../')))];
}

/** The file a relative specifier names among `files` (posix paths): x.js → x.ts, a folder → its index.ts. */
function resolveSpecifier(from, specifier, files) {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(m|c)?js$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, base, `${stem}.d.ts`, `${base}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

/** The import graph of `sources` (posix path → text): each file to the files it imports. */
export function importGraph(sources) {
  const files = new Set(sources.keys());
  const graph = new Map();
  for (const [file, text] of sources) {
    const targets = relativeImports(text)
      .map((s) => resolveSpecifier(file, s, files))
      .filter((t) => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or one file importing itself (Tarjan). */
function tangledComponents(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (root) => {
    // Iterative, so a long import chain cannot overflow the call stack.
    const work = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const edges = graph.get(node) ?? [];
      if (i < edges.length) {
        frame[1]++;
        const target = edges[i];
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push([target, 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || edges.includes(node)) components.push(component.sort());
      }
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The shortest cycle through `start` inside `members` (breadth-first), as a closed path. */
function shortestCycleThrough(graph, start, members) {
  const previous = new Map();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift();
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return undefined;
}

/**
 * The import cycles of `graph`: for every file caught in one, the shortest cycle through it,
 * each cycle once, written from its alphabetically first file and back to it. Every file of every
 * tangle appears in at least one of them (a full enumeration of cycles can be exponential).
 */
export function findCycles(graph) {
  const cycles = new Map();
  for (const component of tangledComponents(graph)) {
    const members = new Set(component);
    for (const file of component) {
      const cycle = shortestCycleThrough(graph, file, members);
      if (!cycle) continue;
      const ring = cycle.slice(0, -1);
      const first = ring.indexOf([...ring].sort()[0]);
      const rotated = [...ring.slice(first), ...ring.slice(0, first)];
      cycles.set(rotated.join(' → '), [...rotated, rotated[0]]);
    }
  }
  return [...cycles.values()].sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

/** Every .ts file under `dir` (declaration files included), keyed by its posix path relative to `dir`. */
export function readSources(dir) {
  const sources = new Map();
  const walk = (folder) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(m|c)?ts$/.test(name)) sources.set(relative(dir, path).split(sep).join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return sources;
}

/** The report for `dir`, and whether it found cycles. */
export function checkImportCycles(dir) {
  const sources = readSources(dir);
  const cycles = findCycles(importGraph(sources));
  const name = relative(process.cwd(), dir) || '.';
  if (!cycles.length) return { cycles, text: `No import cycles among the ${sources.size} TypeScript files under ${name}/.` };
  const lines = [`${cycles.length} import cycle(s) among the TypeScript files under ${name}/ (type-only imports count):`];
  for (const cycle of cycles) lines.push(`  ${cycle.join(' → ')}`);
  lines.push('Move what both sides share into a module both import, or the orchestration into a module above both.');
  return { cycles, text: lines.join('\n') };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
    console.error('usage: node tools/check-import-cycles.mjs [dir]   (default: src)');
    process.exit(2);
  }
  const dir = resolve(args[0] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  let result;
  try {
    result = checkImportCycles(dir);
  } catch (error) {
    console.error(`check-import-cycles: cannot read ${dir}: ${error.message}`);
    process.exit(2);
  }
  (result.cycles.length ? console.error : console.log)(result.text);
  process.exit(result.cycles.length ? 1 : 0);
}
