import { describe, expect, it } from 'vitest';
import { parseCfnYaml, YamlSyntaxError } from '../../../src/yaml/cfn.js';

const template = `# a comment first
Parameters:
  Environment:
    Type: String
    AllowedValues:
      - development
      - staging
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "\${Environment}-topic"
      Tags: [{ Key: a, Value: !Ref Environment }]
`;

describe('parseCfnYaml', () => {
  it('gives the long forms of the short forms', () => {
    const { value } = parseCfnYaml(template);
    expect((value as { Resources: { Topic: { Properties: unknown } } }).Resources.Topic.Properties).toEqual({
      TopicName: { 'Fn::Sub': '${Environment}-topic' },
      Tags: [{ Key: 'a', Value: { Ref: 'Environment' } }],
    });
  });

  it('gives the line of keys, items and short forms, else of the nearest parent', () => {
    const { lineOf } = parseCfnYaml(template);
    expect(lineOf(['Parameters', 'Environment', 'AllowedValues'])).toBe(5);
    expect(lineOf(['Parameters', 'Environment', 'AllowedValues', 1])).toBe(7);
    expect(lineOf(['Resources', 'Topic', 'Properties', 'TopicName', 'Fn::Sub'])).toBe(12);
    expect(lineOf(['Resources', 'Topic', 'Properties', 'Tags', 0, 'Value', 'Ref'])).toBe(13);
    expect(lineOf(['Parameters', 'OIDCProvider'])).toBe(2);
    expect(lineOf(['Transform'])).toBe(2);
  });

  it('gives a syntax error its line and column', () => {
    expect(() => parseCfnYaml('a: [1\nb: 2\n')).toThrow(YamlSyntaxError);
  });
});
