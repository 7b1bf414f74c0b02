import { describe, expect, it } from 'vitest';
import { planStacks } from '../../../src/cf/plan.js';
import type { Template } from '../../../src/cf/template.js';
import { templateChanges } from '../../../src/drift/pending.js';
import { parseCfnYaml } from '../../../src/yaml/cfn.js';

const DEPLOYED = `Parameters:
  Environment: {Type: String, AllowedValues: [development, staging, production]}
  Retention: {Type: Number, Default: 7}
  Token: {Type: String, NoEcho: true, Default: old-token}
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: !Ref Retention}
  Old:
    Type: AWS::SNS::Topic
`;

function template(body: string): Template {
  return { file: 'cf/logs.yaml', name: 'logs', body, doc: parseCfnYaml(body).value as Template['doc'], irsa: false };
}
const plan = (body: string, values: { key: string; value: string; noEcho: boolean }[] = []) =>
  planStacks([template(body)], { env: 'staging', region: 'eu-west-1', values: new Map([['cf/logs.yaml', values]]) })[0]!;
const deployedParameters = [
  { ParameterKey: 'Environment', ParameterValue: 'staging' },
  { ParameterKey: 'Retention', ParameterValue: '7' },
  { ParameterKey: 'Token', ParameterValue: '****' },
];

describe('templateChanges: what a stack behind the code would get', () => {
  it('a parameter value from cf/parameters.yaml, against the deployed one', () => {
    const found = templateChanges(plan(DEPLOYED, [{ key: 'Retention', value: '30', noEcho: false }]), deployedParameters, DEPLOYED);
    expect(found).toEqual([expect.objectContaining({ kind: 'not-deployed-yet', stack: 'biomage-logs-staging', path: '/Parameters/Retention', expected: '30', actual: '7' })]);
  });

  it('resources added, removed and changed by the template', () => {
    const now = DEPLOYED.replace('RetentionInDays: !Ref Retention', 'RetentionInDays: 14').replace(/ {2}Old:\n.*\n/, '  New:\n    Type: AWS::SQS::Queue\n');
    const found = templateChanges(plan(now), deployedParameters, DEPLOYED);
    expect(found.map((d) => [d.logicalId, d.type, d.detail])).toEqual([
      ['Logs', 'AWS::Logs::LogGroup', 'changed in the template'],
      ['New', 'AWS::SQS::Queue', 'added by the template'],
      ['Old', 'AWS::SNS::Topic', 'removed from the template'],
    ]);
  });

  it('NoEcho values are never compared nor shown; nothing visible left: one difference says so', () => {
    const found = templateChanges(plan(DEPLOYED, [{ key: 'Token', value: 'new-token', noEcho: true }]), deployedParameters, DEPLOYED);
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toMatch(/NoEcho parameter's value changed/);
    expect(JSON.stringify(found)).not.toContain('new-token');
  });

  it('a comment-only change', () => {
    expect(templateChanges(plan(`# a comment\n${DEPLOYED}`), deployedParameters, DEPLOYED)).toEqual([
      expect.objectContaining({ detail: expect.stringMatching(/text .* changed/) }),
    ]);
  });
});
