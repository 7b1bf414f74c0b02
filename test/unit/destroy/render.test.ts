import { describe, expect, it } from 'vitest';
import { renderDestroyPlan, renderDestroyReport, type DestroyReport } from '../../../src/destroy/report.js';
import { painter } from '../../../src/ui/style.js';

const bucket = { stack: 'biomage-s3-staging', logicalId: 'Source', type: 'AWS::S3::Bucket', physicalId: 'biomage-source-staging', policy: 'Retain', source: 'template' } as const;
const cluster = { stack: 'biomage-rds-staging', logicalId: 'Cluster', type: 'AWS::RDS::DBCluster', physicalId: 'biomage-aurora-staging', policy: 'Snapshot', source: 'default' } as const;

const report = (over: Partial<DestroyReport> = {}): DestroyReport => ({
  env: 'staging',
  region: 'eu-west-1',
  dryRun: false,
  stacks: [
    { stack: 'biomage-rds-staging', template: 'cf/rds.yaml', result: 'deleted', waitsFor: [], retained: [{ ...cluster, snapshots: ['biomage-rds-staging-cluster-snapshot-1a2b3c4d'] }], durationMs: 1200 },
    { stack: 'biomage-s3-staging', template: 'cf/s3.yaml', result: 'failed', waitsFor: ['biomage-api-staging'], retained: [bucket], durationMs: 800, error: { message: 'biomage-s3-staging ended DELETE_FAILED', resource: 'Uploads (AWS::S3::Bucket uploads)', reason: 'The bucket you tried to delete is not empty' } },
    { stack: 'biomage-sns-staging', template: 'cf/sns.yaml', result: 'absent', waitsFor: [], retained: [] },
  ],
  retained: [{ ...cluster, snapshots: ['biomage-rds-staging-cluster-snapshot-1a2b3c4d'] }],
  ...over,
});

describe('destroy output', () => {
  it('the plan names the order and every kept resource by physical id', () => {
    const planned = report({ stacks: report().stacks.map((s) => ({ ...s, result: s.result === 'absent' ? 'absent' : 'planned' })), retained: [cluster, bucket] });
    expect(renderDestroyPlan(planned)).toBe(
      [
        'destroy staging (eu-west-1): 2 stacks to delete',
        '  delete  biomage-rds-staging',
        '  delete  biomage-s3-staging  (after biomage-api-staging)',
        '  absent  biomage-sns-staging',
        'kept after the deletion (DeletionPolicy):',
        '  final snapshot of AWS::RDS::DBCluster biomage-aurora-staging  (biomage-rds-staging Cluster)  [Snapshot, CloudFormation default]',
        '  AWS::S3::Bucket biomage-source-staging  (biomage-s3-staging Source)  [Retain]',
      ].join('\n'),
    );
  });

  it('the summary names the failed resource and its reason, lists what was kept again, and how to resume', () => {
    const text = renderDestroyReport(report(), painter(false));
    expect(text).toContain('biomage-s3-staging  failed  0.8s\n  biomage-s3-staging ended DELETE_FAILED\n  failed resource: Uploads (AWS::S3::Bucket uploads)\n  reason: The bucket you tried to delete is not empty');
    expect(text).toContain('biomage-sns-staging  absent');
    expect(text).toContain(
      '  final snapshot of AWS::RDS::DBCluster biomage-aurora-staging  (biomage-rds-staging Cluster): biomage-rds-staging-cluster-snapshot-1a2b3c4d  [Snapshot, CloudFormation default]',
    );
    expect(text).toMatch(/1 stack\(s\) not deleted\.\nFix the cause named above, then rerun the same command: it resumes/);
  });
});
