import { describe, expect, it } from 'vitest';
import { compareFindings } from '../../../src/checks/finding.js';
import { adminStatements } from '../../../src/checks/iam/policy.js';
import { checkPolicyDocument, iamPolicyRules } from '../../../src/checks/rules/iam-policy.js';
import { parseYamlFile } from '../../../src/yaml/source.js';
import { memoryRepo, realRepositoryFindings, runRules } from '../../helpers/check-repo.js';

const HEAD = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment:
    Type: String
    AllowedValues: [development, staging, production]
  External:
    Type: String
Conditions:
  IsStaging: !Equals [!Ref Environment, staging]
`;

/** Declares a bucket, a table, a topic and a queue, and exports the bucket's ARN. */
const RESOURCES = {
  'cf/data.yaml': `${HEAD}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub biomage-data-\${Environment}-\${AWS::AccountId}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub experiments-\${Environment}
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub results-\${Environment}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub jobs-\${Environment}
Outputs:
  BucketArn:
    Value: !GetAtt Bucket.Arn
    Export:
      Name: !Sub biomage-data-bucket-arn-\${Environment}
  BucketName:
    Value: !Ref Bucket
    Export:
      Name: !Sub biomage-data-bucket-name-\${Environment}
`,
};

/** A managed policy with these statements (YAML, indented for the list), beside RESOURCES. */
const findings = async (statements: string) => {
  const policy = `${HEAD}
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
${statements.replace(/^\n/, '').replace(/^/gm, '          ')}`;
  const repo = memoryRepo({ ...RESOURCES, 'cf/policy.yaml': policy });
  return (await runRules([iamPolicyRules], repo)).map((f) => `${f.line} ${f.rule} ${f.message}${f.fix ? ` (fix: ${f.fix})` : ''}`);
};

// Statements start on line 18 of cf/policy.yaml.
describe('iam policy rules', () => {
  it('flag wildcard actions in Allow statements only', async () => {
    expect(
      await findings(`
