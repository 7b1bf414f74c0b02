import type { RuleDefinition } from '../finding.js';

/**
 * The external linters, each a rule family: a finding's rule is `cfn-lint/E3002` or
 * `actionlint/expression` (the linter's own id after the slash), or the linter's name alone.
 */
export const linterRules: readonly RuleDefinition[] = [
  { id: 'cfn-lint', rationale: 'CloudFormation rejects or misdeploys what cfn-lint flags', fix: 'see the cfn-lint rule (https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md)' },
  { id: 'actionlint', rationale: 'a broken workflow fails only when it runs, often at deploy time', fix: 'see https://github.com/rhysd/actionlint/blob/main/docs/checks.md' },
  { id: 'helm-lint', rationale: 'a chart helm lint rejects will not install', fix: 'fix the chart file named; run `helm lint <chart>` to see it alone' },
  { id: 'helm-template', rationale: 'a chart that does not render with a release\'s values breaks that release in the cluster', fix: 'fix the template, or the values in the release, until `helm template` renders it' },
  { id: 'kubeconform', rationale: 'the API server rejects objects that do not match their schema', fix: 'fix the field named, as the Kubernetes/Flux/eksctl schema requires' },
];

/** The rule definition a linter finding belongs to: `cfn-lint/E3002` → `cfn-lint`. */
export function linterFamily(rule: string): string {
  const [family = rule] = rule.split('/');
  return family;
}
