import { describe, expect, it } from 'vitest';
import { isPlatformLifecyclePolicy, LIFECYCLE_POLICY, LIFECYCLE_POLICY_TEXT } from '../../../src/ecr/lifecycle-policy.js';

describe('the platform lifecycle policy', () => {
  it('expires untagged images after 7 days and keeps the newest 200 tagged ones', () => {
    expect(LIFECYCLE_POLICY.rules.map((r) => r.selection)).toEqual([
      { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
      { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 200 },
    ]);
    for (const rule of LIFECYCLE_POLICY.rules) expect(rule.action.type).toBe('expire');
  });

  it('has unique rule priorities, and a `tagged` rule always names its tags (ECR requires one or the other)', () => {
    const priorities = LIFECYCLE_POLICY.rules.map((r) => r.rulePriority);
    expect(new Set(priorities).size).toBe(priorities.length);
    for (const rule of LIFECYCLE_POLICY.rules) {
      if (rule.selection.tagStatus === 'tagged') expect(rule.selection).toHaveProperty('tagPatternList');
    }
  });
});

describe('isPlatformLifecyclePolicy compares as data, not text', () => {
  const reordered = {
    rules: [...LIFECYCLE_POLICY.rules].reverse().map((r) => ({ action: r.action, selection: { ...r.selection }, description: r.description, rulePriority: r.rulePriority })),
  };

  it('the exact text, and the same data with other whitespace, key order and rule order', () => {
    expect(isPlatformLifecyclePolicy(LIFECYCLE_POLICY_TEXT)).toBe(true);
    expect(isPlatformLifecyclePolicy(JSON.stringify(LIFECYCLE_POLICY, null, 4))).toBe(true);
    expect(isPlatformLifecyclePolicy(JSON.stringify(reordered))).toBe(true);
  });

  it('none, a different number, a missing rule, an extra field, or text that is not JSON', () => {
    expect(isPlatformLifecyclePolicy(undefined)).toBe(false);
    expect(isPlatformLifecyclePolicy(LIFECYCLE_POLICY_TEXT.replace('"countNumber":200', '"countNumber":20'))).toBe(false);
    expect(isPlatformLifecyclePolicy(JSON.stringify({ rules: [LIFECYCLE_POLICY.rules[0]] }))).toBe(false);
    expect(isPlatformLifecyclePolicy(JSON.stringify({ ...LIFECYCLE_POLICY, extra: true }))).toBe(false);
    expect(isPlatformLifecyclePolicy('{"rules": [')).toBe(false);
    expect(isPlatformLifecyclePolicy('null')).toBe(false);
  });
});
