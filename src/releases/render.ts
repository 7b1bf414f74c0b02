import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from '../atomic-file.js';
import { dirname, join, relative } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { z } from 'zod';
import { parseYamlFile } from '../yaml/source.js';
import type { Environment } from '../config/environments.js';
import { CLUSTER_ENVIRONMENTS } from '../infra/cluster-config.js';
import { InputError, UsageError } from '../ui/errors.js';
import { parseImageReference, type ImageReference } from './image-reference.js';
import { fillTemplate, isPlaceholderName, type PlaceholderValue, type TemplateProblem } from './template.js';
import { validateRelease } from './validate-release.js';

/** Where a release came from, on the HelmRelease itself: `release push` and operators read them. */
export const SOURCE_COMMIT_ANNOTATION = 'biomage.io/source-commit';
export const SOURCE_REPOSITORY_ANNOTATION = 'biomage.io/source-repository';
export const IMAGE_ANNOTATION = 'biomage.io/image';

export const RELEASES_DIR = 'releases';

const renderInputSchema = z.object({
  env: z.enum(CLUSTER_ENVIRONMENTS, {
    error: `releases exist for ${CLUSTER_ENVIRONMENTS.join(' and ')} only (development is the local twin, which runs no release)`,
  }),
  template: z.string().min(1, { error: 'must name the .flux.ci file' }),
  image: z.string().transform((value, ctx) => {
    const parsed = parseImageReference(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: `${value} ${parsed.problem}` });
      return z.NEVER;
    }
    return parsed;
  }),
  // A short SHA can become ambiguous as history grows; the release must name one commit forever.
  sha: z.string().regex(/^[0-9a-f]{40}$/, { error: 'must be the full 40-character commit SHA the image was built from' }),
  source: z
    .string()
    .regex(/^[A-Za-z0-9](?:-?[A-Za-z0-9])*\/[A-Za-z0-9._-]+$/, { error: 'must be the GitHub repository as owner/name' })
    .optional(),
  set: z.array(z.string()).default([]),
});

export type RenderInput = Omit<z.input<typeof renderInputSchema>, 'env'> & { env: Environment };

export interface RenderResult {
  service: string;
  env: Environment;
  /** The release file, relative to the repository. */
  file: string;
  image: string;
  sha: string;
  /** False when the file already held exactly this release. */
  changed: boolean;
  written: boolean;
}

/**
 * Fill a service's `.flux.ci` template in for one environment, check the result as Flux and Helm
 * would, and write `releases/<env>/<service>.yaml`. Any problem is bad input and writes nothing.
 */
export async function renderRelease(
  raw: RenderInput,
  options: { root: string; dryRun: boolean; env?: NodeJS.ProcessEnv },
): Promise<RenderResult> {
  const input = parseInput(raw);
  const templateFile = input.template;
  let text: string;
  try {
    text = readFileSync(templateFile, 'utf8');
  } catch {
    throw new InputError(`the template ${templateFile} cannot be read`, { hint: 'pass --template the path of the service repository’s .flux.ci' });
  }

  const values = placeholderValues(input.env, input.image, input.sha, input.source, input.set);
  const filled = fillTemplate(text, values);
  fail(templateFile, filled.problems);
  const { document } = filled;
  if (!document) throw new Error('internal: fillTemplate gives a document whenever it finds no problems');
  if (![...filled.used].some((name) => name === 'image' || name.startsWith('image.'))) {
    fail(templateFile, [{ line: 1, message: 'the template never places the image: use ${image}, or ${image.repository} with ${image.tag} or ${image.digest}, in the chart values' }]);
  }
  const unused = input.set.filter(([name]) => !filled.used.has(name)).map(([name]) => name);
  if (unused.length) {
    throw new UsageError(`--set ${unused.join(', ')}: the template has no such placeholder`, {
      where: shown(templateFile),
      hint: 'remove the option or add the placeholder to the template (a typo would otherwise go unnoticed)',
    });
  }

  const [positions] = parseYamlFile(text).documents;
  if (!positions) throw new Error('internal: a template that filled has a first document');
  const validation = await validateRelease(document.toJS(), positions.lineOf, options.root, options.env);
  fail(templateFile, validation.problems);
  if (!validation.release) throw new Error('internal: validateRelease gives the release whenever it finds no problems');
  const service = validation.release.metadata.name;

  document.setIn(['metadata', 'annotations', SOURCE_COMMIT_ANNOTATION], input.sha);
  if (input.source) document.setIn(['metadata', 'annotations', SOURCE_REPOSITORY_ANNOTATION], input.source);
  document.setIn(['metadata', 'annotations', IMAGE_ANNOTATION], input.image.reference);
  const from = input.source ? `${input.source}@${input.sha}` : input.sha;
  // The template's opening comment describes the template; the release says where it came from.
  const first = isMap(document.contents) ? document.contents.items[0]?.key : undefined;
  if (isScalar(first)) first.commentBefore = undefined;
  document.commentBefore = ` Written by \`biomage release render\` from ${from}.\n Do not edit: see ../README.md.`;
  const output = document.toString({ lineWidth: 0 });

  const file = join(RELEASES_DIR, input.env, `${service}.yaml`);
  const path = join(options.root, file);
  const changed = !existsSync(path) || readFileSync(path, 'utf8') !== output;
  if (changed && !options.dryRun) {
    // Written whole or not at all: Flux may read the folder at any moment.
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomically(path, output);
  }
  return { service, env: input.env, file, image: input.image.reference, sha: input.sha, changed, written: changed && !options.dryRun };
}

