import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EKSClient, Nodegroup } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, ec2Sdk, eksSdk, iamSdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { OperationError } from '../ui/errors.js';
import { liveAddons } from './eks-versions.js';
import type { ClusterSubnets, LiveNodeGroup, Scaling, Taint } from './guard.js';
import type { LiveAddon } from './upgrade.js';

const { DescribeClusterCommand, DescribeNodegroupCommand, ListNodegroupsCommand, ResourceNotFoundException } = eksSdk();

/** The AWS clients the cluster commands read (and, for node counts, write) with. */
export interface ClusterClients {
  eks: EKSClient;
  ec2: EC2Client;
  cloudFormation: CloudFormationClient;
  iam: IAMClient;
}

export function clusterClients(target: AwsTarget): ClusterClients & { destroy(): void } {
  const clients = {
    eks: awsClient(eksSdk().EKSClient, target),
    ec2: awsClient(ec2Sdk().EC2Client, target),
    cloudFormation: awsClient(cloudFormationSdk().CloudFormationClient, target),
    iam: awsClient(iamSdk().IAMClient, target),
  };
  return { ...clients, destroy: () => Object.values(clients).forEach((c) => c.destroy()) };
}

/** The cluster as EKS describes it; `exists: false` when DescribeCluster finds none. */
export interface LiveCluster {
  name: string;
  exists: boolean;
  status?: string;
  version?: string;
  endpoint?: string;
  certificateAuthority?: string;
  /** The OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/…). */
  oidcIssuer?: string;
  /** The control-plane log types that are on. */
  logging: string[];
  /** The cluster's VPC (the load balancer controller needs it). */
  vpcId?: string;
  /** The upgrade policy: STANDARD or EXTENDED support once the version's standard support ends. */
  supportType?: string;
}

/** Everything deploy-infra and plan compare the config with. */
export interface LiveState {
  cluster: LiveCluster;
  /** Managed node groups, described. */
  nodeGroups: LiveNodeGroup[];
  /** Node groups eksctl made (its stacks) that EKS does not list as managed: unmanaged ones. */
  otherNodeGroups: string[];
  clusterSubnets?: ClusterSubnets;
  /** Whether IAM has the OIDC provider of the cluster's issuer. */
  oidcProviderAssociated: boolean;
  /** The stack names of the IRSA service accounts eksctl made for this cluster. */
  iamServiceAccountStacks: string[];
  /** The add-ons EKS manages on the cluster, with their versions (ListAddons, DescribeAddon). */
  addons?: LiveAddon[];
}

/** eksctl's CloudFormation stack names (pkg/cfn/manager). */
export const eksctlStacks = {
  cluster: (cluster: string) => `eksctl-${cluster}-cluster`,
  nodeGroupPrefix: (cluster: string) => `eksctl-${cluster}-nodegroup-`,
  iamServiceAccount: (cluster: string, namespace: string, name: string) => `eksctl-${cluster}-addon-iamserviceaccount-${namespace}-${name}`,
  iamServiceAccountPrefix: (cluster: string) => `eksctl-${cluster}-addon-iamserviceaccount-`,
};

function failure(what: string, error: unknown): OperationError {
  return new OperationError(`could not ${what}: ${(error as Error).message}`, { cause: error });
}

export async function describeCluster(eks: EKSClient, name: string): Promise<LiveCluster> {
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    const logging = (cluster?.logging?.clusterLogging ?? []).filter((l) => l.enabled).flatMap((l) => l.types ?? []);
    return {
      name,
      exists: true,
      status: cluster?.status,
      version: cluster?.version,
      endpoint: cluster?.endpoint,
      certificateAuthority: cluster?.certificateAuthority?.data,
      oidcIssuer: cluster?.identity?.oidc?.issuer,
      logging: [...new Set(logging)].sort(),
      ...(cluster?.resourcesVpcConfig?.vpcId ? { vpcId: cluster.resourcesVpcConfig.vpcId } : {}),
      ...(cluster?.upgradePolicy?.supportType ? { supportType: cluster.upgradePolicy.supportType } : {}),
    };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return { name, exists: false, logging: [] };
    throw failure(`describe EKS cluster ${name}`, error);
  }
}

