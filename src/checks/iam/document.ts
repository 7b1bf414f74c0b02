import { branches, evaluateString, isRecord, textStartLine, UNKNOWN, type Scope, type TemplateModel } from '../cfn-model.js';
import { parseYamlFile, type YamlPath } from '../../yaml/source.js';

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
      const [text, vars] = Array.isArray(args) ? (args as unknown[]) : [args, undefined];
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
  const [text] = Array.isArray(args) ? (args as unknown[]) : [args];
  const own =
    typeof text === 'string'
      ? [{ text, line: textStartLine(template.source, template.lineOf(Array.isArray(args) ? [...path, 'Fn::Sub', 0] : [...path, 'Fn::Sub'])) }]
      : [];
  return [...own, ...Object.entries(value).flatMap(([key, inner]) => subTextsIn(inner, [...path, key], template))];
}

/**
 * JSON text starting at `line`, with the line of every path; undefined when it is not JSON.
 * JSON.parse decides what is JSON and gives the value; the positions come from the YAML parser,
 * since JSON is YAML 1.2 (tabs, which JSON allows only as white space, become spaces first:
 * YAML refuses them as indentation, and one column for one keeps every offset).
 */
export function jsonDocument(text: string, line: number): { value: unknown; lineOf: (path: YamlPath) => number } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const [positions] = parseYamlFile(text.replaceAll('\t', ' ')).documents;
  return { value, lineOf: (path) => line + (positions ? positions.lineOf(path) : 1) - 1 };
}
