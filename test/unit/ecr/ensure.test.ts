import { describe, expect, it } from 'vitest';
import { awsFailure, ECR_ACTIONS, planChanges, renderEcrEnsureReport, type CurrentRepository, type EcrEnsureReport } from '../../../src/ecr/ensure.js';
import { LIFECYCLE_POLICY, LIFECYCLE_POLICY_SUMMARY, LIFECYCLE_POLICY_TEXT } from '../../../src/ecr/lifecycle-policy.js';
import { painter } from '../../../src/ui/style.js';

const converged: CurrentRepository = {
  uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/biomage/api',
  imageTagMutability: 'IMMUTABLE',
  scanOnPush: true,
  encryptionType: 'AES256',
  lifecyclePolicyText: LIFECYCLE_POLICY_TEXT,
};

describe('planChanges', () => {
  it('a missing repository gets every setting', () => {
    expect(planChanges(undefined)).toEqual({
      changes: [
        { setting: 'imageTagMutability', from: null, to: 'IMMUTABLE' },
        { setting: 'scanOnPush', from: null, to: true },
        { setting: 'encryption', from: null, to: 'AES256' },
        { setting: 'lifecyclePolicy', from: null, to: LIFECYCLE_POLICY_SUMMARY },
      ],
      warnings: [],
    });
  });

  it('a converged repository needs nothing, whatever the formatting of its policy', () => {
    expect(planChanges(converged)).toEqual({ changes: [], warnings: [] });
    expect(planChanges({ ...converged, lifecyclePolicyText: JSON.stringify(LIFECYCLE_POLICY, null, 2) })).toEqual({ changes: [], warnings: [] });
  });

  it('only what differs is changed', () => {
    expect(planChanges({ ...converged, imageTagMutability: 'MUTABLE', lifecyclePolicyText: undefined }).changes).toEqual([
      { setting: 'imageTagMutability', from: 'MUTABLE', to: 'IMMUTABLE' },
      { setting: 'lifecyclePolicy', from: null, to: LIFECYCLE_POLICY_SUMMARY },
    ]);
    expect(planChanges({ ...converged, scanOnPush: false, lifecyclePolicyText: '{"rules":[]}' }).changes).toEqual([
      { setting: 'scanOnPush', from: false, to: true },
      { setting: 'lifecyclePolicy', from: 'a different policy', to: LIFECYCLE_POLICY_SUMMARY },
    ]);
    // Exclusions make tags mutable for some names: converged to plain IMMUTABLE.
    expect(planChanges({ ...converged, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }).changes).toEqual([
      { setting: 'imageTagMutability', from: 'IMMUTABLE_WITH_EXCLUSION', to: 'IMMUTABLE' },
    ]);
  });

  it('different encryption is a warning, never a change (ECR cannot change it)', () => {
    const plan = planChanges({ ...converged, encryptionType: 'KMS', kmsKey: 'arn:aws:kms:eu-west-1:123456789012:key/k' });
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual([expect.stringMatching(/^encryption is KMS \(arn:aws:kms:.*\), not AES256; ECR cannot change encryption after creation/)]);
  });
});

describe('ECR_ACTIONS', () => {
  it('are exactly the six the CI policy grants, and no tagging', () => {
    expect([...ECR_ACTIONS].sort()).toEqual([
      'ecr:CreateRepository',
      'ecr:DescribeRepositories',
      'ecr:GetLifecyclePolicy',
      'ecr:PutImageScanningConfiguration',
      'ecr:PutImageTagMutability',
      'ecr:PutLifecyclePolicy',
    ]);
  });
});

describe('awsFailure', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it('names the repository, the call and what AWS said, and the next step', () => {
    const failure = awsFailure('biomage/api', 'CreateRepository', named('AccessDeniedException', 'not authorized to perform: ecr:CreateRepository'));
    expect(failure.exitCode).toBe(1);
    expect(failure.message).toBe('repository biomage/api: CreateRepository failed: not authorized to perform: ecr:CreateRepository');
    expect(failure.where).toBe('ECR repository biomage/api');
    expect(failure.hint).toContain('lacks ecr:CreateRepository');
    expect(failure.hint).toContain('docs/runbooks/ecr.md');
  });

  it('says when AWS was never reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(awsFailure('api', 'DescribeRepositories', refused).hint).toContain('the ECR endpoint could not be reached');
  });

  it('has a generic next step for anything else', () => {
    expect(awsFailure('api', 'PutLifecyclePolicy', new Error('socket hang up')).hint).toBe(
      'rerun `biomage ecr ensure api` (settings already applied stay; --verbose shows the cause)',
    );
  });
});

describe('renderEcrEnsureReport', () => {
  it('a table of repositories, then each one’s changes, warnings and errors', () => {
    const report: EcrEnsureReport = {
      env: 'staging',
      region: 'eu-west-1',
      dryRun: false,
      repositories: [
        { name: 'api', uri: 'acct.dkr.ecr/api', action: 'updated', changes: [{ setting: 'scanOnPush', from: false, to: true }], warnings: ['encryption is KMS'] },
        { name: 'ui', uri: 'acct.dkr.ecr/ui', action: 'unchanged', changes: [], warnings: [] },
        { name: 'worker', uri: null, action: 'failed', changes: [], warnings: [], error: { message: 'repository worker: CreateRepository failed: no', hint: 'rerun' } },
      ],
    };
    expect(renderEcrEnsureReport(report, painter(false))).toBe(
      [
        'repository  action     uri',
        '----------  ---------  --------------------',
        'api         updated    acct.dkr.ecr/api',
        'ui          unchanged  acct.dkr.ecr/ui',
        'worker      failed     (known once created)',
        '',
        'api:',
        '  scanOnPush: false → true',
        '  warning: encryption is KMS',
        '',
        'worker:',
        '  error: repository worker: CreateRepository failed: no',
        '  next:  rerun',
        '',
        '1 repository failed.',
      ].join('\n'),
    );
  });
});
