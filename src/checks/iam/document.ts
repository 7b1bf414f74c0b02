import { branches, evaluateString, isRecord, textStartLine, UNKNOWN, type Scope, type TemplateModel } from '../cfn-model.js';
import type { YamlPath } from '../../yaml/source.js';

/**
 * A policy document as a template holds it: a YAML mapping, or JSON text (plain, or inside
 * `Fn::Sub` so that it can name parameters), possibly chosen by `Fn::If`. Either way the rules
 * see one value with lines for every path in it.
 */
export interface PolicyDocument {
  value: unknown;
  /** The line of a path inside the document. */
  lineOf(path: YamlPath): number;
  /** Set for JSON text inside `Fn::Sub`: every string in it (keys too) is a Sub template with these variables. */
  sub?: { vars: unknown };
  /** The `Fn::Sub` templates the document is written with, and the line each starts on. */
  subTexts: { text: string; line: number }[];
  /** JSON text that does not parse: `value` is undefined and `lineOf` gives where the text starts. */
  invalid?: boolean;
}

/** The documents a policy position holds in this environment (every branch of an unknown `Fn::If`). */
export function policyDocuments(value: unknown, path: YamlPath, template: TemplateModel, scope: Scope | undefined): PolicyDocument[] {
  return branches(value, path, scope).flatMap(({ value: doc, path: at }): PolicyDocument[] => {
    if (isRecord(doc) && 'Fn::Sub' in doc) {
      const args = doc['Fn::Sub'];
      const [text, vars] = Array.isArray(args) ? args : [args, undefined];
      const textPath = Array.isArray(args) ? [...at, 'Fn::Sub', 0] : [...at, 'Fn::Sub'];
      if (typeof text !== 'string') return [];
      const line = textStartLine(template.source, template.lineOf(textPath));
      const parsed = jsonDocument(text, line) ?? invalid(line);
      return [{ ...parsed, sub: { vars: vars ?? {} }, subTexts: [{ text, line }] }];
    }
    if (typeof doc === 'string') {
      const line = textStartLine(template.source, template.lineOf(at));
      return [{ ...(jsonDocument(doc, line) ?? invalid(line)), subTexts: [] }];
    }
    if (!isRecord(doc)) return [];
    return [{ value: doc, lineOf: (rel: YamlPath) => template.lineOf([...at, ...rel]), subTexts: subTextsIn(doc, at, template) }];
  });
}

const invalid = (line: number) => ({ value: undefined, lineOf: () => line, invalid: true });

/** A string (or map key) of a document, evaluated: JSON inside `Fn::Sub` is substituted first. */
export function documentString(doc: PolicyDocument, value: unknown, scope: Scope | undefined): string {
  if (doc.sub && typeof value === 'string') {
    return scope ? evaluateString({ 'Fn::Sub': [value, doc.sub.vars] }, scope) : value;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return scope ? evaluateString(value, scope) : UNKNOWN;
}

function subTextsIn(value: unknown, path: YamlPath, template: TemplateModel): { text: string; line: number }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => subTextsIn(item, [...path, index], template));
  if (!isRecord(value)) return [];
  const args = value['Fn::Sub'];
  const [text] = Array.isArray(args) ? args : [args];
  const own =
    typeof text === 'string'
      ? [{ text, line: textStartLine(template.source, template.lineOf(Array.isArray(args) ? [...path, 'Fn::Sub', 0] : [...path, 'Fn::Sub'])) }]
      : [];
  return [...own, ...Object.entries(value).flatMap(([key, inner]) => subTextsIn(inner, [...path, key], template))];
}

/** JSON text starting at `line`, with the line of every path; undefined when it is not JSON. */
export function jsonDocument(text: string, line: number): { value: unknown; lineOf(path: YamlPath): number } | undefined {
  const parsed = parseJsonWithOffsets(text);
  if (!parsed) return undefined;
  const lineAt = (offset: number) => {
    let count = 0;
    for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) count++;
    return line + count;
  };
  return {
    value: parsed.value,
    lineOf(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const offset = parsed.offsets.get(path.slice(0, depth).join('\u0000'));
        if (offset !== undefined) return lineAt(offset);
      }
      return line;
    },
  };
}

/**
 * JSON.parse that also records where every map key and list item starts, keyed like
 * YamlDocument paths, so a finding inside JSON text points at its own line.
 */
export function parseJsonWithOffsets(text: string): { value: unknown; offsets: Map<string, number> } | undefined {
  const offsets = new Map<string, number>();
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(`unexpected input at ${at}`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const string = (): string => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) fail();
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (path: (string | number)[]): unknown => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      const out: Record<string, unknown> = {};
      space();
      if (text[at] === '}') return at++, out;
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        const keyAt = at;
        const key = string();
        offsets.set([...path, key].join('\u0000'), keyAt);
        space();
        if (text[at++] !== ':') fail();
        out[key] = value([...path, key]);
        space();
        if (text[at] === ',') at++;
        else if (text[at] === '}') return at++, out;
        else fail();
      }
    }
    if (char === '[') {
      at++;
      const out: unknown[] = [];
      space();
      if (text[at] === ']') return at++, out;
      for (;;) {
        space();
        offsets.set([...path, out.length].join('\u0000'), at);
        out.push(value([...path, out.length]));
        space();
        if (text[at] === ',') at++;
        else if (text[at] === ']') return at++, out;
        else fail();
      }
    }
    if (char === '"') return string();
    const literal = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(at))?.[0];
    if (!literal) fail();
    at += literal!.length;
    return JSON.parse(literal!);
  };
  try {
    space();
    offsets.set('', at);
    const result = value([]);
    space();
    if (at !== text.length) fail();
    return { value: result, offsets };
  } catch {
    return undefined;
  }
}
