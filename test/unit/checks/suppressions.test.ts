import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.js';
import { applySuppressions, parseSuppressions } from '../../../src/checks/suppressions.js';

const finding = (line: number, rule = 'some-rule'): Finding => ({ file: 'f.yaml', line, rule, message: 'm' });
const isRule = (id: string) => id === 'some-rule' || id === 'other-rule';

describe('suppressions', () => {
  it('a comment alone silences the next content line; after code, its own line', () => {
    const text = ['# biomage-check: ignore some-rule reason one', '', 'a: 1', 'b: 2 # biomage-check: ignore other-rule reason two', ''].join('\n');
    const found = parseSuppressions('f.yaml', text);
    expect(found.map((s) => [s.line, s.target, s.rule, s.reason])).toEqual([
      [1, 3, 'some-rule', 'reason one'],
      [4, 4, 'other-rule', 'reason two'],
    ]);
    const { findings, suppressed } = applySuppressions([finding(3), finding(4, 'other-rule'), finding(4)], found, isRule);
    expect(suppressed.map((s) => s.reason)).toEqual(['reason one', 'reason two']);
    expect(findings).toEqual([finding(4)]);
  });

  it('understands Go template comments in chart files', () => {
    const [s] = parseSuppressions('t.yaml', '{{/* biomage-check: ignore some-rule the value comes from a secret */}}\nkey: v\n');
    expect(s).toMatchObject({ target: 2, reason: 'the value comes from a secret' });
  });

  it('reports a missing reason, an unknown rule, and a suppression that silences nothing', () => {
    const text = ['# biomage-check: ignore some-rule', 'a: 1', '# biomage-check: ignore no-such-rule because', 'b: 2', '# biomage-check: ignore other-rule stale', 'c: 3', ''].join('\n');
    const { findings, suppressed } = applySuppressions([finding(2)], parseSuppressions('f.yaml', text), isRule);
    expect(suppressed).toEqual([]);
    expect(findings.map((f) => [f.line, f.rule, f.message])).toEqual([
      [2, 'some-rule', 'm'],
      [1, 'check-suppression', 'suppression of some-rule gives no reason'],
      [3, 'check-suppression', "'no-such-rule' is not a rule of biomage check"],
      [5, 'check-suppression', 'suppression of other-rule silences nothing on line 6'],
    ]);
  });
});
