import type { STSClient } from '@aws-sdk/client-sts';
import { OperationError } from '../ui/errors.js';
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