- Effect: Allow
  Action: ['*', 's3:*', 's3:Get*']
  Resource: !Sub \${Bucket}/*
- Effect: Deny
  Action: s3:*
  Resource: '*'
`.replace('${Bucket}', 'arn:${AWS::Partition}:s3:::biomage-data-${Environment}-${AWS::AccountId}')),
    ).toEqual([
      '19 iam-wildcard-action action * in Policy statement 1 allows every action of every service',
      '19 iam-wildcard-action action s3:* in Policy statement 1 allows every s3 action',
    ]);
  });

  it('flag writes on Resource "*", but not reads or actions that only take "*"', async () => {
    expect(
      await findings(`
- Effect: Allow
  Action: [s3:GetObject, xray:PutSpans, sqs:ListQueues]
  Resource: '*'
- Sid: Writes
  Effect: Allow
  Action: [s3:PutObject, s3:DeleteObject, sns:Publish, sqs:SendMessage, dynamodb:PutItem]
  Resource: ['*']
`),
    ).toEqual([
      '24 iam-wildcard-resource-write resource * in Policy statement Writes is granted write actions s3:PutObject, s3:DeleteObject, sns:Publish and 2 more',
    ]);
  });

  it('flag misspelt actions, unknown services and patterns that match nothing, with a suggestion', async () => {
    expect(
      await findings(`
- Effect: Deny
  Action: [s3:GetObjet, sqss:SendMessage, s3:Gte*, GetObject]
  Resource: '*'
`),
    ).toEqual([
      '19 iam-unknown-action action GetObject in Policy statement 1 is not of the form service:action',
      '19 iam-unknown-action action pattern s3:Gte* in Policy statement 1 matches no action of service s3',
      '19 iam-unknown-action action s3:GetObjet in Policy statement 1 does not exist in service s3 (fix: did you mean s3:GetObject?)',
      '19 iam-unknown-action action sqss:SendMessage in Policy statement 1 names an unknown service sqss (fix: did you mean sqs:SendMessage?)',
    ]);
  });

  it('flag actions that apply to none of the resources', async () => {
    expect(
      await findings(`
- Sid: Objects
  Effect: Allow
  Action: [s3:ListBucket, s3:GetObject, sqs:ListQueues]
  Resource: !Sub \${Bucket.Arn}/*
- Sid: Bucket
  Effect: Allow
  Action: [s3:GetObject, s3:Get*]
  Resource: !GetAtt Bucket.Arn
- Sid: Index
  Effect: Allow
  Action: [dynamodb:Query, dynamodb:GetItem]
  Resource: !Sub \${Table.Arn}/index/*
- Sid: Unknown
  Effect: Allow
  Action: s3:ListBucket
  Resource: [!Ref External]
`.replace(/\$\{Bucket\.Arn\}/g, '${BucketArn}').replace(/\$\{Table\.Arn\}/g, 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/experiments-${Environment}')
        .replace('!Sub ${BucketArn}/*', "!Sub ['${BucketArn}/*', {BucketArn: !ImportValue {'Fn::Sub': 'biomage-data-bucket-arn-${Environment}'}}]")
        .replace('!GetAtt Bucket.Arn', "!ImportValue {'Fn::Sub': 'biomage-data-bucket-arn-${Environment}'}")),
    ).toEqual([
      '20 iam-action-resource-mismatch action s3:ListBucket in Policy statement Objects takes bucket or accesspoint, but the statement names only object (fix: grant it on arn:${AWS::Partition}:s3:::<BucketName>, in a statement of its own if need be)',
      '20 iam-action-resource-mismatch action sqs:ListQueues in Policy statement Objects only takes Resource "*" (fix: grant it in a statement of its own with `Resource: "*"`)',
      '24 iam-action-resource-mismatch action s3:GetObject in Policy statement Bucket takes object or accesspointobject, but the statement names only bucket (fix: grant it on arn:${AWS::Partition}:s3:::<BucketName>/<ObjectName>, in a statement of its own if need be)',
      '28 iam-action-resource-mismatch action dynamodb:GetItem in Policy statement Index takes table, but the statement names only index (fix: grant it on arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/<TableName>, in a statement of its own if need be)',
    ]);
  });

  it('resolve S3, DynamoDB, SQS and SNS ARNs to resources declared for the same environment', async () => {
    expect(
      await findings(`
- Effect: Allow
  Action: [s3:GetObject]
  Resource:
    - !Sub arn:\${AWS::Partition}:s3:::biomage-data-\${Environment}-*/*
    - !Sub arn:\${AWS::Partition}:s3:::biomage-date-\${Environment}-\${AWS::AccountId}/*
    - !Sub arn:\${AWS::Partition}:s3:::\${External}/*
    - !ImportValue {'Fn::Sub': 'biomage-data-bucket-name-\${Environment}'}
- Effect: Allow
  Action: [sns:Publish, sqs:SendMessage, dynamodb:Query]
  Resource:
    - !Sub arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:results-\${Environment}
    - !Sub arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:jobs-development
    - !Sub arn:\${AWS::Partition}:dynamodb:\${AWS::Region}:\${AWS::AccountId}:table/experiments-\${Environment}/index/*
`),
    ).toEqual([
      '22 iam-unresolved-arn resource arn:${AWS::Partition}:s3:::biomage-date-${Environment}-${AWS::AccountId}/* in Policy statement 1 names no S3 bucket declared in cf/',
      '24 iam-unresolved-arn resource ImportValue(biomage-data-bucket-name-${Environment}) in Policy statement 1 is not an ARN',
      '29 iam-unresolved-arn resource arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs-development in Policy statement 2 names no SQS queue declared in cf/ (in staging, production)',
    ]);
  });

  it('flag unescaped policy variables inside Fn::Sub, in YAML and in JSON text', async () => {
    const yaml = await findings(`
- Effect: Allow
  Action: s3:GetObject
  Resource:
    - !Sub arn:\${AWS::Partition}:s3:::biomage-data-\${Environment}-\${AWS::AccountId}/\${aws:username}/*
    - !Sub arn:\${AWS::Partition}:s3:::biomage-data-\${Environment}-\${AWS::AccountId}/\${!aws:userid}/*
    - arn:aws:s3:::biomage-data-development-123456789012/\${aws:username}/*
`);
    expect(yaml.filter((f) => f.includes('iam-policy-variable-unescaped'))).toEqual([
      '21 iam-policy-variable-unescaped policy variable ${aws:username} in Policy is not escaped inside Fn::Sub (fix: write ${!aws:username})',
    ]);
    const json = `${HEAD}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: ec2.amazonaws.com }, Action: sts:AssumeRole }]
      Policies:
        - PolicyName: home
          PolicyDocument: !Sub |
            {
              "Statement": [{
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:\${AWS::Partition}:s3:::biomage-data-\${Environment}-\${AWS::AccountId}/\${aws:username}/*"
              }]
            }
`;
    const result = await runRules([iamPolicyRules], memoryRepo({ ...RESOURCES, 'cf/role.yaml': json }));
    expect(result.map((f) => `${f.line} ${f.rule} ${f.message}`)).toEqual([
      '24 iam-policy-variable-unescaped policy variable ${aws:username} in Role policy home is not escaped inside Fn::Sub',
    ]);
  });

  it('check resource policies and only the statements live in each environment', async () => {
    const template = `${HEAD}
Resources:
  Queue:
    Type: AWS::SQS::Queue
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Statement:
          - !If
            - IsStaging
            - Effect: Allow
              Principal: '*'
              Action: sqs:*
              Resource: !GetAtt Queue.Arn
            - !Ref AWS::NoValue
`;
    const result = await runRules([iamPolicyRules], memoryRepo({ 'cf/queue.yaml': template }));
    expect(result.map((f) => `${f.line} ${f.rule} ${f.message}`)).toEqual([
      '24 iam-wildcard-action action sqs:* in QueuePolicy statement 1 allows every sqs action (in staging)',
    ]);
  });

  it('find nothing in the real templates', async () => {
    expect(await realRepositoryFindings([iamPolicyRules])).toEqual([]);
  });

});

describe('checkPolicyDocument', () => {
  const ci = `ci-policies:
  - PolicyName: deploy
    PolicyDocument:
      Version: '2012-10-17'
      Statement:
        - Effect: Allow
          Action: [s3:PutObject, cloudformation:*]
          Resource:
            - arn:aws:s3:::biomage-data-staging-*/*
            - arn:aws:s3:::biomage-missing-staging/*
`;

  it('applies the IAM rules to a plain policy, resolving ARNs against any environment', () => {
    const doc = parseYamlFile(ci).documents[0]!;
    const value = (doc.value as { 'ci-policies': { PolicyDocument: unknown }[] })['ci-policies'][0]!.PolicyDocument;
    const repo = memoryRepo(RESOURCES);
    const result = checkPolicyDocument(value, { file: '.ci.yaml', lineOf: doc.lineOf, path: ['ci-policies', 0, 'PolicyDocument'] }, repo).sort(compareFindings);
    expect(result.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([
      ".ci.yaml:7 iam-action-resource-mismatch no action matching cloudformation:* in statement 1 applies to the statement's resources (object)",
      '.ci.yaml:7 iam-wildcard-action action cloudformation:* in statement 1 allows every cloudformation action',
      '.ci.yaml:10 iam-unresolved-arn resource arn:aws:s3:::biomage-missing-staging/* in statement 1 names no S3 bucket declared in cf/',
    ]);
  });

  it('reads a policy given as JSON text', () => {
    const text = '{\n  "Statement": {\n    "Effect": "Allow",\n    "Action": "s3:GetObjet",\n    "Resource": "*"\n  }\n}';
    const result = checkPolicyDocument(text, { file: '.ci.yaml', lineOf: () => 5, path: [] }, memoryRepo({}));
    expect(result.map((f) => `${f.line} ${f.rule} ${f.fix}`)).toEqual(['8 iam-unknown-action did you mean s3:GetObject?']);
  });

  const admin = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Admin', Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
    ],
  };
  const at = { file: '.ci.yaml', lineOf: () => 1, path: [] };

  it('allowAdmin excuses only the wildcards of a statement granting * on *', () => {
    const rules = (options: { allowAdmin?: boolean }) =>
      checkPolicyDocument(admin, at, memoryRepo({}), options).map((f) => `${f.rule} ${f.message}`);
    expect(rules({})).toEqual([
      'iam-wildcard-action action * in statement Admin allows every action of every service',
      'iam-wildcard-resource-write resource * in statement Admin is granted every action',
      'iam-wildcard-action action ecr:* in statement 2 allows every ecr action',
      expect.stringMatching(/^iam-wildcard-resource-write resource \* in statement 2 is granted write actions /),
    ]);
    expect(rules({ allowAdmin: true })).toEqual([
      'iam-wildcard-action action ecr:* in statement 2 allows every ecr action',
      expect.stringMatching(/^iam-wildcard-resource-write resource \* in statement 2 is granted write actions /),
    ]);
  });
});

describe('adminStatements', () => {
  it('names the statements that allow * on *, and no other', () => {
    expect(adminStatements({ Statement: [{ Sid: 'All', Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['arn:aws:s3:::b', '*'] }] })).toEqual(['statement All']);
    expect(adminStatements({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })).toEqual(['statement 1']);
    expect(adminStatements({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] })).toEqual([]);
    expect(adminStatements({ Statement: [{ Effect: 'Allow', NotAction: '*', Resource: '*' }] })).toEqual([]);
    expect(adminStatements({ Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }] })).toEqual([]);
    expect(adminStatements({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })).toEqual([]);
  });
});
