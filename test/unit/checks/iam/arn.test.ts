import { describe, expect, it } from 'vitest';
import { actionApplies, arnPattern, classifyArn, overlaps } from '../../../../src/checks/iam/arn.js';
import { matchActions, type ActionInfo } from '../../../../src/checks/iam/catalog.js';

const action = (name: string): ActionInfo => {
  const match = matchActions(name);
  if (match.kind !== 'actions') throw new Error(name);
  return match.actions[0]!;
};

describe('ARN classification', () => {
  it('prefers the most specific format: bucket/* is an object, table/t/index/* an index', () => {
    expect(classifyArn('arn:aws:s3:::data')).toEqual({ service: 's3', type: 'bucket' });
    expect(classifyArn('arn:aws:s3:::data/*')).toEqual({ service: 's3', type: 'object' });
    expect(classifyArn('arn:aws:s3:::data/a/b.txt')).toEqual({ service: 's3', type: 'object' });
    expect(classifyArn('arn:aws:dynamodb:eu-west-1:123456789012:table/t')?.type).toBe('table');
    expect(classifyArn('arn:aws:dynamodb:eu-west-1:123456789012:table/t/index/*')?.type).toBe('index');
    expect(classifyArn('arn:aws:sqs:eu-west-1:123456789012:jobs')?.type).toBe('queue');
    expect(classifyArn('arn:aws:sns:eu-west-1:123456789012:results')?.type).toBe('topic');
    expect(classifyArn('arn:aws:iam::123456789012:role/path/name')?.type).toBe('role');
  });

  it('lets an action apply only to resources of a type it takes', () => {
    expect(actionApplies(action('s3:ListBucket'), 'arn:aws:s3:::data')).toBe(true);
    expect(actionApplies(action('s3:ListBucket'), 'arn:aws:s3:::data/*')).toBe(false);
    expect(actionApplies(action('s3:GetObject'), 'arn:aws:s3:::data')).toBe(false);
    expect(actionApplies(action('s3:GetObject'), 'arn:aws:s3:::data/${aws:username}/*')).toBe(true);
    expect(actionApplies(action('dynamodb:Query'), 'arn:aws:dynamodb:eu-west-1:1:table/t/index/*')).toBe(true);
    expect(actionApplies(action('dynamodb:GetItem'), 'arn:aws:dynamodb:eu-west-1:1:table/t/index/*')).toBe(false);
    expect(actionApplies(action('sqs:SendMessage'), 'arn:aws:sns:eu-west-1:1:results')).toBe(false);
  });

  it('treats wildcards as IAM does: arn:aws:s3:::* is buckets and objects, * is everything', () => {
    expect(actionApplies(action('s3:ListBucket'), 'arn:aws:s3:::*')).toBe(true);
    expect(actionApplies(action('s3:GetObject'), 'arn:aws:s3:::*')).toBe(true);
    expect(actionApplies(action('s3:GetObject'), 'arn:aws:s3:::data*')).toBe(true);
    expect(actionApplies(action('sqs:ListQueues'), '*')).toBe(true);
    expect(actionApplies(action('sqs:ListQueues'), 'arn:aws:sqs:eu-west-1:1:jobs')).toBe(false);
    // CloudWatch Logs' own ARNs end in :*; they name the log group.
    expect(actionApplies(action('logs:CreateLogGroup'), 'arn:aws:logs:eu-west-1:1:log-group:/aws/app:*')).toBe(true);
  });

  it('matches two patterns when some string fits both', () => {
    expect(overlaps(arnPattern('a*c'), arnPattern('ab?'))).toBe(true);
    expect(overlaps(arnPattern('a*c'), arnPattern('ab?d'))).toBe(false);
    expect(overlaps(arnPattern('*'), arnPattern(''))).toBe(true);
    expect(overlaps(arnPattern('x?'), arnPattern('x'))).toBe(false);
  });
});
