import { describe, expect, it } from 'vitest';
import { credentialProblem } from '../../../src/aws/identity.js';

const error = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('credentialProblem: what a failed GetCallerIdentity says about the credentials', () => {
  it('none found: the SDK\'s provider chain gave up', () => {
    expect(credentialProblem(error('CredentialsProviderError', 'Could not load credentials from any providers'))).toBe('missing');
  });

  it.each(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch'])(
    'refused by AWS: %s',
    (name) => {
      expect(credentialProblem(error(name, 'The security token included in the request is expired'))).toBe('invalid');
    },
  );

  it('an expired SSO session surfaces from the provider chain, and is expired, not missing', () => {
    expect(credentialProblem(error('CredentialsProviderError', 'The SSO session associated with this profile has expired or is otherwise invalid.'))).toBe('invalid');
  });

  it('anything else (network, throttling) is not about the credentials', () => {
    expect(credentialProblem(error('TimeoutError', 'connect ETIMEDOUT'))).toBeUndefined();
    expect(credentialProblem(error('Throttling', 'Rate exceeded'))).toBeUndefined();
    expect(credentialProblem(undefined)).toBeUndefined();
  });
});
