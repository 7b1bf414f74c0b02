import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseParametersText } from '../cf/parameters.js';
import { CF_DIR, isTemplateFileName, PARAMETERS_FILE } from '../cf/layout.js';
import { CI_CONFIG_FILES } from '../config/ci-config.js';
import { CLUSTER_ENVIRONMENTS_FILE } from '../infra/cluster-environments.js';
import { InputError } from '../ui/errors.js';
import type { ChartSource, Repository, SourceFile, YamlSource } from './context.js';
import type { Finding, RuleDefinition } from './finding.js';
import { parseYamlFile, syntaxMessage, type YamlFile } from '../yaml/source.js';

export const repositoryRules: readonly RuleDefinition[] = [
  {
    id: 'yaml-syntax',
    rationale: 'a file that does not parse is ignored by every other check and fails at deploy time',
    fix: 'fix the YAML at that line (indentation, an unclosed quote or bracket, a duplicate key)',
  },
];

const YAML = /\.ya?ml$/;
export const ACCESS_LISTS = ['infra/cluster_admins', 'infra/cluster_users'] as const;

/** The files `biomage check` reads, by area; missing areas are simply empty. */
export function loadRepository(root: string): { repo: Repository; findings: Finding[] } {
  const findings: Finding[] = [];
  const read = (file: string): SourceFile => {
    try {
      return { file, text: readFileSync(join(root, file), 'utf8') };
    } catch (error) {
      throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        where: file,
        hint: 'check the file exists and is readable',
      });
    }
  };
  const parse = (file: string, cfn = false, parser: (text: string) => YamlFile = (text) => parseYamlFile(text, { cfn })): YamlSource | undefined => {
    const source = read(file);
    const yaml = parser(source.text);
    // The first error only: the ones after it are usually the parser losing its way.
    const error = yaml.errors[0];
    if (error) {
      findings.push({ file, line: error.line, column: error.column, rule: 'yaml-syntax', message: syntaxMessage(error) });
    }
    return yaml.errors.length ? undefined : { ...source, yaml };
  };
  const list = (dir: string, pattern: RegExp) => filesIn(root, dir, pattern);
  const present = (file: string) => existsSync(join(root, file));
  const defined = <T>(items: (T | undefined)[]) => items.filter((item): item is T => item !== undefined);

  const templates = defined(templateFiles(root).map((file) => parse(file, true)));
  const releaseDirs = present('releases')
    ? readdirSync(join(root, 'releases'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `releases/${e.name}`).sort()
    : [];
  // Files directly under releases/ are loaded too, so the release rules can say they are misplaced.
  const releases = defined([...list('releases', YAML), ...releaseDirs.flatMap((dir) => list(dir, YAML))].map((file) => parse(file)));
  const ciFile = CI_CONFIG_FILES.find(present);

  const repo: Repository = {
    root,
    templates,
    parameters: present(PARAMETERS_FILE) ? parse(PARAMETERS_FILE, false, parseParametersText) : undefined,
    clusterConfig: present('infra/cluster.yaml') ? parse('infra/cluster.yaml') : undefined,
    clusterEnvironments: present(CLUSTER_ENVIRONMENTS_FILE) ? parse(CLUSTER_ENVIRONMENTS_FILE) : undefined,
    accessLists: ACCESS_LISTS.filter(present).map(read),
    charts: [...chartsUnder(root, 'charts'), ...chartsUnder(root, 'infra/charts')],
    releases,
    ciConfig: ciFile ? parse(ciFile) : undefined,
    workflows: list('.github/workflows', YAML).map(read),
  };
  return { repo, findings };
}

/**
 * Only the CloudFormation templates, for the IAM rules over a policy held elsewhere (a service
 * repository's .ci.yaml): they resolve ARNs against what the templates declare. A template that
 * does not parse is left out, as `biomage check` leaves it to its yaml-syntax finding.
 */
export function loadTemplateRepository(root: string): Repository {
  const templates = templateFiles(root).flatMap((file): YamlSource[] => {
    const text = readFileSync(join(root, file), 'utf8');
    const yaml = parseYamlFile(text, { cfn: true });
    return yaml.errors.length ? [] : [{ file, text, yaml }];
  });
  return { root, templates, accessLists: [], charts: [], releases: [], workflows: [] };
}

/** cf/*.yaml (not cf/parameters.yaml) and infra/cf-*.yaml. */
function templateFiles(root: string): string[] {
  const cf = filesIn(root, CF_DIR, YAML).filter((file) => isTemplateFileName(basename(file)));
  return [...cf, ...filesIn(root, 'infra', /^cf-.*\.ya?ml$/)];
}

function filesIn(root: string, dir: string, pattern: RegExp): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => `${dir}/${entry.name}`)
    .sort();
}

function chartsUnder(root: string, dir: string): ChartSource[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, dir, entry.name, 'Chart.yaml')))
    .map((entry) => {
      const chart = parseYamlFile(readFileSync(join(root, dir, entry.name, 'Chart.yaml'), 'utf8')).documents[0]?.value;
      const name = (chart as { name?: unknown } | undefined)?.name;
      return { dir: `${dir}/${entry.name}`, name: typeof name === 'string' ? name : entry.name };
    })
    .sort((a, b) => a.dir.localeCompare(b.dir));
}
