import type { IAMClient } from '@aws-sdk/client-iam';
import { iamSdk } from '../aws/sdk.js';
import { OperationError } from '../ui/errors.js';
import type { ResolvePrincipal, ResolvedPrincipal } from './mapping.js';

/**
 * A resolver for the bare names of the access lists, in the client's account: the IAM user of
 * that name, else the IAM role, else undefined. The user comes first because a name in a list
 * is usually a person; whoever means a role of the same name writes its ARN. Needs iam:GetUser
 * and iam:GetRole. The caller owns the client:
 *   const iam = awsClient(iamSdk().IAMClient, await ctx.aws()); … finally iam.destroy()
 */
export function iamNameResolver(iam: IAMClient): ResolvePrincipal {
  const { GetRoleCommand, GetUserCommand } = iamSdk();
  return async (name) => {
    const user = await lookUp(name, 'user', async () => (await iam.send(new GetUserCommand({ UserName: name }))).User?.Arn);
    return user ?? (await lookUp(name, 'role', async () => (await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.Arn));
  };
}

async function lookUp(name: string, type: ResolvedPrincipal['type'], get: () => Promise<string | undefined>): Promise<ResolvedPrincipal | undefined> {
  try {
    const arn = await get();
    return arn ? { arn, type } : undefined;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw new OperationError(`could not look up the IAM ${type} ${name}: ${(error as Error).message}`, {
      where: `IAM ${type} ${name}`,
      hint: `the identity in use needs iam:GetUser and iam:GetRole to resolve names; or write the entry as a full ARN`,
      cause: error,
    });
  }
}

// The SDK names the exception NoSuchEntityException; the query protocol's error code (and some
// emulators) say NoSuchEntity.
const isNoSuchEntity = (error: unknown) => ['NoSuchEntityException', 'NoSuchEntity'].includes((error as Error).name);
