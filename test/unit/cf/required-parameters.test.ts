import { describe, expect, it } from 'vitest';
import { environmentProblems, oidcProviderProblems } from '../../../src/cf/required-parameters.js';

// One definition for deploy-cf (template.ts: the first problem is an InputError) and check
// (cf-template.ts, irsa-trust.ts: every problem a finding); both read these paths' lines.
describe('the parameters deploy-cf fills in', () => {
  const environment = (parameter: unknown) => ({ Parameters: { Environment: parameter } });

  it('finds no problem with Environment: String, allowing exactly the three environments', () => {
    expect(environmentProblems(environment({ Type: 'String', AllowedValues: ['production', 'development', 'staging'] }))).toEqual([]);
  });

  it('points at Parameters, or at the template when there is none, for a missing Environment', () => {
    expect(environmentProblems({ Parameters: {} })).toEqual([{ kind: 'no-environment', path: ['Parameters'] }]);
    expect(environmentProblems({ Resources: {} })).toEqual([{ kind: 'no-environment', path: [] }]);
    expect(environmentProblems(environment('development'))).toEqual([{ kind: 'no-environment', path: ['Parameters'] }]);
  });

  it('names the type, the missing environments and each unexpected value with its path', () => {
    expect(environmentProblems(environment({ Type: 'Number' }))).toEqual([
      { kind: 'environment-type', path: ['Parameters', 'Environment', 'Type'], type: 'Number' },
      { kind: 'no-allowed-values', path: ['Parameters', 'Environment', 'AllowedValues'], missing: ['development', 'staging', 'production'] },
    ]);
    expect(environmentProblems(environment({ Type: 'String', AllowedValues: ['qa', 'staging', 'qa', 'staging'] }))).toEqual([
      { kind: 'missing-environments', path: ['Parameters', 'Environment', 'AllowedValues'], missing: ['development', 'production'] },
      { kind: 'unexpected-environment', path: ['Parameters', 'Environment', 'AllowedValues', 0], value: 'qa', reason: 'not an environment' },
      { kind: 'unexpected-environment', path: ['Parameters', 'Environment', 'AllowedValues', 2], value: 'qa', reason: 'not an environment' },
      { kind: 'unexpected-environment', path: ['Parameters', 'Environment', 'AllowedValues', 3], value: 'staging', reason: 'twice' },
    ]);
  });

  it('wants OIDCProvider declared as a String', () => {
    expect(oidcProviderProblems({ Parameters: { OIDCProvider: { Type: 'String' } } })).toEqual([]);
    expect(oidcProviderProblems({ Parameters: {} })).toEqual([{ kind: 'no-oidc-provider', path: ['Parameters'] }]);
    expect(oidcProviderProblems({})).toEqual([{ kind: 'no-oidc-provider', path: [] }]);
    expect(oidcProviderProblems({ Parameters: { OIDCProvider: {} } })).toEqual([
      { kind: 'oidc-provider-type', path: ['Parameters', 'OIDCProvider', 'Type'], type: undefined },
    ]);
  });
});
