import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { toolsDir } from '../paths.js';
import { ToolMissingError } from '../ui/errors.js';
import { runTool, runToolOk, ToolFailedError } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** kubeconform: validates rendered manifests against local Kubernetes and Flux schemas. */
export const kubeconform: ToolSpec = {
  name: 'kubeconform',
  install: 'tools/install.sh kubeconform',
  purpose: 'validate manifests against schemas',
  pin: { key: 'KUBECONFORM_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    return firstLine((await runToolOk(kubeconform, ['-v'], { env })).stdout);
  },
};

/** Where `tools/install.sh schemas` writes the offline schemas (tools/schemas/build-schemas.mjs). */
export function schemasDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolsDir(env), 'schemas');
}

/** The offline schemas were never built, or their build did not finish (the stamp comes last). */
export class SchemasMissingError extends ToolMissingError {
  constructor(dir: string) {
    super('kubeconform schemas', `the kubeconform schemas are not installed (no ${join(dir, '.installed-from')})`, {
      hint: 'build them with: tools/install.sh schemas (or make tools)',
    });
  }
}

/**
 * The -schema-location templates for that layout: built-in kinds named as kubeconform's own
 * schema repository names them, then CRDs (Flux) and the eksctl ClusterConfig by API group.
 */
export function schemaLocations(dir: string): string[] {
  return [
    join(dir, 'kubernetes', '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
    join(dir, '{{ .Group }}', '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
  ];
}

export type KubeconformStatus = 'valid' | 'invalid' | 'error' | 'skipped';

/** One resource (one YAML document) as kubeconform judged it. */
export interface KubeconformResult {
  /** The file it came from, or `stdin`. */
  filename: string;
  kind: string;
  name: string;
  /** The apiVersion, e.g. `apps/v1`. */
  version: string;
  /** `error` includes a kind with no schema: never silently skipped. */
  status: KubeconformStatus;
  msg: string;
  /** For `invalid`: each violation, at a JSON pointer (RFC 6901) into the resource, e.g. `/spec/replicas`. */
  validationErrors?: { path: string; msg: string }[];
}

export type ManifestInput = { files: string[] } | { stdin: string };

interface RawResult extends Omit<KubeconformResult, 'status'> {
  status: string;
}

const STATUSES: Record<string, KubeconformStatus> = {
  statusValid: 'valid',
  statusInvalid: 'invalid',
  statusError: 'error',
  statusSkipped: 'skipped',
};

/**
 * Validate manifests in one kubeconform run, strictly and offline (only the local schemas, so a
 * kind without one is an `error` result). Results come in input order: one worker keeps
 * kubeconform's output in the order of the files and documents, at no cost worth measuring.
 */
export async function validateManifests(
  input: ManifestInput,
  options: { env?: NodeJS.ProcessEnv; schemasDir?: string } = {},
): Promise<KubeconformResult[]> {
  const dir = resolve(options.schemasDir ?? schemasDir(options.env));
  if (!existsSync(join(dir, '.installed-from'))) throw new SchemasMissingError(dir);
  // With no file arguments kubeconform would read stdin instead.
  if ('files' in input && !input.files.length) return [];
  // -verbose: without it valid resources are left out of the report.
  const args = ['-strict', '-summary=false', '-output', 'json', '-verbose', '-n', '1'];
  for (const location of schemaLocations(dir)) args.push('-schema-location', location);
  // `--` so that a file named like a flag stays a file; no file arguments means stdin.
  if ('files' in input) args.push('--', ...input.files);
  const result = await runTool(kubeconform, args, { env: options.env, input: 'stdin' in input ? input.stdin : undefined });
  // Exit code 1 is also how kubeconform says "some resource is invalid": a report is a result.
  const report = parseReport(result.stdout);
  if (!report || result.exitCode > 1) throw new ToolFailedError(kubeconform.name, result.exitCode, result.stderr || result.stdout);
  // -verbose also lists empty documents (a leading `---`, a template that rendered nothing), with no status.
  return report.flatMap(({ filename, kind, name, version, status, msg, validationErrors }) => {
    const known = STATUSES[status];
    if (!known) return [];
    const leaves = leafErrors(msg);
    const errors = validationErrors && { validationErrors: leaves.length ? leaves : validationErrors };
    return [{ filename, kind, name, version, status: known, msg, ...errors }];
  });
}

/**
 * Every violation named in kubeconform's message, sorted by path (the validator's order changes
 * from run to run). Its validationErrors list stops at the first level of the validator's error
 * tree (just "validation failed" at /spec when /spec has two problems) and joins path segments
 * unescaped; the message has each leaf, with a real JSON pointer.
 */
function leafErrors(msg: string): { path: string; msg: string }[] {
  const byPath = (a: { path: string; msg: string }, b: { path: string; msg: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.msg < b.msg ? -1 : a.msg > b.msg ? 1 : 0;
  return [...msg.matchAll(/ - at '([^']*)': (.*?)(?=\s+- at '|$)/g)]
    // Both groups are mandatory in the pattern: the defaults never apply.
    .map(([, path = '', message = '']) => ({ path, msg: message.trim() }))
    .filter((error) => error.msg !== 'validation failed')
    .sort(byPath);
}

function parseReport(stdout: string): RawResult[] | undefined {
  try {
    const parsed = JSON.parse(stdout) as { resources?: RawResult[] };
    return Array.isArray(parsed.resources) ? parsed.resources : undefined;
  } catch {
    return undefined;
  }
}
