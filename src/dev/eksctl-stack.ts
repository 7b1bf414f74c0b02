import type { Cluster, EKSClient } from '@aws-sdk/client-eks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, eksSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { planHash, type StackPlan } from '../cf/plan.js';
import { deploySingleStack, plannedStackAction, readStack, stackOutput } from '../cf/single-stack.js';
import type { StackAction } from '../cf/stack-deployer.js';
import type { CfnTemplate, Template } from '../cf/template.js';
import { parseCfnYaml } from '../yaml/cfn.js';
import { eksctlStacks } from '../cluster/live.js';
import type { Context } from '../context.js';
import { installRoot } from '../paths.js';
import { OperationError } from '../ui/errors.js';
import { outputFor } from '../ui/output.js';

const { DescribeClusterCommand, UpdateClusterConfigCommand } = eksSdk();

/**
 * The twin's stand-in for the stack eksctl creates with a cluster: its VPC, subnets and security
 * groups, and every output and export of eksctl's (the template says which, from eksctl's source).
 * Twin data, read at run time like tools/emulator/launch.py; not a cf/ template.
 */
export const EKSCTL_STACK_TEMPLATE = 'tools/emulator/eksctl-cluster-stack.yaml';

/** What the twin's eksctl cluster stack gives the development cluster, from the stack's outputs. */
export interface ClusterNetwork {
  stack: string;
  /** What this run did with the stack. */
  action: StackAction;
  vpcId: string;
  privateSubnets: string[];
  publicSubnets: string[];
  /** The control plane's security group (output SecurityGroup). */
  securityGroup: string;
  /** The security group EKS makes for a cluster (output ClusterSecurityGroupId). */
  clusterSecurityGroupId: string;
  sharedNodeSecurityGroup: string;
  /** True when this run attached the subnets and security group to the cluster's EKS record. */
  attached: boolean;
}

/** The template, parsed; it ships with biomage (tools/emulator/), so `root` is the installation's. */
export function loadEksctlStackTemplate(root = installRoot): Template {
  const body = readFileSync(join(root, EKSCTL_STACK_TEMPLATE), 'utf8');
  return { file: EKSCTL_STACK_TEMPLATE, name: 'eksctl-cluster', body, doc: parseCfnYaml(body).value as CfnTemplate, irsa: false };
}

/** The deployer's plan: the cluster's own EKS attributes are its parameters, so the hash follows them. */
export function eksctlStackPlan(template: Template, name: string, cluster: Cluster): StackPlan {
  const parameters: StackPlan['parameters'] = [
    { ParameterKey: 'ClusterName', ParameterValue: name },
    { ParameterKey: 'ClusterArn', ParameterValue: cluster.arn ?? '' },
    { ParameterKey: 'ClusterEndpoint', ParameterValue: cluster.endpoint ?? '' },
    { ParameterKey: 'ClusterCertificateAuthorityData', ParameterValue: cluster.certificateAuthority?.data ?? '' },
  ];
  return { template, stackName: eksctlStacks.cluster(name), parameters, hash: planHash(template.body, parameters), exports: [], imports: [], dependsOn: [] };
}

/** Progress nowhere: for callers (tests, the platform deploy) that set the twin up without a command's output. */
const QUIET = {
  out: outputFor({ json: false, verbose: false, color: false }, { stdout: { write: () => true }, stderr: { write: () => true }, stdin: {}, env: {} }),
};

/**
 * The stack eksctl would have made with the cluster `name`, in the twin: deployed with the
 * cluster's EKS attributes (its record exists already), then the record given the stack's subnets
 * and control-plane security group, as eksctl's ControlPlane has them. Unchanged, it only reads
 * the stack. `ctx` shows the deploy's progress.
 */
export async function twinClusterStack(
  target: AwsTarget,
  eks: EKSClient,
  name: string,
  record: Cluster,
  ctx: Pick<Context, 'out'> = QUIET,
): Promise<{ network: ClusterNetwork; plan: StackPlan }> {
  const plan = eksctlStackPlan(loadEksctlStackTemplate(), name, record);
  const cfn = awsClient(cloudFormationSdk().CloudFormationClient, target);
  try {
    const existing = await readStack(cfn, plan.stackName);
    const action =
      plannedStackAction(plan, existing) === 'unchanged'
        ? 'unchanged'
        : (await deploySingleStack(ctx, cfn, plan, existing, { env: 'development', local: target.local, rerun: 'dev up' })).action;
    const stack = action === 'unchanged' ? existing : await readStack(cfn, plan.stackName);
    const output = (key: string) => stackOutput(stack, key) ?? '';
    const network = {
      stack: plan.stackName,
      action,
      vpcId: output('VPC'),
      privateSubnets: output('SubnetsPrivate').split(','),
      publicSubnets: output('SubnetsPublic').split(','),
      securityGroup: output('SecurityGroup'),
      clusterSecurityGroupId: output('ClusterSecurityGroupId'),
      sharedNodeSecurityGroup: output('SharedNodeSecurityGroup'),
    };

    // eksctl gives the control plane the public subnets, then the private ones (ControlPlaneSubnetRefs).
    const subnetIds = [...network.publicSubnets, ...network.privateSubnets];
    const vpcConfig = record.resourcesVpcConfig;
    const attached = !sameMembers(vpcConfig?.subnetIds, subnetIds) || !sameMembers(vpcConfig?.securityGroupIds, [network.securityGroup]);
    let cluster = record;
    if (attached) {
      await eks.send(new UpdateClusterConfigCommand({ name, resourcesVpcConfig: { subnetIds, securityGroupIds: [network.securityGroup] } }));
      cluster = (await eks.send(new DescribeClusterCommand({ name }))).cluster ?? {};
    }
    assertClusterInVpc(name, cluster, network);
    return { network: { ...network, attached }, plan };
  } finally {
    cfn.destroy();
  }
}

/** EKS reports the VPC of the cluster's subnets: it must be the stack's, or importers and the cluster disagree. */
export function assertClusterInVpc(name: string, cluster: Cluster, network: Pick<ClusterNetwork, 'stack' | 'vpcId'>): void {
  const reported = cluster.resourcesVpcConfig?.vpcId;
  if (reported === network.vpcId) return;
  throw new OperationError(`the twin's EKS cluster ${name} reports VPC ${reported ?? '(none)'}, not ${network.vpcId} of its stack ${network.stack}`, {
    where: `EKS cluster ${name}`,
    hint: 'an emulator started by an older biomage, or subnets removed by hand: restart the twin with `biomage dev down`, then `make dev`',
  });
}

function sameMembers(actual: string[] | undefined, wanted: string[]): boolean {
  const have = new Set(actual ?? []);
  return have.size === wanted.length && wanted.every((id) => have.has(id));
}
