import { clusterName, type Environment } from '../config/environments.js';
import { InputError, OperationError } from '../ui/errors.js';
import { awsClient } from './clients.js';
import type { AwsTarget } from './target.js';
import { eksSdk } from './sdk.js';

const { DescribeClusterCommand, ResourceNotFoundException } = eksSdk();

/**
 * The cluster's OIDC issuer without `https://`: what IAM roles for service accounts trust, as
 * `arn:<partition>:iam::<account>:oidc-provider/<issuer>`.
 */
export async function oidcProvider(target: AwsTarget, env: Environment): Promise<string> {
  const name = clusterName(env);
  const eks = awsClient(eksSdk().EKSClient, target);
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    const issuer = cluster?.identity?.oidc?.issuer;
    if (!issuer) {
      throw new InputError(`cluster ${name} in ${target.region} has no OIDC issuer`, {
        where: `EKS cluster ${name}`,
        hint: `associate one: biomage deploy-infra --env ${env} --action deploy-and-configure`,
      });
    }
    return issuer.replace(/^https:\/\//, '');
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new InputError(`EKS cluster ${name} does not exist in ${target.region}: IRSA templates need its OIDC provider`, {
        where: `EKS cluster ${name} (${target.region})`,
        hint:
          env === 'development'
            ? 'run `biomage dev up`, which registers the development cluster in the twin'
            : `create it first (biomage deploy-infra --env ${env} --action deploy-and-configure), or check --region`,
      });
    }
    if (error instanceof InputError) throw error;
    throw new OperationError(`could not describe EKS cluster ${name}: ${(error as Error).message}`, { cause: error });
  } finally {
    eks.destroy();
  }
}
