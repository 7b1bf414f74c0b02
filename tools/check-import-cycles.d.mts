// Types for tools/check-import-cycles.mjs, for its tests (test/unit/import-cycles.test.ts).

/** The relative module specifiers one file imports, in source order (duplicates removed). */
export function relativeImports(text: string): string[];
/** The import graph of `sources` (posix path → text): each file to the files it imports. */
export function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]>;
/** Each import cycle as a closed path of files, from its alphabetically first file. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][];
/** Every .ts file under `dir`, keyed by its posix path relative to `dir`. */
export function readSources(dir: string): Map<string, string>;
/** The report for `dir`, and the cycles it found. */
export function checkImportCycles(dir: string): { cycles: string[][]; text: string };