/** The full live state of an existing cluster (or just `exists: false`). */
export async function readLiveState(clients: ClusterClients, name: string): Promise<LiveState> {
  const cluster = await describeCluster(clients.eks, name);
  if (!cluster.exists) return { cluster, nodeGroups: [], otherNodeGroups: [], oidcProviderAssociated: false, iamServiceAccountStacks: [], addons: [] };
  const [nodeGroups, stacks, oidcProviderAssociated, addons] = await Promise.all([
    liveNodeGroups(clients, name),
    eksctlStackNames(clients.cloudFormation, name),
    hasOidcProvider(clients.iam, cluster.oidcIssuer),
    liveAddons(clients.eks, name),
  ]);
  const managed = new Set(nodeGroups.map((g) => g.name));
  const prefix = eksctlStacks.nodeGroupPrefix(name);
  return {
    cluster,
    nodeGroups,
    otherNodeGroups: stacks.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length)).filter((n) => !managed.has(n)),
    clusterSubnets: await clusterSubnets(clients.cloudFormation, name),
    oidcProviderAssociated,
    iamServiceAccountStacks: stacks.filter((s) => s.startsWith(eksctlStacks.iamServiceAccountPrefix(name))),
    addons,
  };
}

async function liveNodeGroups(clients: ClusterClients, cluster: string): Promise<LiveNodeGroup[]> {
  const names: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await clients.eks.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken }));
      names.push(...(page.nodegroups ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw failure(`list the node groups of ${cluster}`, error);
  }
  return Promise.all(
    names.sort().map(async (nodegroupName) => {
      try {
        const { nodegroup } = await clients.eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName }));
        return await toLiveNodeGroup(clients.ec2, nodegroup ?? { nodegroupName });
      } catch (error) {
        throw failure(`describe node group ${nodegroupName} of ${cluster}`, error);
      }
    }),
  );
}

async function toLiveNodeGroup(ec2: EC2Client, ng: Nodegroup): Promise<LiveNodeGroup> {
  const template = ng.launchTemplate?.id || ng.launchTemplate?.name ? await launchTemplateData(ec2, ng) : undefined;
  const scaling: Scaling = {
    ...(ng.scalingConfig?.minSize !== undefined ? { minSize: ng.scalingConfig.minSize } : {}),
    ...(ng.scalingConfig?.maxSize !== undefined ? { maxSize: ng.scalingConfig.maxSize } : {}),
    ...(ng.scalingConfig?.desiredSize !== undefined ? { desiredSize: ng.scalingConfig.desiredSize } : {}),
  };
  // With a launch template the disk is the template's (EKS refuses diskSize beside one); the
  // emulator reports its default diskSize regardless, so the template is read first.
  const diskSize = template ? template.diskSize : ng.diskSize;
  return {
    name: ng.nodegroupName ?? '',
    status: ng.status ?? 'UNKNOWN',
    // A node group whose launch template names the instance type reports none itself.
    instanceTypes: ng.instanceTypes?.length ? ng.instanceTypes : template?.instanceType ? [template.instanceType] : [],
    ...(ng.amiType ? { amiType: ng.amiType } : {}),
    ...(diskSize !== undefined ? { diskSize } : {}),
    labels: { ...(ng.labels ?? {}) },
    taints: (ng.taints ?? []).map((t): Taint => ({ key: t.key ?? '', ...(t.value ? { value: t.value } : {}), effect: t.effect ?? '' })),
    ...(ng.capacityType ? { capacityType: ng.capacityType } : {}),
    subnets: ng.subnets ?? [],
    scaling,
    ...(ng.version ? { version: ng.version } : {}),
    ...(ng.updateConfig && (ng.updateConfig.maxUnavailable !== undefined || ng.updateConfig.maxUnavailablePercentage !== undefined)
      ? {
          updateConfig: {
            ...(ng.updateConfig.maxUnavailable !== undefined ? { maxUnavailable: ng.updateConfig.maxUnavailable } : {}),
            ...(ng.updateConfig.maxUnavailablePercentage !== undefined ? { maxUnavailablePercentage: ng.updateConfig.maxUnavailablePercentage } : {}),
          },
        }
      : {}),
  };
}

/**
 * The disk size and instance type a node group's launch template sets. eksctl's managed node
 * groups keep both there (DescribeNodegroup then reports no diskSize): the root volume, or for
 * Bottlerocket the data volume (/dev/xvdb).
 */
