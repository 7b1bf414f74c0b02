import { LineCounter, parseDocument, type Document } from 'yaml';

/** CloudFormation's short-form functions (`!Ref`, `!Sub`, ...), as they appear in YAML templates. */
const FUNCTIONS = [
  'Ref', 'Condition', 'Sub', 'GetAtt', 'ImportValue', 'If', 'Equals', 'Not', 'And', 'Or', 'Select',
  'Split', 'Join', 'FindInMap', 'GetAZs', 'Base64', 'Cidr', 'Transform', 'ToJsonString', 'Length',
] as const;

function splitOnce(value: string, separator: string): string[] {
  const at = value.indexOf(separator);
  return at < 0 ? [value] : [value.slice(0, at), value.slice(at + 1)];
}

const longName = (name: string) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** Each short form becomes its long form (`!Ref X` → `{ Ref: X }`), whether scalar, list or map. */
export const CFN_TAGS = FUNCTIONS.flatMap((name) => [
  {
    tag: `!${name}`,
    // `!GetAtt Resource.Attr.With.Dots`: CloudFormation splits on the first dot only.
    resolve: (value: string) => ({ [longName(name)]: name === 'GetAtt' ? splitOnce(value, '.') : value }),
  },
  { tag: `!${name}`, collection: 'seq' as const, resolve: (seq: { toJSON(): unknown }) => ({ [longName(name)]: seq.toJSON() }) },
  { tag: `!${name}`, collection: 'map' as const, resolve: (map: { toJSON(): unknown }) => ({ [longName(name)]: map.toJSON() }) },
]);

export interface ParsedYaml {
  value: unknown;
  /** 1-based line of the node at this path (`['Parameters', 'Environment']`), or of the nearest parent. */
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
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { customTags: CFN_TAGS, lineCounter, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
    throw new YamlSyntaxError(error.message.split('\n')[0] ?? error.message, pos.line, pos.col);
  }
  return {
    value: doc.toJS({ maxAliasCount: 100 }),
    lineOf(path) {
      for (let depth = path.length; depth > 0; depth--) {
        const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
        // getIn returns the value node; its key's line is the one a person looks for, and
        // for block maps the value starts on the next line: step back to the key.
        const pair = findPair(doc, path.slice(0, depth));
        const offset = pair ?? node?.range?.[0];
        if (offset !== undefined) return lineCounter.linePos(offset).line;
      }
      return 1;
    },
  };
}

function findPair(doc: Document, path: string[]): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const items = (parent as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null)?.items;
  return items?.find((item) => item.key?.value === path.at(-1))?.key?.range?.[0];
}
