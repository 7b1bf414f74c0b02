import { describe, expect, it } from 'vitest';
import type { Difference } from '../../../src/drift/difference.js';
import { driftExitCode, driftReport, renderDriftReport } from '../../../src/drift/report.js';
import { painter } from '../../../src/ui/style.js';

const modified: Difference = { kind: 'modified', stack: 'biomage-s3-staging', template: 'cf/s3.yaml', logicalId: 'Data', type: 'AWS::S3::Bucket', path: '/VersioningConfiguration/Status', expected: 'Enabled', actual: 'Suspended', detail: 'changed outside CloudFormation' };
const pending: Difference = { kind: 'not-deployed-yet', stack: 'biomage-logs-staging', template: 'cf/logs.yaml', path: '/Parameters/Retention', expected: '30', actual: '7' };
const access: Difference = { kind: 'access', stack: 'cluster biomage-staging', logicalId: 'arn:aws:iam::1:user/bob', expected: 'x', actual: 'absent' };
const check = (stack: string, status: 'in-sync' | 'drifted' | 'failed') => ({ stack, status, drifted: status === 'drifted' ? 1 : 0 });

describe('the drift report', () => {
  it('counts drift apart from what is not deployed yet; the cluster last, stacks sorted', () => {
    const report = driftReport({ env: 'staging', scope: ['stacks', 'cluster'], stacks: [check('biomage-s3-staging', 'drifted')], differences: [access, pending, modified], notes: [] });
    expect(report.differences.map((d) => d.stack)).toEqual(['biomage-logs-staging', 'biomage-s3-staging', 'cluster biomage-staging']);
    expect(report.summary).toEqual({ drifted: 2, pending: 1, failed: 0, byKind: { 'not-deployed-yet': 1, modified: 1, access: 1 } });
    expect(driftExitCode(report)).toBe(3);
  });

  it('exit 0 with only pending changes, 1 when a detection failed', () => {
    expect(driftExitCode(driftReport({ env: 'staging', scope: ['stacks'], stacks: [], differences: [pending], notes: [] }))).toBe(0);
    expect(driftExitCode(driftReport({ env: 'staging', scope: ['stacks'], stacks: [check('biomage-x-staging', 'failed')], differences: [modified], notes: [] }))).toBe(1);
  });

  it('renders each stack with its template, both values, and the summary', () => {
    const text = renderDriftReport(driftReport({ env: 'staging', scope: ['stacks'], stacks: [check('biomage-s3-staging', 'drifted')], differences: [modified, pending], notes: [] }), painter(false));
    expect(text).toContain('biomage-s3-staging  (cf/s3.yaml)');
    expect(text).toMatch(/modified +Data \(AWS::S3::Bucket\) +\/VersioningConfiguration\/Status +Enabled +Suspended/);
    expect(text).toMatch(/not deployed yet +\/Parameters\/Retention +30 +7/);
    expect(text.split('\n').at(-1)).toBe('1 stack detected, 1 drifted; 1 difference, 1 not deployed yet. 1 difference(s) drifted from the code.');
  });
});
