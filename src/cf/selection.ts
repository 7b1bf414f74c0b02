import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError, UsageError } from '../ui/errors.js';
import { CF_DIR, isTemplateFileName, PARAMETERS_FILE, PARAMETERS_FILE_NAME, TEMPLATE_FILE } from './layout.js';

export interface Selection {
  /** Template paths named on the command line (relative to cwd or absolute). */
  paths: string[];
  changedSince?: string;
}

/** The absolute paths of the templates to deploy: the named ones, the changed ones, or all of cf/. */
export async function selectTemplates(root: string, selection: Selection, cwd = process.cwd()): Promise<string[]> {
  const cfDir = join(root, CF_DIR);
  if (selection.paths.length && selection.changedSince) {
    throw new UsageError('name templates or pass --changed-since, not both', {
      hint: '--changed-since picks the templates itself',
    });
  }
  if (selection.paths.length) return selection.paths.map((p) => insideCf(root, cfDir, isAbsolute(p) ? p : resolve(cwd, p)));

  const all = templateFileNames(root).map((f) => join(cfDir, f));
  if (!selection.changedSince) return all;
  // Loaded only here: the git facade brings in the process runner, which nothing else here needs.
  const [{ changedFiles, showFile }, { changedParameterEntries }] = await Promise.all([import('../tools/git.js'), import('./parameters.js')]);
  const changed = new Set((await changedFiles(selection.changedSince, CF_DIR, root)).map((f) => join(root, f)));
  // A template whose values in cf/parameters.yaml changed (or went, back to its Defaults) is changed too.
  const before = await showFile(selection.changedSince, `./${PARAMETERS_FILE}`, root);
  const now = existsSync(join(root, PARAMETERS_FILE)) ? readFileSync(join(root, PARAMETERS_FILE), 'utf8') : undefined;
  const names = new Set(changedParameterEntries(before, now));
  return all.filter((f) => changed.has(f) || names.has(basename(f).replace(TEMPLATE_FILE, '')));
}

/** The templates' file names in cf/, sorted. */
function templateFileNames(root: string): string[] {
  return readdirSync(join(root, CF_DIR)).filter(isTemplateFileName).sort();
}

/** Every template's name (`cognito` for cf/cognito.yaml): the keys cf/parameters.yaml may use. None without cf/. */
export function templateNames(root: string): string[] {
  return existsSync(join(root, CF_DIR)) ? templateFileNames(root).map((f) => f.replace(TEMPLATE_FILE, '')) : [];
}

function insideCf(root: string, cfDir: string, path: string): string {
  const rel = relative(cfDir, path);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.includes('/')) {
    throw new InputError(`${relative(root, path) || path} is outside ${CF_DIR}/: deploy-cf deploys only the platform templates`, {
      where: path,
      hint: `templates under infra/ have their own commands; platform templates go directly in ${CF_DIR}/`,
    });
  }
  if (!existsSync(path)) {
    throw new InputError(`${relative(root, path)} does not exist`, { where: path, hint: `list ${CF_DIR}/ to see the templates` });
  }
  if (basename(path) === PARAMETERS_FILE_NAME) {
    throw new InputError(`${relative(root, path)} is not a template: it holds the templates' parameter values`, {
      where: path,
      hint: 'name the templates whose parameters it sets, or deploy them all',
    });
  }
  if (!TEMPLATE_FILE.test(path)) {
    throw new InputError(`${relative(root, path)} is not a template (.yaml, .yml or .json)`, { where: path });
  }
  return path;
}