async function launchTemplateData(ec2: EC2Client, ng: Nodegroup): Promise<{ diskSize?: number; instanceType?: string } | undefined> {
  const { DescribeLaunchTemplateVersionsCommand } = ec2Sdk();
  try {
    const out = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        ...(ng.launchTemplate?.id ? { LaunchTemplateId: ng.launchTemplate.id } : { LaunchTemplateName: ng.launchTemplate?.name }),
        Versions: [ng.launchTemplate?.version ?? '$Default'],
      }),
    );
    const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    const volumes = (data?.BlockDeviceMappings ?? []).filter((m) => m.Ebs?.VolumeSize !== undefined);
    const bottlerocket = ng.amiType?.startsWith('BOTTLEROCKET');
    const volume = (bottlerocket ? volumes.find((m) => m.DeviceName === '/dev/xvdb') : undefined) ?? volumes[0];
    return { ...(volume?.Ebs?.VolumeSize !== undefined ? { diskSize: volume.Ebs.VolumeSize } : {}), ...(data?.InstanceType ? { instanceType: data.InstanceType } : {}) };
  } catch {
    // Not readable (deleted, or no ec2:DescribeLaunchTemplateVersions): the disk is then reported as not compared.
    return undefined;
  }
}

/** The names of the live stacks eksctl made for this cluster (its node groups, IRSA service accounts). */
async function eksctlStackNames(cfn: CloudFormationClient, cluster: string): Promise<string[]> {
  const { ListStacksCommand } = cloudFormationSdk();
  const live = ['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE', 'DELETE_FAILED', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'] as const;
  const names: string[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await cfn.send(new ListStacksCommand({ NextToken, StackStatusFilter: [...live] }));
      for (const s of page.StackSummaries ?? []) if (s.StackName?.startsWith(`eksctl-${cluster}-`)) names.push(s.StackName);
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    throw failure(`list the CloudFormation stacks eksctl made for ${cluster}`, error);
  }
  return names.sort();
}

/** The cluster VPC's private and public subnets, from the outputs of eksctl's cluster stack. */
async function clusterSubnets(cfn: CloudFormationClient, cluster: string): Promise<ClusterSubnets | undefined> {
  const { DescribeStacksCommand } = cloudFormationSdk();
  try {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: eksctlStacks.cluster(cluster) }));
    const outputs = new Map((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue ?? '']));
    const list = (key: string) => (outputs.get(key) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!outputs.has('SubnetsPrivate') && !outputs.has('SubnetsPublic')) return undefined;
    return { private: list('SubnetsPrivate'), public: list('SubnetsPublic') };
  } catch (error) {
    // No such stack: a cluster eksctl did not create, whose subnets are then not compared.
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw failure(`read eksctl's cluster stack of ${cluster}`, error);
  }
}

/** Whether IAM has an OIDC provider for the cluster's issuer (what associate-iam-oidc-provider creates). */
async function hasOidcProvider(iam: IAMClient, issuer: string | undefined): Promise<boolean> {
  if (!issuer) return false;
  const { ListOpenIDConnectProvidersCommand } = iamSdk();
  const host = issuer.replace(/^https:\/\//, '');
  try {
    const { OpenIDConnectProviderList = [] } = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    return OpenIDConnectProviderList.some((p) => (p.Arn ?? '').endsWith(`:oidc-provider/${host}`));
  } catch (error) {
    throw failure('list the IAM OIDC providers', error);
  }
}

/**
 * Set a node group's node counts in place, as `eksctl scale nodegroup` does for managed groups
 * (EKS UpdateNodegroupConfig), then wait until EKS reports it ACTIVE again.
 */
export async function scaleNodeGroup(eks: EKSClient, cluster: string, name: string, scaling: Scaling, waitSeconds = 1800): Promise<void> {
  const { UpdateNodegroupConfigCommand, waitUntilNodegroupActive } = eksSdk();
  try {
    await eks.send(new UpdateNodegroupConfigCommand({ clusterName: cluster, nodegroupName: name, scalingConfig: scaling }));
    await waitUntilNodegroupActive({ client: eks, maxWaitTime: waitSeconds, minDelay: 5 }, { clusterName: cluster, nodegroupName: name });
  } catch (error) {
    throw new OperationError(`could not set the node counts of node group ${name}: ${(error as Error).message}`, {
      where: `EKS node group ${cluster}/${name}`,
      hint: 'check the node group in the EKS console (an update may still be running), then run deploy-infra again',
      cause: error,
    });
  }
}
