import { describe, expect, it } from 'vitest';
import { buildUsersTemplate, policyDiff, usersStackPlan, userResource } from '../../../src/ci/users-stack.js';
import { TEMPLATE_BODY_LIMIT } from '../../../src/cf/template.js';
import { InputError } from '../../../src/ui/errors.js';

const policy = (name: string, action: string) => ({
  PolicyName: name,
  PolicyDocument: { Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::b/*' }] },
});

describe('the biomage-ci-users template', () => {
  it('is the same body (and hash) for the same users, whatever the order of keys or resources', () => {
    const a = buildUsersTemplate('org', { B: userResource('b', [policy('p', 's3:GetObject')]), A: userResource('a', []) });
    const reordered = {
      PolicyName: 'p',
      PolicyDocument: { Statement: [{ Resource: 'arn:aws:s3:::b/*', Action: 's3:GetObject', Effect: 'Allow' }], Version: '2012-10-17' as const },
    };
    const b = buildUsersTemplate('org', { A: userResource('a', []), B: userResource('b', [reordered]) });
    expect(b.body).toBe(a.body);
    expect(usersStackPlan(b.body, b.template).hash).toBe(usersStackPlan(a.body, a.template).hash);
    expect(Object.keys(a.template.Resources)).toEqual(['A', 'B']);
    expect(a.template.Metadata).toEqual({ 'biomage:ci-users': { organisation: 'org' } });
    expect(usersStackPlan(a.body, a.template)).toMatchObject({ stackName: 'biomage-ci-users', parameters: [], dependsOn: [] });
  });

  it('a stack with no user left holds an inert placeholder (CloudFormation wants one resource)', () => {
    expect(Object.values(buildUsersTemplate('org', {}).template.Resources)).toEqual([{ Type: 'AWS::CloudFormation::WaitConditionHandle' }]);
  });

  it('over 51,200 bytes is bad input that names the largest users', () => {
    const big = Array.from({ length: 40 }, (_, i) => policy(`p${i}`, `s3:GetObject${'x'.repeat(30)}`));
    const resources = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`U${i}`, userResource(`repo${i}`, big)]));
    let error: unknown;
    try {
      buildUsersTemplate('org', resources);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(new RegExp(`^biomage-ci-users would be \\d+ bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit`));
    expect((error as InputError).hint).toMatch(/^largest users: ci-user-repo\d+ \d+ bytes, /);
  });

  it('policyDiff names the policies added, changed and removed', () => {
    const before = userResource('a', [policy('keep', 's3:GetObject'), policy('change', 's3:GetObject'), policy('drop', 's3:GetObject')]);
    const after = userResource('a', [policy('keep', 's3:GetObject'), policy('change', 's3:PutObject'), policy('new', 's3:GetObject')]);
    expect(policyDiff(before, after)).toEqual({ added: ['new'], updated: ['change'], removed: ['drop'] });
    expect(policyDiff(undefined, after)).toEqual({ added: ['keep', 'change', 'new'], updated: [], removed: [] });
  });
});
