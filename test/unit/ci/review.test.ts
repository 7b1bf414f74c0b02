import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reviewCiConfig } from '../../../src/ci/review.js';
import { loadTemplateRepository } from '../../../src/checks/repository.js';
import { installRoot as repoRoot } from '../../../src/paths.js';

const fixture = (name: string) => readFileSync(join(repoRoot, 'test', 'fixtures', 'rotate-ci', name), 'utf8');
const templates = loadTemplateRepository(repoRoot);
const review = (text: string, options: { repo?: string; allowAdmin?: boolean } = {}) =>
  reviewCiConfig({ repo: options.repo ?? 'svc', file: 'org/svc/.ci.yaml', text, allowAdmin: options.allowAdmin ?? false, templates });

describe('reviewCiConfig', () => {
  it('accepts valid configs', () => {
    expect(review(fixture('api.ci.yaml'))).toMatchObject({ ok: true, warnings: [] });
    expect(review(fixture('ui.ci.yml'))).toMatchObject({ ok: true });
  });

  it('a schema problem names the file, line and field', () => {
    expect(review(fixture('malformed.ci.yaml'))).toEqual({
      ok: false,
      problems: [
        'org/svc/.ci.yaml:3: ci-policies[0].PolicyName must be 1-128 letters, digits or +=,.@_- (an IAM policy name) (found "push image")',
        'org/svc/.ci.yaml:4: ci-policies[0].PolicyDocument.Statement is missing',
        'org/svc/.ci.yaml:6: ci-policies[0].PolicyDocument.Statment is not a known field',
      ],
      hint: 'fix org/svc/.ci.yaml (`biomage check` in that repository shows the same problems), then rerun with --repo svc',
    });
    expect(review('ci-policies: [\n')).toMatchObject({ ok: false, problems: [expect.stringMatching(/^org\/svc\/\.ci\.yaml:\d+: org\/svc\/\.ci\.yaml is not valid YAML: /)] });
  });

  it('applies the IAM rules of biomage check', () => {
    expect(review(fixture('wildcard.ci.yaml'))).toMatchObject({
      ok: false,
      problems: ['org/svc/.ci.yaml:8: ci-policies[0] (all-of-ecr) action ecr:* in statement 1 allows every ecr action [iam-wildcard-action]'],
    });
  });

  it('refuses * on * unless --allow-admin names the repository', () => {
    const refused = review(fixture('admin.ci.yaml'));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems[0]).toBe(
      'org/svc/.ci.yaml:6: ci-policies[0] (everything) statement 1 grants every action on every resource (administrator access); refused unless --allow-admin svc is given',
    );
    expect(review(fixture('admin.ci.yaml'), { allowAdmin: true })).toEqual({
      ok: true,
      policies: expect.any(Array),
      warnings: ['ci-policies[0] (everything) statement 1 grants every action on every resource (allowed by --allow-admin svc)'],
    });
  });

  it("refuses a repository whose user name would exceed IAM's 64 characters", () => {
    expect(review(fixture('api.ci.yaml'), { repo: 'r'.repeat(57) })).toMatchObject({ ok: false, problems: [expect.stringMatching(/is 65 characters, over IAM's 64/)] });
  });

  it("refuses policies over IAM's 2,048 characters for one user", () => {
    const resources = Array.from({ length: 40 }, (_, i) => `            - arn:aws:eks:eu-west-1:123456789012:cluster/biomage-staging-${i}`).join('\n');
    const text = `ci-policies:
  - PolicyName: many
    PolicyDocument:
      Version: '2012-10-17'
      Statement:
        - Effect: Allow
          Action: eks:DescribeCluster
          Resource:
${resources}
`;
    const result = review(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.stringMatching(/^org\/svc\/\.ci\.yaml: the policies total \d+ characters without whitespace, over IAM's 2048/)]);
  });
});
