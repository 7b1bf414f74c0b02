import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { parseYamlFile, type YamlPath } from '../yaml/source.js';
import { InputError } from '../ui/errors.js';
import { schemaProblems } from './schema-problems.js';

export interface ConfigFileHints {
  /** The next step when the file does not exist. */
  missing: string;
  /** The next step when it is not YAML (none: the line says enough). */
  yaml?: string;
  /** The next step when a field is wrong. */
  invalid: string;
}

/**
 * A small YAML file of this repository (`infra/github.yaml`, `infra/dns.yaml`), validated with its
 * schema: missing, unparsable or invalid is an InputError naming the file and the line (exit 2).
 * Returns the data and where each path of it is, for errors found later.
 */
export function loadConfigFile<S extends z.ZodType>(root: string, file: string, schema: S, hints: ConfigFileHints): { data: z.infer<S>; lineOf: (path: YamlPath) => number } {
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    throw new InputError(`${file} is missing`, { hint: hints.missing });
  }
  const yaml = parseYamlFile(text);
  const doc = yaml.documents[0];
  if (yaml.errors.length || !doc) {
    const error = yaml.errors[0];
    throw new InputError(`${file} is not valid YAML: ${error?.message ?? 'empty file'}`, {
      where: `${file}:${error?.line ?? 1}`,
      ...(hints.yaml ? { hint: hints.yaml } : {}),
    });
  }
  const result = schema.safeParse(doc.value);
  if (result.success) return { data: result.data, lineOf: doc.lineOf };
  const problems = schemaProblems(result.error, doc.value, doc.lineOf);
  throw new InputError(`${file}: ${problems.map((p) => p.message).join('; ')}`, { where: `${file}:${problems[0]?.line ?? 1}`, hint: hints.invalid });
}
