import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { parseLeniently } from './lenient.js';
import { isShortForm, longName, longValue, YAML_TAGS } from './cfn-short-forms.js';

/** A path into a parsed YAML value: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** The value at a path in a parsed document; undefined where the path leaves it. */
export function valueAt(input: unknown, path: YamlPath): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export interface YamlDocument {
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest ancestor that exists. */
  lineOf: (path: YamlPath) => number;
  /** The line where this document starts in the file. */
  line: number;
}

export interface YamlFile {
  documents: YamlDocument[];
  /** Syntax errors, with positions; the documents are unusable when there are any. */
  errors: { message: string; line: number; column: number }[];
}

const pathKey = (path: YamlPath) => path.join('\u0000');

/** A syntax error's message without the `at line L, column C:` the parser appends: callers name the place themselves. */
export function syntaxMessage(error: { message: string }): string {
  return error.message.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parse every document of a YAML file into plain values, remembering the line of every node, so
 * that a rule can point at the exact line of what it found. `cfn` turns CloudFormation's short
 * forms into their long forms, with positions under the long form's key. `asWritten` keeps every
 * non-null scalar as the text it was written as (`13.10` stays "13.10", not 13.1; `true` stays
 * "true"): for values that go on as strings, such as CloudFormation parameter values.
 */
export function parseYamlFile(text: string, options: { cfn?: boolean; asWritten?: boolean } = {}): YamlFile {
  const parse = (source: string) => {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(source, { lineCounter, customTags: options.cfn ? YAML_TAGS : [], uniqueKeys: true });
    return { list: Array.isArray(docs) ? docs : ([] as Document.Parsed[]), lineCounter };
  };
  // A template CloudFormation accepts must parse here too (same lines, same meaning).
  const parsed = options.cfn ? parseLeniently(text, parse, (p) => p.list.some((doc) => doc.errors.length)) : parse(text);
  const { list, lineCounter } = parsed;
  const errors = list.flatMap((doc) =>
    doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { message: error.message.split('\n')[0] ?? error.message, line, column: col };
    }),
  );
  const documents = list
    .filter((doc) => doc.contents !== null || list.length === 1)
    .map((doc) => {
      const lines = new Map<string, number>();
      const lineAt = (node: { range?: unknown } | null | undefined) =>
        Array.isArray(node?.range) ? lineCounter.linePos(node.range[0] as number).line : 1;
      const walk = (node: unknown, path: (string | number)[]): unknown => {
        if (isAlias(node)) return walk(node.resolve(doc), path);
        const tag = (node as { tag?: string } | null)?.tag;
        if (options.cfn && tag?.startsWith('!') && isShortForm(tag.slice(1))) {
          const name = tag.slice(1);
          const long = longName(name);
          lines.set(pathKey([...path, long]), lineAt(node as Node));
          return { [long]: longValue(name, plain(node, [...path, long])) };
        }
        return plain(node, path);
      };
      const plain = (node: unknown, path: (string | number)[]): unknown => {
        if (isMap(node)) {
          const out: Record<string, unknown> = {};
          for (const pair of node.items) {
            if (!isPair(pair)) continue;
            const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
            lines.set(pathKey([...path, key]), lineAt(pair.key as Node));
            out[key] = walk(pair.value, [...path, key]);
          }
          return out;
        }
        if (isSeq(node)) {
          return node.items.map((item, index) => {
            lines.set(pathKey([...path, index]), lineAt(item as Node));
            return walk(item, [...path, index]);
          });
        }
        if (isScalar(node)) {
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar of the core schema holds a number, boolean or bigint here, never an object
          return options.asWritten && node.value !== null && typeof node.value !== 'string' ? (node.source ?? String(node.value)) : node.value;
        }
        return node ?? null;
      };
      const start = lineAt(doc.contents);
      const value = walk(doc.contents, []);
      return {
        value,
        line: start,
        lineOf(path: YamlPath) {
          for (let depth = path.length; depth > 0; depth--) {
            const line = lines.get(pathKey(path.slice(0, depth)));
            if (line !== undefined) return line;
          }
          return start;
        },
      };
    });
  return { documents, errors };
}
