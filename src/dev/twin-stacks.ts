import type { CloudFormationClient, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { awsClient } from '../aws/clients.js';
import { callerIdentity } from '../aws/identity.js';
import type { AwsTarget } from '../aws/target.js';
import { clusterName } from '../config/environments.js';
import type { StackPlan } from '../cf/plan.js';
import { resolveString, staticConditions } from '../cf/references.js';
import type { Context } from '../context.js';
import { twinClusterStack, type ClusterNetwork } from './eksctl-stack.js';
import { EMULATED, NOT_EMULATED, presenceClients } from './emulation.js';
import { cloudFormationSdk, eksSdk, iamSdk } from '../aws/sdk.js';

const { paginateListExports, paginateListStackResources } = cloudFormationSdk();
const { CreateClusterCommand, DescribeClusterCommand, ResourceNotFoundException } = eksSdk();
const { CreateOpenIDConnectProviderCommand, ListOpenIDConnectProvidersCommand } = iamSdk();

export interface DevCluster {
  name: string;
  issuer: string;
  oidcProviderArn: string;
  /** eksctl's cluster stack as the twin has it: the network that templates import. */
  network: ClusterNetwork;
}

/**
 * Make `biomage-development` in the twin as eksctl makes a real cluster: the EKS record, its IAM
 * OIDC provider, and eksctl's cluster stack (VPC, subnets, security groups, eksctl's exports) with
 * the record in that VPC. IRSA templates then take the same path (DescribeCluster → OIDCProvider)
 * as staging, and templates importing the cluster's network deploy as they do there. Returns the
 * cluster, and the stack's plan for the presence check. `ctx` shows the stack's deploy.
 */
export async function registerDevCluster(target: AwsTarget, ctx?: Pick<Context, 'out'>): Promise<{ cluster: DevCluster; stack: StackPlan }> {
  const name = clusterName('development');
  const eks = awsClient(eksSdk().EKSClient, target);
  const iam = awsClient(iamSdk().IAMClient, target);
  try {
    const { account } = await callerIdentity(target);
    const cluster = await eks.send(new DescribeClusterCommand({ name })).then(
      (out) => out.cluster,
      async (error: unknown) => {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        // Its subnets come from the stack, which needs the record's ARN, endpoint and CA first:
        // twinClusterStack attaches them.
        const created = await eks.send(
          new CreateClusterCommand({
            name,
            roleArn: `arn:aws:iam::${account}:role/${name}-cluster`,
            resourcesVpcConfig: { subnetIds: [] },
          }),
        );
        return created.cluster;
      },
    );
    const issuer = cluster?.identity?.oidc?.issuer;
    if (!issuer) throw new Error(`the twin's cluster ${name} has no OIDC issuer`);

    const host = issuer.replace(/^https:\/\//, '');
    const { OpenIDConnectProviderList = [] } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    let arn = OpenIDConnectProviderList.map((p) => p.Arn ?? '').find((a) => a.endsWith(`oidc-provider/${host}`));
    if (!arn) {
      const created = await iam.send(
        new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] }),
      );
      arn = created.OpenIDConnectProviderArn ?? '';
    }
    const { network, plan } = await twinClusterStack(target, eks, name, cluster, ctx);
    return { cluster: { name, issuer, oidcProviderArn: arn, network }, stack: plan };
  } finally {
    eks.destroy();
    iam.destroy();
  }
}

export type Presence = 'present' | 'missing' | 'not emulated';

export interface PresenceRow {
  stack: string;
  logicalId: string;
  type: string;
  physicalId?: string;
  presence: Presence;
  /** Why it is missing or not emulated. */
  detail?: string;
}

/**
 * Each resource of each template, checked through its own service's API (not through
 * CloudFormation, which reports success for resources the emulator skipped).
 */
export async function checkPresence(target: AwsTarget, plans: StackPlan[]): Promise<PresenceRow[]> {
  const cfn = awsClient(cloudFormationSdk().CloudFormationClient, target);
  const clients = presenceClients(target);
  try {
    const exports = await exportValues(cfn);
    const perStack = await Promise.all(
      plans.map(async (plan) => {
        const recorded = await stackResources(cfn, plan.stackName);
        const known = { ...Object.fromEntries(plan.parameters.map((p) => [p.ParameterKey, p.ParameterValue])), 'AWS::Region': target.region };
        const conditions = staticConditions(plan.template.doc, known);
        // A property names another resource by Ref (this stack's) or by an import (another stack's export).
        const physicalIdOf = (value: unknown) => {
          const ref = (value as { Ref?: unknown } | null)?.Ref;
          if (typeof ref === 'string') return recorded.get(ref)?.PhysicalResourceId;
          const imported = (value as { 'Fn::ImportValue'?: unknown } | null)?.['Fn::ImportValue'];
          if (imported !== undefined) {
            const name = resolveString(imported, known);
            return name === undefined ? undefined : exports.get(name);
          }
          return typeof value === 'string' ? value : undefined;
        };
        return Promise.all(
          Object.entries(plan.template.doc.Resources)
            .filter(([, r]) => !(r.Condition && conditions.get(r.Condition) === false))
            .map(async ([logicalId, resource]): Promise<PresenceRow> => {
              const row = { stack: plan.stackName, logicalId, type: resource.Type };
              const reason = NOT_EMULATED[resource.Type];
              if (reason !== undefined) return { ...row, presence: 'not emulated', detail: reason };
              const check = EMULATED[resource.Type];
              if (!check) return { ...row, presence: 'not emulated', detail: 'type is in neither list of src/dev/emulation.ts' };
              const physicalId = recorded.get(logicalId)?.PhysicalResourceId;
              if (!physicalId) return { ...row, presence: 'missing', detail: 'the emulator did not create it' };
              try {
                await check({ clients, physicalId, properties: resource.Properties ?? {}, physicalIdOf });
                return { ...row, physicalId, presence: 'present' };
              } catch (error) {
                return { ...row, physicalId, presence: 'missing', detail: (error as Error).name || (error as Error).message };
              }
            }),
        );
      }),
    );
    return perStack.flat();
  } finally {
    cfn.destroy();
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** Every export of the account and region, by name: the values other stacks import. */
async function exportValues(cfn: CloudFormationClient): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for await (const page of paginateListExports({ client: cfn }, {})) {
    for (const e of page.Exports ?? []) if (e.Name && e.Value !== undefined) values.set(e.Name, e.Value);
  }
  return values;
}

async function stackResources(cfn: CloudFormationClient, stack: string): Promise<Map<string, StackResourceSummary>> {
  const found = new Map<string, StackResourceSummary>();
  try {
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack })) {
      for (const r of page.StackResourceSummaries ?? []) if (r.LogicalResourceId) found.set(r.LogicalResourceId, r);
    }
  } catch (error) {
    // A stack skipped because its dependency failed was never created: its resources are all missing.
    if (!/does not exist/.test((error as Error).message)) throw error;
  }
  return found;
}
