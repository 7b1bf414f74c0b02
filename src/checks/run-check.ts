import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../ui/errors.js';
import type { CheckContext, Repository, SourceFile } from './context.js';
import { compareFindings, ruleTable, type Finding, type RuleDefinition, type Suppressed } from './finding.js';
import { actionlintFindings } from './linters/actionlint.js';
import { cfnLintFindings } from './linters/cfn-lint.js';
import { helmFindings } from './linters/helm.js';
import { kubeconformFindings } from './linters/kubeconform.js';
import { linterFamily, linterRules } from './linters/linter-rules.js';
import { loadRepository, repositoryRules } from './repository.js';
import { RULE_MODULES } from './rules/index.js';
import { applySuppressions, parseSuppressions, suppressionRules } from './suppressions.js';

/** Every rule `biomage check` can report, by id. */
export const RULES: ReadonlyMap<string, RuleDefinition> = ruleTable([
  repositoryRules,
  suppressionRules,
  linterRules,
  ...RULE_MODULES.map((m) => m.rules),
]);

/** The definition behind a finding's rule (`cfn-lint/E3002` belongs to `cfn-lint`). */
export function ruleOf(id: string): RuleDefinition | undefined {
  return RULES.get(id) ?? RULES.get(linterFamily(id));
}

export interface CheckRequest {
  root: string;
  /** Limit the report to these files or folders (relative to cwd, or absolute). */
  paths: string[];
  cwd: string;
  /** The revision node groups are compared with, and how to read a file there. */
  base: { name: string; read: (file: string) => Promise<string | undefined> };
  region: string;
  env?: NodeJS.ProcessEnv;
}

export interface CheckReport {
  findings: Finding[];
  suppressed: Suppressed[];
  /** What was looked at, by area, for the summary line. */
  checked: Record<string, number>;
}

/**
 * Run every linter once over everything it applies to, and every repository rule, then keep
 * the findings inside the requested paths and apply inline suppressions. The linters run
 * concurrently; rules that need rendered charts wait for helm, the others do not.
 */
export async function runCheck(request: CheckRequest): Promise<CheckReport> {
  const scope = request.paths.map((p) => scopeOf(request.root, request.cwd, p));
  const { repo, findings: parseFindings } = loadRepository(request.root);
  const tools = { env: request.env };

  const helm = helmFindings(repo, request.env);
  const results = await Promise.all([
    cfnLintFindings(repo, { regions: [request.region], env: request.env }),
    actionlintFindings(repo, request.env),
    helm.then((h) => h.findings),
    helm.then((h) => kubeconformFindings(repo, h.renderings, { region: request.region, ...tools })),
    helm.then((h) => {
      const ctx: CheckContext = {
        repo,
        rendered: h.renderings.flatMap((r) => r.manifests),
        readAtBase: request.base.read,
        // Read late: the base is resolved (and named after its commit) on the first read.
        get baseName() {
          return request.base.name;
        },
      };
      return Promise.all(RULE_MODULES.map(async (m) => m.check(ctx))).then((all) => all.flat());
    }),
  ]);

  const inScope = (file: string) => !scope.length || scope.some((s) => s === '' || file === s || file.startsWith(`${s}/`));
  const found = [...parseFindings, ...results.flat()].filter((f) => inScope(f.file));
  const suppressions = checkedFiles(repo)
    .filter((source) => inScope(source.file))
    .flatMap((source) => parseSuppressions(source.file, source.text));
  const { findings, suppressed } = applySuppressions(dedupe(found), suppressions, (id) => ruleOf(id) !== undefined);
  return {
    findings: findings.sort(compareFindings),
    suppressed: suppressed.sort((a, b) => compareFindings(a.finding, b.finding)),
    checked: {
      templates: repo.templates.length,
      charts: repo.charts.length,
      releases: repo.releases.length,
      workflows: repo.workflows.length,
      'cluster config': repo.clusterConfig ? 1 : 0,
      'access lists': repo.accessLists.length,
      'ci config': repo.ciConfig ? 1 : 0,
    },
  };
}

/** A path argument as a path inside the repository ('' is all of it); outside or missing is bad input. */
function scopeOf(root: string, cwd: string, path: string): string {
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  const rel = relative(root, absolute);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(`${path} is outside the repository being checked (${root})`, { hint: 'name files or folders inside it, or pass --root' });
  }
  if (!existsSync(absolute)) throw new InputError(`${path} does not exist`, { where: path, hint: 'name a file or folder of the repository' });
  return rel.replace(/\/$/, '');
}

/**
 * The files whose comments may carry suppressions: everything the check read (already in
 * memory), and the chart files, read here.
 */
function checkedFiles(repo: Repository): SourceFile[] {
  const files: SourceFile[] = [
    ...repo.templates,
    ...(repo.parameters ? [repo.parameters] : []),
    ...repo.releases,
    ...repo.accessLists,
    ...repo.workflows,
    ...(repo.clusterConfig ? [repo.clusterConfig] : []),
    ...(repo.clusterEnvironments ? [repo.clusterEnvironments] : []),
    ...(repo.ciConfig ? [repo.ciConfig] : []),
  ];
  for (const chart of repo.charts) {
    files.push(...walk(repo.root, chart.dir).map((file) => ({ file, text: readFileSync(join(repo.root, file), 'utf8') })));
  }
  return files;
}

function walk(root: string, dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(root, path)).isDirectory() ? walk(root, path) : [path];
  });
}

/** The same finding from several renderings of one chart is one finding. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}\0${f.line}\0${f.rule}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