interface ParsedInput {
  env: Environment;
  template: string;
  image: ImageReference;
  sha: string;
  source?: string;
  set: [string, string][];
}

function parseInput(raw: RenderInput): ParsedInput {
  const result = renderInputSchema.safeParse(raw);
  if (!result.success) {
    const [issue] = result.error.issues;
    if (!issue) throw new Error('internal: a failed zod parse has an issue');
    throw new UsageError(`--${String(issue.path[0])}: ${issue.message}`, { hint: 'see `biomage release render --help`' });
  }
  const set: [string, string][] = [];
  for (const assignment of result.data.set) {
    const at = assignment.indexOf('=');
    const name = at > 0 ? assignment.slice(0, at) : '';
    if (!isPlaceholderName(name)) {
      throw new UsageError(`--set ${assignment}: expected name=value with a placeholder name (letters and digits, parts joined by . _ or -)`);
    }
    if (BUILT_INS.includes(name)) throw new UsageError(`--set ${name}: ${name} is a built-in placeholder; its value comes from --env, --image, --sha or --source`);
    if (set.some(([seen]) => seen === name)) throw new UsageError(`--set ${name} is given twice`);
    set.push([name, assignment.slice(at + 1)]);
  }
  return { ...result.data, env: result.data.env, set };
}

const BUILT_INS = ['env', 'image', 'image.registry', 'image.repository', 'image.tag', 'image.digest', 'sha', 'sha.short', 'source'];

function placeholderValues(
  env: Environment,
  image: ImageReference,
  sha: string,
  source: string | undefined,
  set: [string, string][],
): Map<string, PlaceholderValue> {
  const builtIn: Record<(typeof BUILT_INS)[number], PlaceholderValue> = {
    env: { value: env },
    image: { value: image.reference },
    'image.registry': { value: image.registry, missing: `--image ${image.reference} names no registry` },
    'image.repository': { value: image.repository },
    'image.tag': { value: image.tag, missing: `--image ${image.reference} has no tag (it is pinned by digest: use \${image.digest})` },
    'image.digest': { value: image.digest, missing: `--image ${image.reference} has no digest (use \${image.tag})` },
    sha: { value: sha },
    'sha.short': { value: sha.slice(0, 7) },
    source: { value: source, missing: 'no --source given (and GITHUB_REPOSITORY is not set)' },
  };
  return new Map([...Object.entries(builtIn), ...set.map(([name, value]): [string, PlaceholderValue] => [name, { value, typed: true }])]);
}

/** A path as the operator typed it when it is under the working directory, else absolute. */
function shown(file: string): string {
  const inside = relative(process.cwd(), file);
  return inside && !inside.startsWith('..') ? inside : file;
}

function fail(file: string, problems: TemplateProblem[]): void {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const [first] = sorted;
  if (!first) return;
  const where = shown(file);
  const unknown = sorted.some((p) => p.message.startsWith('unknown placeholder'));
  throw new InputError(sorted.map((p) => `${where}:${p.line}: ${p.message}`).join('\n'), {
    where: `${where}:${first.line}`,
    hint: unknown
      ? `the built-in placeholders are ${BUILT_INS.map((name) => `\${${name}}`).join(' ')}; give others with --set name=value. Nothing was written`
      : 'fix the template (or the options); nothing was written',
  });
}
