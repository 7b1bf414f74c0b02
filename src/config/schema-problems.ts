import type { z } from 'zod';
import { valueAt, type YamlPath } from '../yaml/source.js';

/** One thing wrong with a file a schema checks: where (path and line) and what, in words. */
export interface SchemaProblem {
  path: YamlPath;
  line: number;
  message: string;
}

/**
 * Turn a zod error into problems in plain words (`spec.interval is missing`), one per issue and
 * one per unknown key, each at the line of its path in the YAML document.
 */
export function schemaProblems(error: z.ZodError, input: unknown, lineOf: (path: YamlPath) => number): SchemaProblem[] {
  return error.issues.flatMap((issue): SchemaProblem[] => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        return { path: keyPath, line: lineOf(keyPath), message: `${fieldName(keyPath)} is not a known field` };
      });
    }
    return [{ path, line: lineOf(path), message: `${fieldName(path)} ${predicate(issue, valueAt(input, path))}` }];
  });
}

function predicate(issue: z.core.$ZodIssue, value: unknown): string {
  const found = value === undefined ? '' : ` (found ${describe(value)})`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is missing';
      return `must be ${article(issue.expected)}${found}`;
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const expected = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      return value === undefined ? `is missing (expected ${expected})` : `must be ${expected}${found}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${issue.minimum} items`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}${found}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be at most ${issue.maximum}${found}`;
    case 'invalid_format':
      // Our schemas word these messages themselves (`must be …`).
      return `${issue.message}${found}`;
    case 'custom':
      return issue.message;
    default:
      return `is not valid${found}`;
  }
}

/** `spec.chart.spec.sourceRef`, `ci-policies[0].PolicyName`; the whole document is `the document`. */
export function fieldName(path: YamlPath): string {
  if (!path.length) return 'the document';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}


function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  // What is left is a number, boolean, bigint or undefined: parsed YAML holds no symbols or functions.
  return `${typeof value} ${String(value as number | boolean | bigint | undefined) /* eslint-disable-line @typescript-eslint/no-unnecessary-type-assertion -- the assertion tells no-base-to-string what is left */}`;
}

function article(type: string): string {
  const words: Record<string, string> = { object: 'a mapping', array: 'a list', record: 'a mapping' };
  return words[type] ?? `a ${type}`;
}
