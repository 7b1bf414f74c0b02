import { expect } from 'vitest';
import type { CheckContext, Repository, RuleModule, YamlSource } from '../../src/checks/context.js';
import { compareFindings, type Finding } from '../../src/checks/finding.js';
import { loadRepository } from '../../src/checks/repository.js';
import { parseYamlFile } from '../../src/yaml/source.js';
import { cfTemplateRules } from '../../src/checks/rules/cf-template.js';
import { iamPolicyRules } from '../../src/checks/rules/iam-policy.js';
import { importRules } from '../../src/checks/rules/imports.js';
import { irsaTrustRules } from '../../src/checks/rules/irsa-trust.js';
import { route53Rules } from '../../src/checks/rules/route53.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { parseParametersText } from '../../src/cf/parameters.js';
import { PARAMETERS_FILE } from '../../src/cf/layout.js';

/** The CloudFormation and IAM rule modules, which share one model of the templates. */
export const CLOUDFORMATION_MODULES: readonly RuleModule[] = [cfTemplateRules, iamPolicyRules, importRules, irsaTrustRules, route53Rules];

/**
 * A repository held in memory for rule tests: `{ 'cf/topic.yaml': '…' }`. Templates (cf/*.yaml,
 * infra/cf-*.yaml) are parsed with CloudFormation's short forms, and cf/parameters.yaml with its
 * scalars as written, as loadRepository does.
 */
export function memoryRepo(files: Record<string, string>): Repository {
  const templates: YamlSource[] = Object.entries(files)
    .filter(([file]) => (/^cf\/[^/]+\.ya?ml$/.test(file) && file !== PARAMETERS_FILE) || /^infra\/cf-[^/]+\.ya?ml$/.test(file))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([file, text]) => {
      const yaml = parseYamlFile(text, { cfn: true });
      if (yaml.errors.length) throw new Error(`${file}: ${yaml.errors[0]!.message}`);
      return { file, text, yaml };
    });
  const parameters = files[PARAMETERS_FILE];
  return {
    root: '/memory',
    templates,
    ...(parameters === undefined ? {} : { parameters: { file: PARAMETERS_FILE, text: parameters, yaml: parseParametersText(parameters) } }),
    accessLists: [],
    charts: [],
    releases: [],
    workflows: [],
  };
}

export function checkContext(repo: Repository): CheckContext {
  return { repo, rendered: [], readAtBase: async () => undefined, baseName: 'HEAD' };
}

/** The findings of some rule modules over a repository, sorted as `biomage check` prints them. */
export async function runRules(modules: readonly RuleModule[], repo: Repository): Promise<Finding[]> {
  const ctx = checkContext(repo);
  const findings: Finding[] = [];
  for (const module of modules) findings.push(...(await module.check(ctx)));
  return findings.sort(compareFindings);
}

/** `file:line rule-id message (fix: …)`, as in a fixture's expected.txt. */
export function formatFindings(findings: readonly Finding[], modules: readonly RuleModule[]): string[] {
  const fixes = new Map(modules.flatMap((module) => module.rules.map((rule) => [rule.id, rule.fix] as const)));
  return findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message} (fix: ${f.fix ?? fixes.get(f.rule)})`);
}

/** The findings of `modules` over this repository itself: the real templates. */
export async function realRepositoryFindings(modules: readonly RuleModule[]): Promise<string[]> {
  const { repo } = loadRepository(repoRoot);
  expect(repo.templates.length).toBeGreaterThan(0);
  return formatFindings(await runRules(modules, repo), modules);
}
