import { describe, expect, it } from 'vitest';
import { dataRisks, describeRisk, parseAllowReplace, refusalError, type PlannedChange } from '../../../src/cf/replacement-guard.js';
import { stackPolicy, statefulLogicalIds, samePolicy } from '../../../src/cf/stack-policy.js';
import { isStateful, statefulTypes, supportsSnapshot } from '../../../src/cf/stateful.js';
import { InputError } from '../../../src/ui/errors.js';

const STACK = 'biomage-data-staging';
const changes: PlannedChange[] = [
  { action: 'Modify', logicalId: 'Samples', type: 'AWS::DynamoDB::Table', replacement: 'True', causes: [{ property: 'TableName', requiresRecreation: 'Always', source: 'DirectModification' }] },
  { action: 'Modify', logicalId: 'Keys', type: 'AWS::DynamoDB::Table', replacement: 'Conditional', causes: [{ property: 'KeySchema', requiresRecreation: 'Conditionally' }] },
  { action: 'Modify', logicalId: 'Cache', type: 'AWS::DynamoDB::Table', replacement: 'False' },
  { action: 'Remove', logicalId: 'Work', type: 'AWS::SQS::Queue', policyAction: 'Delete' },
  { action: 'Remove', logicalId: 'Role', type: 'AWS::IAM::Role' },
  { action: 'Modify', logicalId: 'Topic', type: 'AWS::SNS::Topic', replacement: 'True' },
  { action: 'Add', logicalId: 'New', type: 'AWS::S3::Bucket' },
];

describe('the data guard', () => {
  it('picks the removals and the (possible) replacements of stateful resources only', () => {
    const risks = dataRisks(STACK, changes, 'staging', new Set());
    expect(risks.map((r) => [r.logicalId, r.kind, r.replacement, r.decision])).toEqual([
      ['Keys', 'replace', 'Conditional', 'refused'],
      ['Samples', 'replace', 'True', 'refused'],
      ['Work', 'remove', undefined, 'refused'],
    ]);
  });

  it('allows only what --allow-replace names, and only warns in development', () => {
    expect(dataRisks(STACK, changes, 'production', new Set([`${STACK}:Samples`])).map((r) => [r.logicalId, r.decision])).toEqual([
      ['Keys', 'refused'],
      ['Samples', 'allowed'],
      ['Work', 'refused'],
    ]);
    expect(dataRisks(STACK, changes, 'development', new Set()).every((r) => r.decision === 'warned')).toBe(true);
    // Another stack's resource of the same logical id is not allowed by it.
    expect(dataRisks('biomage-other-staging', changes, 'staging', new Set([`${STACK}:Samples`])).every((r) => r.decision === 'refused')).toBe(true);
  });

  it('says what happens, why, and what becomes of the data', () => {
    const [keys, samples, work] = dataRisks(STACK, changes, 'staging', new Set());
    expect(describeRisk(samples!)).toBe(
      'biomage-data-staging: Samples (AWS::DynamoDB::Table) would be replaced by a new, empty one: changed TableName (RequiresRecreation Always); its items would not follow',
    );
    expect(describeRisk(keys!)).toContain('would be possibly replaced by a new, empty one: changed KeySchema (RequiresRecreation Conditionally)');
    expect(describeRisk(work!)).toBe('biomage-data-staging: Work (AWS::SQS::Queue) would be deleted (removed from the template); its messages not yet processed would be deleted with it');
    const error = refusalError([keys!, samples!, work!]);
    expect(error).toBeInstanceOf(InputError);
    expect(error.hint).toContain(`--allow-replace ${STACK}:Keys --allow-replace ${STACK}:Samples --allow-replace ${STACK}:Work`);
  });

  it.each([
    ['no colon', ['biomage-data-staging'], 'expected <stack>:<LogicalId>'],
    ['empty logical id', ['biomage-data-staging:'], 'expected <stack>:<LogicalId>'],
    ['logical id with a dash', ['biomage-data-staging:My-Table'], 'expected <stack>:<LogicalId>'],
    ['a stack not in the run', ['biomage-data-production:Samples'], 'biomage-data-production is not a stack of this run (biomage-data-staging)'],
  ])('--allow-replace refuses %s (exit 2)', (_, values, message) => {
    expect(() => parseAllowReplace(values, [STACK])).toThrow(message);
  });

  it('--allow-replace lists every unusable value at once', () => {
    expect(() => parseAllowReplace(['a', 'b:C'], [STACK])).toThrow('2 --allow-replace values are unusable:');
    expect([...parseAllowReplace([`${STACK}:Samples`], [STACK])]).toEqual([`${STACK}:Samples`]);
  });
});

describe('stateful types and the stack policy', () => {
  it('knows which types hold data and which can be snapshotted', () => {
    expect(statefulTypes()).toContain('AWS::Cognito::UserPool');
    expect(isStateful('AWS::IAM::Role')).toBe(false);
    expect(supportsSnapshot('AWS::RDS::DBCluster')).toBe(true);
    expect(supportsSnapshot('AWS::S3::Bucket')).toBe(false);
    expect(isStateful('toString')).toBe(false);
  });

  it('denies replacing and deleting the template\'s stateful resources, allows the rest', () => {
    const ids = statefulLogicalIds({ Resources: { B: { Type: 'AWS::S3::Bucket' }, R: { Type: 'AWS::IAM::Role' }, A: { Type: 'AWS::DynamoDB::Table' } } });
    expect(ids).toEqual(['A', 'B']);
    expect(JSON.parse(stackPolicy(ids))).toEqual({
      Statement: [
        { Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' },
        { Effect: 'Deny', Action: ['Update:Replace', 'Update:Delete'], Principal: '*', Resource: ['LogicalResourceId/A', 'LogicalResourceId/B'] },
      ],
    });
    expect(JSON.parse(stackPolicy([]))).toEqual({ Statement: [{ Effect: 'Allow', Action: 'Update:*', Principal: '*', Resource: '*' }] });
    expect(samePolicy(JSON.stringify(JSON.parse(stackPolicy(ids)), null, 2), stackPolicy(ids))).toBe(true);
    expect(samePolicy(undefined, stackPolicy(ids))).toBe(false);
  });
});
