import { join } from 'node:path';
import {
  CreateAddonCommand,
  CreateClusterCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeClusterVersionsCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListAddonsCommand,
  UpdateAddonCommand,
  UpdateClusterConfigCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { describeNodeGroup, seedCluster, stagingNodeGroups } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * The emulator's EKS additions (tools/emulator/eks_upgrades.py, eks_cluster_versions.py): the
 * recorded catalogue (versions, support dates, add-on compatibilities), add-ons, and the version
 * updates an upgrade makes, each checked through the EKS API with the AWS SDK.
 */
describe('the emulator\'s EKS catalogue, add-ons and version updates', () => {
  const { target } = useEmulator({ env: { BIOMAGE_EKS_CATALOGUE: join(repoRoot, 'test', 'fixtures', 'eks-catalogue', 'standard-support-ending.json') } });
  const eks = () => awsClient(EKSClient, target());

  it('DescribeClusterVersions answers from the catalogue the env var names: versions, status and support dates', async () => {
    const client = eks();
    const { clusterVersions = [] } = await client.send(new DescribeClusterVersionsCommand({}));
    expect(clusterVersions.map((v) => [v.clusterVersion, v.status, v.defaultVersion, v.endOfStandardSupportDate?.toISOString().slice(0, 10)])).toEqual([
      ['1.34', 'EXTENDED_SUPPORT', false, '2026-12-02'],
      ['1.35', 'STANDARD_SUPPORT', false, '2027-01-20'],
      ['1.36', 'STANDARD_SUPPORT', true, '2027-07-20'],
    ]);
    const one = await client.send(new DescribeClusterVersionsCommand({ clusterVersions: ['1.35'] }));
    expect(one.clusterVersions?.map((v) => v.clusterVersion)).toEqual(['1.35']);
    client.destroy();
  });

  it('DescribeAddonVersions filters by add-on and Kubernetes version, with each version\'s compatibilities', async () => {
    const client = eks();
    const { addons = [] } = await client.send(new DescribeAddonVersionsCommand({ addonName: 'kube-proxy', kubernetesVersion: '1.36' }));
    expect(addons.map((a) => [a.addonName, a.addonVersions?.map((v) => [v.addonVersion, v.compatibilities?.map((c) => c.clusterVersion)])])).toEqual([
      ['kube-proxy', [['v1.36.0-eksbuild.14', ['1.36']]]],
    ]);
    client.destroy();
  });

  it('add-ons: created at a compatible version, listed, described, updated (awaitable through DescribeUpdate); an incompatible version is refused', async () => {
    const at = { ...target(), region: 'eu-west-2' };
    await seedCluster(at, { version: '1.35', nodeGroups: [] });
    const client = awsClient(EKSClient, at);
    await client.send(new CreateAddonCommand({ clusterName: 'biomage-staging', addonName: 'kube-proxy', addonVersion: 'v1.35.2-eksbuild.4' }));
    await client.send(new CreateAddonCommand({ clusterName: 'biomage-staging', addonName: 'coredns' }));
    expect((await client.send(new ListAddonsCommand({ clusterName: 'biomage-staging' }))).addons).toEqual(['coredns', 'kube-proxy']);
    // No version given: the catalogue's default for the cluster's version.
    expect((await client.send(new DescribeAddonCommand({ clusterName: 'biomage-staging', addonName: 'coredns' }))).addon?.addonVersion).toBe('v1.13.2-eksbuild.1');
    await expect(
      client.send(new UpdateAddonCommand({ clusterName: 'biomage-staging', addonName: 'kube-proxy', addonVersion: 'v1.36.0-eksbuild.14' })),
    ).rejects.toThrow('Addon version v1.36.0-eksbuild.14 of kube-proxy is not compatible with Kubernetes 1.35');
    const { update } = await client.send(new UpdateAddonCommand({ clusterName: 'biomage-staging', addonName: 'coredns', addonVersion: 'v1.14.3-eksbuild.3' }));
    const described = await client.send(new DescribeUpdateCommand({ name: 'biomage-staging', updateId: update!.id!, addonName: 'coredns' }));
    expect(described.update?.status).toBe('Successful');
    const { addon } = await client.send(new DescribeAddonCommand({ clusterName: 'biomage-staging', addonName: 'coredns' }));
    expect([addon?.addonVersion, addon?.status]).toEqual(['v1.14.3-eksbuild.3', 'ACTIVE']);
    client.destroy();
  });

  it('the upgrade policy: EXTENDED unless CreateCluster names one (as EKS), changed by UpdateClusterConfig and answered as an update', async () => {
    const at = { ...target(), region: 'eu-central-1' };
    const client = awsClient(EKSClient, at);
    await client.send(new CreateClusterCommand({ name: 'plain', roleArn: 'arn:aws:iam::123456789012:role/r', resourcesVpcConfig: { subnetIds: [] } }));
    expect((await client.send(new DescribeClusterCommand({ name: 'plain' }))).cluster?.upgradePolicy).toEqual({ supportType: 'EXTENDED' });
    const { update } = await client.send(new UpdateClusterConfigCommand({ name: 'plain', upgradePolicy: { supportType: 'STANDARD' } }));
    expect([update?.type, update?.status]).toEqual(['UpgradePolicyUpdate', 'Successful']);
    expect((await client.send(new DescribeClusterCommand({ name: 'plain' }))).cluster?.upgradePolicy).toEqual({ supportType: 'STANDARD' });
    client.destroy();
  });

  it('the control plane moves one minor version at a time; node groups follow it, never ahead', async () => {
    const at = { ...target(), region: 'eu-west-3' };
    await seedCluster(at, { version: '1.34', nodeGroups: [stagingNodeGroups()[0]!] });
    // A node group created without a version runs the cluster's.
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).version).toBe('1.34');
    const client = awsClient(EKSClient, at);
    await expect(client.send(new UpdateClusterVersionCommand({ name: 'biomage-staging', version: '1.36' }))).rejects.toThrow(
      'Unsupported Kubernetes minor version update from 1.34 to 1.36',
    );
    await expect(client.send(new UpdateNodegroupVersionCommand({ clusterName: 'biomage-staging', nodegroupName: 'general-1', version: '1.35' }))).rejects.toThrow(
      "Requested Kubernetes version 1.35 is newer than the cluster's 1.34",
    );
    await client.send(new UpdateClusterVersionCommand({ name: 'biomage-staging', version: '1.35' }));
    expect((await client.send(new DescribeClusterCommand({ name: 'biomage-staging' }))).cluster?.version).toBe('1.35');
    await client.send(new UpdateNodegroupVersionCommand({ clusterName: 'biomage-staging', nodegroupName: 'general-1' }));
    expect((await describeNodeGroup(at, 'biomage-staging', 'general-1')).version).toBe('1.35');
    client.destroy();
  });
});
