import { describe, expect, it } from 'vitest';
import { importRules } from '../../../src/checks/rules/imports.js';
import { memoryRepo, realRepositoryFindings, runRules } from '../../helpers/check-repo.js';

const head = (envs = 'development, staging, production') => `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment:
    Type: String
    AllowedValues: [${envs}]
Conditions:
  IsDevelopment: !Equals [!Ref Environment, development]
`;

const exporter = (name: string, envs?: string) => `${head(envs)}Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  TopicArn:
    Value: !Ref Topic
    Export:
      Name: ${name}
`;

const importer = (value: string) => `${head()}Resources:
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: ${value}
`;

const findings = async (files: Record<string, string>) =>
  (await runRules([importRules], memoryRepo(files))).map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`);

describe('cf-import-unknown-export', () => {
  it('resolves each import per environment against the exports of cf/ and infra/', async () => {
    expect(
      await findings({
        'cf/topic.yaml': exporter('!Sub biomage-topic-arn-${Environment}'),
        'infra/cf-dns.yaml': `Resources:\n  Zone:\n    Type: AWS::Route53::HostedZone\n    Properties:\n      Name: example.org\nOutputs:\n  ZoneId:\n    Value: !Ref Zone\n    Export:\n      Name: biomage-zone-id\n`,
        'cf/good.yaml': importer(`!Join [',', [!ImportValue {'Fn::Sub': 'biomage-topic-arn-\${Environment}'}, !ImportValue biomage-zone-id]]`),
        'cf/typo.yaml': importer(`!ImportValue {'Fn::Sub': 'biomage-topics-arn-\${Environment}'}`),
      }),
    ).toEqual(['cf/typo.yaml:13 cf-import-unknown-export import biomage-topics-arn-${Environment} names no export declared in cf/ or infra/cf-*.yaml']);
  });

  it("allows the eksctl cluster stack's exports of the same environment only", async () => {
    const value = (env: string) => `!ImportValue {'Fn::Sub': 'eksctl-biomage-${env}-cluster::VPC'}`;
    expect(await findings({ 'cf/a.yaml': importer(value('${Environment}')) })).toEqual([]);
    const result = await runRules([importRules], memoryRepo({ 'cf/a.yaml': importer(value('production')) }));
    expect(result.map((f) => `${f.message} | ${f.fix}`)).toEqual([
      "import eksctl-biomage-production-cluster::VPC names no export declared in cf/ or infra/cf-*.yaml (in development, staging) | the eksctl cluster stack's exports are named eksctl-biomage-${Environment}-cluster::<name>",
    ]);
  });

  it('skips branches and resources that are not deployed, and names the environments an export is missing in', async () => {
    expect(
      await findings({
        'cf/topic.yaml': exporter('!Sub biomage-topic-arn-${Environment}', 'staging, production'),
        'cf/a.yaml': importer(`!If [IsDevelopment, none, !ImportValue {'Fn::Sub': 'biomage-topic-arn-\${Environment}'}]`),
        'cf/b.yaml': importer(`!ImportValue {'Fn::Sub': 'biomage-topic-arn-\${Environment}'}`),
      }),
    ).toEqual([
      'cf/b.yaml:13 cf-import-unknown-export import biomage-topic-arn-${Environment} names no export declared in cf/ or infra/cf-*.yaml (in development)',
    ]);
  });
});

describe('cf-export-without-environment', () => {
  it('wants ${Environment} in the export name of every template that has the parameter', async () => {
    expect(
      await findings({
        'cf/plain.yaml': exporter('biomage-topic-arn'),
        'cf/sub.yaml': exporter('!Sub biomage-topic-arn-${AWS::Region}'),
        'cf/join.yaml': exporter("!Join ['-', [biomage-topic-arn, !Ref Environment]]"),
        'cf/good.yaml': exporter('!Sub biomage-good-arn-${Environment}'),
        'infra/cf-dns.yaml': `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n  Arn:\n    Value: !Ref Topic\n    Export:\n      Name: biomage-dns-topic\n`,
      }),
    ).toEqual([
      'cf/plain.yaml:15 cf-export-without-environment export biomage-topic-arn of output TopicArn does not contain ${Environment}',
      'cf/sub.yaml:15 cf-export-without-environment export biomage-topic-arn-${AWS::Region} of output TopicArn does not contain ${Environment}',
    ]);
  });
});

describe('import rules', () => {
  it('find nothing in the real templates', async () => {
    expect(await realRepositoryFindings([importRules])).toEqual([]);
  });
});
