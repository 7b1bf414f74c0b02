import { describe, expect, it } from 'vitest';
import { maskReason, noEchoParameters, pathSegments, secretSource } from '../../../src/drift/masking.js';

const noEcho = new Set(['DbPassword', 'ApiToken']);

describe('secretSource: what in a template value carries a secret', () => {
  it('a Ref to a NoEcho parameter, not to another one', () => {
    expect(secretSource({ Ref: 'DbPassword' }, noEcho)).toBe('NoEcho parameter DbPassword');
    expect(secretSource({ Ref: 'Environment' }, noEcho)).toBeUndefined();
  });

  it('a NoEcho parameter inside Fn::Sub, unless a variable of the Sub shadows it', () => {
    expect(secretSource({ 'Fn::Sub': 'postgres://app:${DbPassword}@db' }, noEcho)).toBe('NoEcho parameter DbPassword');
    expect(secretSource({ 'Fn::Sub': ['x-${DbPassword}', { DbPassword: 'literal' }] }, noEcho)).toBeUndefined();
    expect(secretSource({ 'Fn::Sub': ['${A}', { A: { Ref: 'ApiToken' } }] }, noEcho)).toBe('NoEcho parameter ApiToken');
  });

  it('dynamic references to Secrets Manager and SSM SecureString, not to plain SSM', () => {
    expect(secretSource('{{resolve:secretsmanager:db:SecretString:password}}', noEcho)).toMatch(/secretsmanager/);
    expect(secretSource({ 'Fn::Join': ['', ['{{resolve:ssm-secure:/app/key', '}}']] }, noEcho)).toMatch(/ssm-secure/);
    expect(secretSource('{{resolve:ssm:/app/domain}}', noEcho)).toBeUndefined();
  });

  it('anywhere below: Fn::If branches, nested mappings, lists', () => {
    expect(secretSource({ 'Fn::If': ['Prod', { Ref: 'ApiToken' }, 'none'] }, noEcho)).toBe('NoEcho parameter ApiToken');
    expect(secretSource({ Variables: { A: 'a', B: { Ref: 'DbPassword' } } }, noEcho)).toBe('NoEcho parameter DbPassword');
  });
});

describe('maskReason: a drifted property path against the template', () => {
  const properties = {
    FunctionName: 'fixture-fn',
    Environment: { Variables: { STAGE: { Ref: 'Environment' }, TOKEN: { Ref: 'ApiToken' } } },
    Tags: [{ Key: 'owner', Value: 'ops' }],
    Config: { 'Fn::If': ['Prod', { Level: { Ref: 'DbPassword' } }, { Level: 'x' }] },
  };

  it('the property itself derives from a NoEcho parameter', () => {
    expect(maskReason('/Environment/Variables/TOKEN', properties, noEcho)).toBe('NoEcho parameter ApiToken');
    expect(maskReason('/Environment/Variables/STAGE', properties, noEcho)).toBeUndefined();
  });

  it('a parent path whose value holds a secret somewhere is masked whole', () => {
    expect(maskReason('/Environment/Variables', properties, noEcho)).toBe('NoEcho parameter ApiToken');
    expect(maskReason('/Environment', properties, noEcho)).toBe('NoEcho parameter ApiToken');
  });

  it('below an intrinsic function, the whole function decides', () => {
    expect(maskReason('/Config/Level', properties, noEcho)).toBe('NoEcho parameter DbPassword');
  });

  it('list indices, JSON pointer escapes and the absolute /Properties form', () => {
    expect(maskReason('/Tags/0/Value', properties, noEcho)).toBeUndefined();
    expect(pathSegments('/Properties/Policy/a~1b/c~0d')).toEqual(['Policy', 'a/b', 'c~d']);
    expect(maskReason('/Properties/Environment/Variables/TOKEN', properties, noEcho)).toBe('NoEcho parameter ApiToken');
  });

  it('a secret-valued property name masks whatever the template says (or without a template)', () => {
    expect(maskReason('/MasterUserPassword', { MasterUserPassword: 'literal-in-template' }, noEcho)).toBe('MasterUserPassword holds a secret');
    expect(maskReason('/LoginProfile/Password', undefined, noEcho)).toBe('Password holds a secret');
    expect(maskReason('/SecretString', undefined, new Set())).toBe('SecretString holds a secret');
  });

  it('a property the template does not set (added by hand) is shown', () => {
    expect(maskReason('/Environment/Variables/EXTRA', properties, noEcho)).toBeUndefined();
  });
});

describe('noEchoParameters', () => {
  it('NoEcho true, as a boolean or the string CloudFormation also accepts', () => {
    expect([...noEchoParameters({ A: { NoEcho: true }, B: { NoEcho: 'true' }, C: { NoEcho: false }, D: { Type: 'String' } })]).toEqual(['A', 'B']);
  });
});
