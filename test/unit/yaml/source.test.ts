import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../../src/yaml/source.js';

describe('parseYamlFile', () => {
  it('turns CloudFormation short forms into long forms and keeps their lines', () => {
    const text = ['Resources:', '  Role:', '    Properties:', '      RoleName: !Sub api-${Environment}', '      Arn: !GetAtt Topic.Arn.Deep', '      List: !If [IsDev, a, b]', ''].join('\n');
    const [doc] = parseYamlFile(text, { cfn: true }).documents;
    expect(doc!.value).toEqual({
      Resources: { Role: { Properties: { RoleName: { 'Fn::Sub': 'api-${Environment}' }, Arn: { 'Fn::GetAtt': ['Topic', 'Arn.Deep'] }, List: { 'Fn::If': ['IsDev', 'a', 'b'] } } } },
    });
    expect(doc!.lineOf(['Resources', 'Role', 'Properties', 'RoleName', 'Fn::Sub'])).toBe(4);
    expect(doc!.lineOf(['Resources', 'Role', 'Properties', 'List', 'Fn::If', 2])).toBe(6);
    // A path that does not exist falls back to its nearest ancestor.
    expect(doc!.lineOf(['Resources', 'Role', 'Missing', 'Deeper'])).toBe(2);
  });

  it('reads every document of a stream, each with its own lines', () => {
    const { documents } = parseYamlFile(['a: 1', '---', '# comment', 'b:', '  - c: 2', ''].join('\n'));
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: [{ c: 2 }] }]);
    expect(documents[1]!.lineOf(['b', 0, 'c'])).toBe(5);
  });

  it('reports syntax errors and duplicate keys with their line', () => {
    expect(parseYamlFile('a: 1\na: 2\n').errors[0]).toMatchObject({ line: 2 });
    expect(parseYamlFile('a: [1, 2\nb: 3\n').errors.length).toBeGreaterThan(0);
  });

  it('keeps scalars typed, so a number where a string belongs can be told apart', () => {
    const [doc] = parseYamlFile('annotations:\n  a: 15\n  b: "15"\n  c: true\n').documents;
    expect(doc!.value).toEqual({ annotations: { a: 15, b: '15', c: true } });
  });
});
