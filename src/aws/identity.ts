import type { STSClient } from '@aws-sdk/client-sts';
import { CredentialsError, OperationError } from '../ui/errors.js';
import { awsClient } from './clients.js';
import type { AwsTarget } from './target.js';
import { stsSdk } from './sdk.js';

const { GetCallerIdentityCommand } = stsSdk();

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** Who the AWS calls run as (STS GetCallerIdentity): the account id comes from here, never a file. */
export async function callerIdentity(target: AwsTarget): Promise<CallerIdentity> {
  const sts = awsClient(stsSdk().STSClient, target);
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  } catch (error) {
    throw new OperationError(`AWS did not accept the credentials: ${(error as Error).message}`, {
      where: target.endpoint ?? `AWS ${target.region}${target.profile ? ` (profile ${target.profile})` : ''}`,
      hint: target.local
        ? 'is the local twin running? start it with `make dev`'
        : 'check AWS_PROFILE, or refresh the session (e.g. `aws sso login`)',
      cause: error,
    });
  } finally {
    sts.destroy();
  }
}

/** STS error codes that mean the credentials were found but are no longer (or never were) valid. */
const INVALID_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidToken',
]);

/**
 * What a failed GetCallerIdentity says about the credentials: `missing` when the SDK found none
 * (its provider chain gave up), `invalid` when AWS refused them (expired session, deleted key),
 * undefined for anything else (network, throttling): that is not the operator's input.
 */
export function credentialProblem(error: unknown): 'missing' | 'invalid' | undefined {
  const { name = '', message = '' } = (error ?? {}) as { name?: string; message?: string };
  // An SSO session that has expired surfaces from the provider chain, not from STS.
  if (/\b(expired|refresh failed)\b/i.test(message) && /Provider|SSO|Token/i.test(name + message)) return 'invalid';
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || name === 'ProviderError') return 'missing';
  if (INVALID_CREDENTIALS.has(name) || INVALID_CREDENTIALS.has((error as { Code?: string } | null)?.Code ?? '')) return 'invalid';
  return undefined;
}

/**
 * The caller's identity, for commands that must not start without working credentials: missing,
 * expired or refused credentials are a CredentialsError (exit 2: nothing was read, nothing changed)
 * with the next step; other failures stay operation failures.
 */
export async function requireCallerIdentity(target: AwsTarget, sts?: STSClient): Promise<CallerIdentity> {
  const client = sts ?? awsClient(stsSdk().STSClient, target);
  const where = target.endpoint ?? `AWS ${target.region}${target.profile ? ` (profile ${target.profile})` : ''}`;
  const signIn = target.profile ? `aws sso login --profile ${target.profile}` : 'aws sso login';
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '' };
  } catch (error) {
    const problem = credentialProblem(error);
    const detail = (error as Error).message;
    if (problem === 'missing') {
      throw new CredentialsError(`no AWS credentials found${target.profile ? ` for profile ${target.profile}` : ''}: ${detail}`, {
        where,
        hint: `sign in (\`${signIn}\`) or set AWS_PROFILE to a profile with access to this account; in CI, assume the environment's role first (docs/runbooks/github-ci.md). Nothing was changed`,
        cause: error,
      });
    }
    if (problem === 'invalid') {
      throw new CredentialsError(`the AWS credentials${target.profile ? ` of profile ${target.profile}` : ''} are expired or invalid: ${detail}`, {
        where,
        hint: `refresh them (\`${signIn}\`, or a new session for the role) and run the command again. Nothing was changed`,
        cause: error,
      });
    }
    throw new OperationError(`could not ask AWS who the credentials belong to: ${detail}`, {
      where,
      hint: 'check the network and the region (--region, AWS_REGION), then run the command again',
      cause: error,
    });
  } finally {
    if (!sts) client.destroy();
  }
}
