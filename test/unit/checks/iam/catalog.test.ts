import { describe, expect, it } from 'vitest';
import { changesSomething, isService, matchActions, suggestAction } from '../../../../src/checks/iam/catalog.js';

describe('the IAM catalogue', () => {
  it('finds actions whatever their case, with access level and resource types', () => {
    const match = matchActions('S3:getobject');
    expect(match.kind).toBe('actions');
    const [action] = match.kind === 'actions' ? match.actions : [];
    expect(action).toMatchObject({ service: 's3', name: 'GetObject', accessLevel: 'Read' });
    expect(action?.resourceTypes).toContain('object');
  });

  it('expands patterns, and tells a misspelling from an unknown service or a malformed action', () => {
    const gets = matchActions('sqs:Get*');
    expect(gets.kind === 'actions' && gets.actions.map((a) => a.name).sort()).toEqual(['GetQueueAttributes', 'GetQueueUrl']);
    expect(matchActions('s3:Gte*')).toEqual({ kind: 'no-match' });
    expect(matchActions('s3:GetObjet')).toEqual({ kind: 'no-match' });
    expect(matchActions('s4:GetObject')).toEqual({ kind: 'unknown-service', service: 's4' });
    expect(matchActions('GetObject')).toEqual({ kind: 'malformed' });
    expect(isService('dynamodb')).toBe(true);
  });

  it('suggests the closest action or service', () => {
    expect(suggestAction('s3:GetObjet')).toBe('s3:GetObject');
    expect(suggestAction('dynamodb:PutItems')).toBe('dynamodb:PutItem');
    expect(suggestAction('sqss:SendMessage')).toBe('sqs:SendMessage');
    expect(suggestAction('s3:CompletelyDifferent')).toBeUndefined();
  });

  it('counts write, permissions-management and tagging actions as changing something', () => {
    const level = (action: string) => {
      const match = matchActions(action);
      return match.kind === 'actions' && changesSomething(match.actions[0]!);
    };
    expect(level('s3:PutObject')).toBe(true);
    expect(level('s3:PutBucketPolicy')).toBe(true);
    expect(level('s3:PutObjectTagging')).toBe(true);
    expect(level('s3:GetObject')).toBe(false);
    expect(level('s3:ListBucket')).toBe(false);
  });
});
