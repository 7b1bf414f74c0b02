import type { Repository } from '../checks/context.js';
import { adminStatements, checkPolicyDocument } from '../checks/iam/policy.js';
import { parseCiConfig, type CiPolicy } from '../config/ci-config.js';
import { userNameProblem } from './naming.js';

/** IAM's quota for all inline policies of one user together, whitespace not counted. */
export const USER_INLINE_POLICY_LIMIT = 2_048;

export type Review =
  | { ok: true; policies: CiPolicy[]; warnings: string[] }
  | { ok: false; problems: string[]; hint: string };

export interface ReviewInput {
  repo: string;
  /** The file as named in messages: `<org>/<repo>/.ci.yaml`. */
  file: string;
  text: string;
  allowAdmin: boolean;
  /** The templates of this repository: the IAM rules resolve S3/DynamoDB/SQS/SNS ARNs against them. */
  templates: Repository;
}

/**
 * Everything that must hold before a repository's user is touched: the schema of `.ci.yaml`, a
 * user name IAM accepts, the IAM rules of `biomage check` on every policy, no administrator
 * access unless asked for by name, and IAM's size quota. Each problem names file and line.
 */
export function reviewCiConfig(input: ReviewInput): Review {
  const { repo, file } = input;
  const parsed = parseCiConfig(input.text, file);
  if (!parsed.config) {
    return {
      ok: false,
      problems: parsed.problems.map((p) => `${file}:${p.line}: ${p.message}`),
      hint: `fix ${file} (\`biomage check\` in that repository shows the same problems), then rerun with --repo ${repo}`,
    };
  }
  const nameProblem = userNameProblem(repo);
  if (nameProblem) return { ok: false, problems: [`repository ${repo}: ${nameProblem}`], hint: 'rename the repository, or give it a GitHub OIDC role instead (docs/runbooks/github-ci.md)' };

  const policies = parsed.config['ci-policies'];
  if (!parsed.document) throw new Error('internal: a valid .ci.yaml comes with its parsed document');
  const lineOf = parsed.document.lineOf;
  const problems: string[] = [];
  const warnings: string[] = [];
  policies.forEach((policy, index) => {
    const path = ['ci-policies', index, 'PolicyDocument'];
    const label = `ci-policies[${index}] (${policy.PolicyName})`;
    for (const statement of adminStatements(policy.PolicyDocument)) {
      const where = `${file}:${lineOf([...path, 'Statement'])}`;
      if (input.allowAdmin) warnings.push(`${label} ${statement} grants every action on every resource (allowed by --allow-admin ${repo})`);
      else problems.push(`${where}: ${label} ${statement} grants every action on every resource (administrator access); refused unless --allow-admin ${repo} is given`);
    }
    const findings = checkPolicyDocument(policy.PolicyDocument, { file, lineOf, path }, input.templates, { allowAdmin: input.allowAdmin });
    for (const finding of findings) problems.push(`${finding.file}:${finding.line}: ${label} ${finding.message} [${finding.rule}]${finding.fix ? ` (${finding.fix})` : ''}`);
  });

  const size = policies.reduce((sum, p) => sum + JSON.stringify(p.PolicyDocument).replace(/\s/g, '').length, 0);
  if (size > USER_INLINE_POLICY_LIMIT) {
    problems.push(`${file}: the policies total ${size} characters without whitespace, over IAM's ${USER_INLINE_POLICY_LIMIT} for one user's inline policies`);
  }
  if (problems.length) {
    return { ok: false, problems, hint: `fix ${file}; its user keeps its current policies and keys until then (rules: docs/checks.md)` };
  }
  return { ok: true, policies, warnings };
}
