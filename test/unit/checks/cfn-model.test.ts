import { describe, expect, it } from 'vitest';
import {
  branches,
  cfnModel,
  describe as describeValue,
  evaluateString,
  perEnvironment,
  UNKNOWN,
} from '../../../src/checks/cfn-model.js';
import { memoryRepo } from '../../helpers/check-repo.js';

const ENV = `Parameters:
  Environment:
    Type: String
    AllowedValues: [development, staging, production]
`;

const repo = () =>
  memoryRepo({
    'cf/s3.yaml': `${ENV}
Conditions:
  IsStaging: !Equals [!Ref Environment, staging]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub biomage-data-\${Environment}-\${AWS::AccountId}
  Unnamed:
    Type: AWS::S3::Bucket
  StagingOnly:
    Type: AWS::SQS::Queue
    Condition: IsStaging
    Properties:
      QueueName: !Sub sandbox-\${Environment}
Outputs:
  BucketArn:
    Value: !GetAtt Bucket.Arn
    Export:
      Name: !Sub biomage-data-bucket-arn-\${Environment}
`,
    'cf/tables.yaml': `${ENV}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub experiments-\${Environment}
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: results
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub biomage-api-\${Environment}
      Path: /service/
      AssumeRolePolicyDocument: {}
`,
  });

describe('cfnModel', () => {
  it('is built once per repository', () => {
    const r = repo();
    expect(cfnModel(r)).toBe(cfnModel(r));
    expect(cfnModel(memoryRepo({}))).not.toBe(cfnModel(r));
  });

  it('knows parameters, pseudo-parameters and the stack name per environment', () => {
    const model = cfnModel(repo());
    const scope = model.scope(model.templates[0]!, 'staging');
    expect(evaluateString({ 'Fn::Sub': '${AWS::StackName} ${AWS::Partition} ${AWS::Region} ${AWS::AccountId} ${AWS::URLSuffix}' }, scope)).toBe(
      'biomage-s3-staging aws eu-west-1 123456789012 amazonaws.com',
    );
    expect(evaluateString({ 'Fn::Sub': 'a-${!aws:username}' }, scope)).toBe('a-${aws:username}');
    expect(evaluateString({ Ref: 'Nowhere' }, scope)).toBe(UNKNOWN);
  });

  it('synthesises the ARNs of buckets, tables (and their indexes), topics, queues and roles', () => {
    const model = cfnModel(repo());
    const tables = model.scope(model.templates[1]!, 'production');
    expect(evaluateString({ 'Fn::GetAtt': ['Table', 'Arn'] }, tables)).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/experiments-production');
    expect(evaluateString({ 'Fn::Sub': '${Table.Arn}/index/*' }, tables)).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/experiments-production/index/*');
    expect(evaluateString({ Ref: 'Topic' }, tables)).toBe('arn:aws:sns:eu-west-1:123456789012:results');
    expect(evaluateString({ Ref: 'Queue' }, tables)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/jobs');
    expect(evaluateString({ 'Fn::GetAtt': ['Queue', 'Arn'] }, tables)).toBe('arn:aws:sqs:eu-west-1:123456789012:jobs');
    expect(evaluateString({ 'Fn::GetAtt': ['Role', 'Arn'] }, tables)).toBe('arn:aws:iam::123456789012:role/service/biomage-api-production');
    const s3 = model.scope(model.templates[0]!, 'production');
    expect(evaluateString({ Ref: 'Unnamed' }, s3)).toBe(`biomage-s3-production-unnamed-${UNKNOWN}`);
  });

  it('resolves an import through the exporting template, in the same environment', () => {
    const model = cfnModel(repo());
    const scope = model.scope(model.templates[1]!, 'development');
    const value = { 'Fn::Sub': ['${B}/*', { B: { 'Fn::ImportValue': { 'Fn::Sub': 'biomage-data-bucket-arn-${Environment}' } } }] };
    expect(evaluateString(value, scope)).toBe('arn:aws:s3:::biomage-data-development-123456789012/*');
    expect(describeValue(value)).toBe('ImportValue(biomage-data-bucket-arn-${Environment})/*');
    expect([...model.exports('development').keys()]).toEqual(['biomage-data-bucket-arn-development']);
  });

  it('declares resources only where their condition holds', () => {
    const model = cfnModel(repo());
    const ids = (env: 'development' | 'staging') => model.declared(env).map((r) => r.logicalId);
    expect(ids('development')).toEqual(['Bucket', 'Unnamed', 'Table', 'Topic', 'Queue']);
    expect(ids('staging')).toContain('StagingOnly');
  });

  it('follows the live branch of Fn::If, and both when the condition is unknown', () => {
    const model = cfnModel(repo());
    const template = model.templates[0]!;
    const value = { 'Fn::If': ['IsStaging', 'a', { Ref: 'AWS::NoValue' }] };
    expect(branches(value, [], model.scope(template, 'staging'))).toEqual([{ value: 'a', path: ['Fn::If', 1] }]);
    expect(branches(value, [], model.scope(template, 'production'))).toEqual([]);
    expect(branches({ 'Fn::If': ['Unknown', 'a', 'b'] }, [], model.scope(template, 'production')).map((b) => b.value)).toEqual(['a', 'b']);
  });

  it('reports a finding once when every environment has it, and names the environments otherwise', () => {
    const model = cfnModel(repo());
    const findings = perEnvironment(model.templates[0]!, (env) => [
      { file: 'cf/s3.yaml', line: 1, rule: 'r', message: 'everywhere' },
      ...(env === 'production' ? [] : [{ file: 'cf/s3.yaml', line: 2, rule: 'r', message: 'somewhere' }]),
    ]);
    expect(findings.map((f) => f.message)).toEqual(['everywhere', 'somewhere (in development, staging)']);
  });
});
