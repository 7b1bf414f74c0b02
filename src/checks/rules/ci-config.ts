import { ciConfigSchema, policyDocumentSchema } from '../../config/ci-config.js';
import { schemaProblems } from '../../config/schema-problems.js';
import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import { checkPolicyDocument } from '../iam/policy.js';

/**
 * `.ci.yaml`: the shape `rotate-ci` reads (the same zod schema), then the IAM policy rules on
 * every policy document in it.
 */
export const ciConfigRules: RuleModule = {
  rules: [
    {
      id: 'ci-config-schema',
      rationale: 'rotate-ci refuses a .ci.yaml that does not match its schema, so the CI user keeps stale permissions',
      fix: 'write `ci-policies:` as a list of {PolicyName, PolicyDocument: {Version: "2012-10-17", Statement: [...]}} with no other keys',
    },
  ],
  check({ repo }) {
    const source = repo.ciConfig;
    if (!source) return [];
    const findings: Finding[] = [];
    const [doc, ...extra] = source.yaml.documents;
    for (const more of extra) {
      findings.push({ file: source.file, line: more.line, rule: 'ci-config-schema', message: `${source.file} holds more than one YAML document; rotate-ci reads one` });
    }
    if (!doc) return findings;
    const result = ciConfigSchema.safeParse(doc.value);
    if (!result.success) {
      for (const problem of schemaProblems(result.error, doc.value, doc.lineOf)) {
        findings.push({ file: source.file, line: problem.line, rule: 'ci-config-schema', message: problem.message });
      }
    }
    // The IAM rules judge every document that has the shape of a policy, even when the rest of the file does not.
    const policies = (doc.value as { 'ci-policies'?: unknown } | null)?.['ci-policies'];
    (Array.isArray(policies) ? policies : []).forEach((policy, index) => {
      const document = (policy as { PolicyDocument?: unknown } | null)?.PolicyDocument;
      if (!policyDocumentSchema.safeParse(document).success) return;
      findings.push(...checkPolicyDocument(document, { file: source.file, lineOf: doc.lineOf, path: ['ci-policies', index, 'PolicyDocument'] }, repo));
    });
    return findings;
  },
};
