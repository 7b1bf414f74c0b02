import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAddonCommand,
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  EKSClient,
  UpdateClusterConfigCommand,
  type Nodegroup,
  type Taint,
} from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, IAMClient } from '@aws-sdk/client-iam';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';

export const PRIVATE_SUBNETS = ['subnet-0a0000000000000a1', 'subnet-0a0000000000000a2', 'subnet-0a0000000000000a3'];
export const PUBLIC_SUBNETS = ['subnet-0b0000000000000b1', 'subnet-0b0000000000000b2', 'subnet-0b0000000000000b3'];

export interface SeedNodeGroup {
  name: string;
  instanceTypes: string[];
  amiType?: string;
  /** Kept in a launch template, as eksctl does. */
  diskSize: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  capacityType?: string;
  subnets?: string[];
  scaling: { minSize: number; desiredSize: number; maxSize: number };
  /** The Kubernetes version its nodes run; default the cluster's, as EKS does. */
  version?: string;
  /** The rolling update's width EKS keeps for it. */
  updateConfig?: { maxUnavailable?: number; maxUnavailablePercentage?: number };
}

/** staging's node groups exactly as eksctl creates them from infra/cluster.yaml and cluster-environments.yaml. */
export function stagingNodeGroups(cluster = 'biomage-staging'): SeedNodeGroup[] {
  const eksctlLabels = (name: string) => ({ 'alpha.eksctl.io/cluster-name': cluster, 'alpha.eksctl.io/nodegroup-name': name });
  return [
    {
      name: 'general-1',
      instanceTypes: ['m6i.large'],
      diskSize: 50,
      labels: { 'biomage.net/pool': 'general', ...eksctlLabels('general-1') },
      scaling: { minSize: 1, desiredSize: 2, maxSize: 3 },
    },
    {
      name: 'worker-1',
      instanceTypes: ['r6i.xlarge'],
      diskSize: 100,
      labels: { 'biomage.net/pool': 'worker', ...eksctlLabels('worker-1') },
      taints: [{ key: 'biomage.net/pool', value: 'worker', effect: 'NO_SCHEDULE' }],
      scaling: { minSize: 1, desiredSize: 1, maxSize: 4 },
    },
  ];
}

export interface SeedOptions {
  name?: string;
  version?: string;
  nodeGroups?: SeedNodeGroup[];
  /** Register the cluster's IAM OIDC provider (what associate-iam-oidc-provider does). */
  oidcProvider?: boolean;
  /** Turn on every control-plane log type (infra/cluster.yaml's setting). */
  logging?: boolean;
  /** Make eksctl's stacks: the cluster stack (with its subnets) and these IRSA service accounts. */
  iamServiceAccounts?: string[];
  /** accessConfig.authenticationMode (EKS's API default, CONFIG_MAP, when unset); the creator's admin entry is not bootstrapped. */
  authenticationMode?: 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';
  /** The upgrade policy; default STANDARD, as deploy-infra leaves it (infra/cluster.yaml). */
  supportType?: 'STANDARD' | 'EXTENDED';
  /** EKS add-ons to install (CreateAddon), each at a version the emulator's catalogue lists. */
  addons?: { name: string; version: string }[];
}

/**
 * An EKS cluster in the emulator as deploy-infra would leave it: the cluster (with its upgrade
 * policy), its node groups (disk in a launch template), eksctl's cluster stack listing the VPC's subnets, IRSA stacks, the OIDC
 * provider, control-plane logging.
 */
export async function seedCluster(target: AwsTarget, options: SeedOptions = {}): Promise<void> {
  const name = options.name ?? 'biomage-staging';
  const eks = awsClient(EKSClient, target);
  const ec2 = awsClient(EC2Client, target);
  const cfn = awsClient(CloudFormationClient, target);
  const iam = awsClient(IAMClient, target);
  try {
    const { cluster } = await eks.send(
      new CreateClusterCommand({
        name,
        version: options.version ?? '1.36',
        roleArn: `arn:aws:iam::123456789012:role/eksctl-${name}-cluster-ServiceRole`,
        resourcesVpcConfig: { subnetIds: [...PRIVATE_SUBNETS, ...PUBLIC_SUBNETS] },
        ...(options.authenticationMode ? { accessConfig: { authenticationMode: options.authenticationMode, bootstrapClusterCreatorAdminPermissions: false } } : {}),
        upgradePolicy: { supportType: options.supportType ?? 'STANDARD' },
      }),
    );
    if (options.logging !== false) {
      await eks.send(
        new UpdateClusterConfigCommand({
          name,
          logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true }] },
        }),
      );
    }
    if (options.oidcProvider !== false) {
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: cluster!.identity!.oidc!.issuer!, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] }));
    }
    await createStack(cfn, `eksctl-${name}-cluster`, { SubnetsPrivate: PRIVATE_SUBNETS.join(','), SubnetsPublic: PUBLIC_SUBNETS.join(',') });
    for (const sa of options.iamServiceAccounts ?? ['kube-system-aws-load-balancer-controller']) {
      await createStack(cfn, `eksctl-${name}-addon-iamserviceaccount-${sa}`, {});
    }
    for (const group of options.nodeGroups ?? stagingNodeGroups(name)) await addNodeGroup(target, name, group);
    for (const addon of options.addons ?? []) await eks.send(new CreateAddonCommand({ clusterName: name, addonName: addon.name, addonVersion: addon.version }));
  } finally {
    for (const client of [eks, ec2, cfn, iam]) client.destroy();
  }
}

/** A managed node group as eksctl makes one: instance types on the group, the disk in its launch template. */
export async function addNodeGroup(target: AwsTarget, cluster: string, group: SeedNodeGroup): Promise<void> {
  const eks = awsClient(EKSClient, target);
  const ec2 = awsClient(EC2Client, target);
  try {
    const { LaunchTemplate } = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `eksctl-${cluster}-nodegroup-${group.name}`,
        LaunchTemplateData: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: group.diskSize, VolumeType: 'gp3', Encrypted: true } }] },
      }),
    );
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: cluster,
        nodegroupName: group.name,
        nodeRole: `arn:aws:iam::123456789012:role/eksctl-${cluster}-nodegroup-${group.name}-NodeInstanceRole`,
        subnets: group.subnets ?? PRIVATE_SUBNETS,
        instanceTypes: group.instanceTypes,
        amiType: (group.amiType ?? 'AL2023_x86_64_STANDARD') as never,
        capacityType: (group.capacityType ?? 'ON_DEMAND') as never,
        labels: group.labels ?? {},
        taints: group.taints ?? [],
        scalingConfig: group.scaling,
        launchTemplate: { id: LaunchTemplate!.LaunchTemplateId!, version: '1' },
        ...(group.version ? { version: group.version } : {}),
        ...(group.updateConfig ? { updateConfig: group.updateConfig } : {}),
      }),
    );
  } finally {
    eks.destroy();
    ec2.destroy();
  }
}

export async function describeNodeGroup(target: AwsTarget, cluster: string, name: string): Promise<Nodegroup> {
  const eks = awsClient(EKSClient, target);
  try {
    return (await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name }))).nodegroup!;
  } finally {
    eks.destroy();
  }
}

/** An eksctl-named stack with outputs (moto needs a resource; a wait condition handle costs nothing). */
async function createStack(cfn: CloudFormationClient, name: string, outputs: Record<string, string>): Promise<void> {
  const template = {
    Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
  };
  await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template) }));
}
