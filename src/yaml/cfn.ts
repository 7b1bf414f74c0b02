import jsyaml from 'js-yaml';
import { FUNCTIONS, longName, longValue } from './cfn-short-forms.js';
import { parseYamlFile, type YamlPath } from './source.js';

/**
 * Each short form becomes its long form (`!Ref X` → `{ Ref: X }`), whether scalar, list or map.
 *
 * Templates are parsed for their values with js-yaml, a second YAML library beside `yaml`,
 * because deploy-cf's no-change path is mostly parsing. bench/yaml-parsers.mjs (a fresh process
 * loading the module and parsing the 39 templates of cf/ and test/fixtures/platform/cf, Node 24):
 * js-yaml a median 76 ms, `yaml` with positions 191 ms (2.5x). The 115 ms between them is a third
 * of deploy-cf's whole no-change run on the 26-template fixture (333 ms, bench/platform-scale.mjs).
 * Positions are needed only to report a problem: they come from `yaml` (source.ts), read once
 * per template on the first question.
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
  /** 1-based line of the key or item at this path (`['Parameters', 'Environment']`), or of the nearest parent. */
  lineOf: (path: YamlPath) => number;
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
  return { value, lineOf: templateLines(text) };
}

/**
 * The line of a path in a template's text (its key or item, else the nearest parent's): the
 * positions are read on the first question only, then kept for every later one.
 */
export function templateLines(text: string): (path: YamlPath) => number {
  let lineOf: ((path: YamlPath) => number) | undefined;
  return (path) => {
    if (!lineOf) {
      const [document] = parseYamlFile(text, { cfn: true }).documents;
      lineOf = document ? (at) => document.lineOf(at) : () => 1;
    }
    return lineOf(path);
  };
}
