import { describe, expect, it } from 'vitest';
import { cfTemplateRules } from '../../../src/checks/rules/cf-template.js';
import { memoryRepo, realRepositoryFindings, runRules } from '../../helpers/check-repo.js';

const ENV = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment:
    Type: String
    AllowedValues: [development, staging, production]
`;

const findings = async (files: Record<string, string>) =>
  (await runRules([cfTemplateRules], memoryRepo(files))).map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`);

describe('cf-environment-parameter', () => {
  it('wants exactly the three environments, as a String, in cf/ templates only', async () => {
    const resources = 'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n';
    expect(
      await findings({
        'cf/none.yaml': `Parameters:\n  Other:\n    Type: String\n${resources}`,
        'cf/number.yaml': `Parameters:\n  Environment:\n    Type: Number\n    AllowedValues: [development, staging, production]\n${resources}`,
        'cf/extra.yaml': `Parameters:\n  Environment:\n    Type: String\n    AllowedValues:\n      - production\n      - qa\n      - staging\n      - development\n      - staging\n${resources}`,
        'cf/open.yaml': `Parameters:\n  Environment:\n    Type: String\n${resources}`,
        'cf/good.yaml': `Parameters:\n  Environment:\n    Type: String\n    AllowedValues: [production, development, staging]\n${resources}`,
        'infra/cf-dns.yaml': resources,
      }),
    ).toEqual([
      'cf/extra.yaml:6 cf-environment-parameter parameter Environment allows qa, which is not an environment',
      'cf/extra.yaml:9 cf-environment-parameter parameter Environment allows staging twice',
      'cf/none.yaml:1 cf-environment-parameter the template has no Environment parameter',
      'cf/number.yaml:3 cf-environment-parameter parameter Environment has Type Number, not String',
      'cf/open.yaml:2 cf-environment-parameter parameter Environment has no AllowedValues',
    ]);
  });
});

describe('cf-literal-*', () => {
  it('finds account ids, regions, partitions and domains in properties, outputs and conditions', async () => {
    const template = `${ENV}
Conditions:
  InIreland: !Equals [!Ref AWS::Region, eu-west-1]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !Sub |
        {
          "Statement": [{
            "Effect": "Allow",
            "Principal": { "AWS": "arn:aws:iam::111122223333:root" },
            "Action": "sts:AssumeRole"
          }]
        }
      ManagedPolicyArns:
        - arn:aws-cn:iam::aws:policy/ReadOnlyAccess
      Tags:
        - Key: contact
          Value: ops@biomage.net
        - Key: owner
          Value: 444455556666
Outputs:
  Url:
    Value: !Sub https://\${Environment}.scp.cellenics.dev/
`;
    expect(await findings({ 'cf/role.yaml': template })).toEqual([
      'cf/role.yaml:8 cf-literal-region condition InIreland has a literal region eu-west-1',
      'cf/role.yaml:17 cf-literal-account-id resource Role has a literal account id 111122223333',
      'cf/role.yaml:17 cf-literal-partition resource Role has a literal partition in arn:aws:',
      'cf/role.yaml:22 cf-literal-partition resource Role has a literal partition in arn:aws-cn:',
      'cf/role.yaml:25 cf-literal-domain resource Role has a literal domain name biomage.net',
      'cf/role.yaml:27 cf-literal-account-id resource Role has a literal account id 444455556666',
      'cf/role.yaml:30 cf-literal-domain output Url has a literal domain name scp.cellenics.dev',
    ]);
  });

  it('leaves AWS host names, pseudo-parameters, descriptions, parameters, mappings and names alone', async () => {
    const template = `${ENV}
  Domain:
    Type: String
    Default: biomage.net
    Description: The domain, for example scp.biomage.net in eu-west-1.
Mappings:
  Regions:
    eu-west-1:
      NodeType: cache.t4g.micro
Metadata:
  Note: deployed from arn:aws:iam::111122223333:root
Resources:
  Role:
    Type: AWS::IAM::Role
    Metadata:
      Source: https://github.example.com/x
    Properties:
      Description: reads s3.eu-west-1.amazonaws.com for account 111122223333
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: [ec2.amazonaws.com, states.amazonaws.com.cn]
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:\${AWS::Partition}:iam::aws:policy/ReadOnlyAccess
      Tags:
        - Key: node
          Value: !FindInMap [Regions, eu-west-1, NodeType]
        - Key: page
          Value: index.html
        - Key: endpoint
          Value: !Sub https://sqs.\${AWS::Region}.\${AWS::URLSuffix}/\${AWS::AccountId}/jobs
`;
    expect(await findings({ 'cf/role.yaml': template })).toEqual([]);
  });
});

describe('cf-template rules', () => {
  it('find nothing in the real templates', async () => {
    expect(await realRepositoryFindings([cfTemplateRules])).toEqual([]);
  });
});
