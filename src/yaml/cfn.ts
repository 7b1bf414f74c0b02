import { createRequire } from 'node:module';
import jsyaml from 'js-yaml';
import type { Document } from 'yaml';
import { parseLeniently } from './lenient.js';
import { FUNCTIONS, longName, longValue, YAML_TAGS } from './cfn-short-forms.js';

/**
 * Each short form becomes its long form (`!Ref X` → `{ Ref: X }`), whether scalar, list or map.
 * Templates are parsed with js-yaml: about four times faster here than `yaml` on cf/, which
 * matters on the no-change path of deploy-cf, where parsing is most of the work.
 */
const CFN_SCHEMA = jsyaml.DEFAULT_SCHEMA.extend(
  FUNCTIONS.flatMap((name) =>
    (['scalar', 'sequence', 'mapping'] as const).map(
      (kind) =>
        new jsyaml.Type(`!${name}`, {
          kind,
          construct: (data: unknown) => ({
            [longName(name)]: longValue(name, data),
          }),
        }),
    ),
  ),
);

export interface ParsedYaml {
  value: unknown;
  /** 1-based line of the key at this path (`['Parameters', 'Environment']`), or of the nearest parent. */
  lineOf(path: string[]): number;
}

export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Parse a CloudFormation YAML (or JSON) template; syntax errors carry their line and column. */
export function parseCfnYaml(text: string): ParsedYaml {
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: CFN_SCHEMA });
  } catch (error) {
    if (!(error instanceof jsyaml.YAMLException)) throw error;
    throw new YamlSyntaxError(error.reason, error.mark.line + 1, error.mark.column + 1);
  }
  return { value, lineOf: (path) => lineOf(text, path) };
}

/**
 * Positions are needed only to report a problem, so the position-keeping parser is loaded and
 * run only then (synchronously, through require: the callers are synchronous validators).
 */
function lineOf(text: string, path: string[]): number {
  const { LineCounter, parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const parse = (source: string) => {
    const lineCounter = new LineCounter();
    return { doc: parseDocument(source, { customTags: YAML_TAGS, lineCounter }) as Document, lineCounter };
  };
  const { doc, lineCounter } = parseLeniently(text, parse, (parsed) => parsed.doc.errors.length > 0);
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
    const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null)?.items;
    const offset = items?.find((item) => item.key?.value === path[depth - 1])?.key?.range?.[0];
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  return 1;
}
