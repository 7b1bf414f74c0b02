import type { Stack } from '@aws-sdk/client-cloudformation';
import type { IAMClient } from '@aws-sdk/client-iam';
import { join } from 'node:path';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, iamSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { planHash, type StackPlan } from '../cf/plan.js';
import { deploySingleStack, holdsResources, plannedStackAction, readStack, stackOutput, stackParameter } from '../cf/single-stack.js';
import { loadTemplate, type Template } from '../cf/template.js';
import { loadDnsConfig } from '../config/dns.js';
import { loadGithubConfig } from '../config/github.js';
import type { Context } from '../context.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { OperationError } from '../ui/errors.js';
import type { StepReport } from './steps.js';

/** GitHub Actions' access to AWS for one environment: GitHub's OIDC provider and the CI roles. */
export const GITHUB_OIDC_TEMPLATE = 'infra/cf-github-oidc.yaml';

/** The issuer of GitHub Actions' tokens: one IAM OIDC provider per account. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The name the template's own NeverOwnAccess statement denies to CI (biomage-*github-oidc-<env>). */
export function githubOidcStackName(env: ClusterEnvironment): string {
  return `biomage-github-oidc-${env}`;
}

export type GithubOidcOutcome = 'created' | 'updated' | 'unchanged' | 'would create' | 'would update';

export interface GithubOidcOptions {
  /** Where infra/cf-github-oidc.yaml, infra/github.yaml and infra/dns.yaml are read from. */
  root: string;
  aws: AwsTarget;
  /** Reads only and reports what would change. */
  dryRun: boolean;
}

export interface GithubOidcParameters {
  organisation: string;
  repository: string;
  hostedZoneId: string;
  /** Empty: this stack creates (or already holds) the provider. */
  existingProviderArn: string;
}

/** The deployer's plan: the template with every parameter explicit, so the hash covers them all. */
export function githubOidcStackPlan(template: Template, env: ClusterEnvironment, input: GithubOidcParameters): StackPlan {
  const parameters: StackPlan['parameters'] = [
    { ParameterKey: 'Environment', ParameterValue: env },
    { ParameterKey: 'GitHubOrganisation', ParameterValue: input.organisation },
    { ParameterKey: 'GitHubRepository', ParameterValue: input.repository },
    { ParameterKey: 'HostedZoneId', ParameterValue: input.hostedZoneId },
    { ParameterKey: 'ExistingProviderArn', ParameterValue: input.existingProviderArn },
  ];
  return { template, stackName: githubOidcStackName(env), parameters, hash: planHash(template.body, parameters), exports: [], imports: [], dependsOn: [] };
}

/** The account's OIDC provider for GitHub Actions, or undefined. Reads only (IAM is account-wide). */
export async function findGithubProvider(iam: IAMClient): Promise<string | undefined> {
  const { ListOpenIDConnectProvidersCommand } = iamSdk();
  const { OpenIDConnectProviderList = [] } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  // A provider's ARN ends with its URL's host and path; IAM allows one provider per URL.
  return OpenIDConnectProviderList.map((p) => p.Arn ?? '').find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
}

/**
 * ExistingProviderArn: empty when the account has no provider yet (this stack creates it) or
 * when this very stack created it (it was deployed with an empty one and its output names the
 * provider); otherwise the provider that another environment's stack created.
 */
export function existingProviderParameter(stack: Stack | undefined, provider: string | undefined): string {
  if (!provider) return '';
  const createdHere = holdsResources(stack) && !stackParameter(stack, 'ExistingProviderArn') && stackOutput(stack, 'OidcProviderArn') === provider;
  return createdHere ? '' : provider;
}

/**
 * configure's first step: the stack biomage-github-oidc-<env> from infra/cf-github-oidc.yaml,
 * GitHubOrganisation and GitHubRepository from infra/github.yaml, HostedZoneId from the
 * environment's entry of infra/dns.yaml, ExistingProviderArn from IAM. Unchanged (its recorded
 * hash matches) it only reads the stack and the account's OIDC providers, which is all CI may do
 * with it: the IaC role is denied this stack.
 */
export async function githubOidcStep(ctx: Context, env: ClusterEnvironment, options: GithubOidcOptions): Promise<Omit<StepReport, 'step'> & { result: GithubOidcOutcome }> {
  const { root, aws, dryRun } = options;
  // Bad input first (exit 2), before anything is read from AWS.
  const github = loadGithubConfig(root);
  const { hostedZoneId } = loadDnsConfig(root)[env];
  const template = loadTemplate(join(root, GITHUB_OIDC_TEMPLATE), root);

  const cfn = awsClient(cloudFormationSdk().CloudFormationClient, aws);
  const iam = awsClient(iamSdk().IAMClient, aws);
  try {
    const stackName = githubOidcStackName(env);
    const existing = await readStack(cfn, stackName);
    const provider = await findGithubProvider(iam);
    const plan = githubOidcStackPlan(template, env, {
      organisation: github.organisation,
      repository: github.repository,
      hostedZoneId,
      existingProviderArn: existingProviderParameter(existing, provider),
    });
    const report = (result: GithubOidcOutcome, stack: Stack | undefined) => ({
      result,
      changed: result !== 'unchanged',
      detail: `stack ${stackName}, IacRoleArn ${stackOutput(stack, 'IacRoleArn') ?? '(none yet)'}`,
    });

    const planned = plannedStackAction(plan, existing);
    if (dryRun) return report(planned === 'unchanged' ? 'unchanged' : planned === 'update' ? 'would update' : 'would create', existing);
    if (planned === 'unchanged') return report('unchanged', existing);

    const outcome = await deploySingleStack(ctx, cfn, plan, existing, { env, local: aws.local });
    const deployed = await readStack(cfn, stackName);
    await assertProvider(iam, stackName, stackOutput(deployed, 'OidcProviderArn'));
    const result: GithubOidcOutcome = outcome.action === 'create' || outcome.action === 'recreate' ? 'created' : outcome.action === 'update' ? 'updated' : 'unchanged';
    return report(result, deployed);
  } finally {
    cfn.destroy();
    iam.destroy();
  }
}

/** After a deploy, IAM itself must hold the provider the roles trust. */
async function assertProvider(iam: IAMClient, stackName: string, output: string | undefined): Promise<void> {
  const provider = await findGithubProvider(iam);
  if (provider && provider === output) return;
  throw new OperationError(
    `stack ${stackName} deployed, but IAM ${provider ? `has the provider ${provider}, not the stack's ${output ?? '(no OidcProviderArn output)'}` : `has no OIDC provider for ${GITHUB_OIDC_HOST}`}`,
    {
      where: `stack ${stackName}, output OidcProviderArn`,
      hint: `compare the stack's resources with \`aws iam list-open-id-connect-providers\`, then rerun configure`,
    },
  );
}
