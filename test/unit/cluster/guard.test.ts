import { describe, expect, it } from 'vitest';
import {
  amiTypeFor,
  compareNodeGroup,
  compareNodeGroups,
  desiredNodeGroups,
  guardViolations,
  type DesiredNodeGroup,
  type LiveNodeGroup,
} from '../../../src/cluster/guard.js';

const SUBNETS = { private: ['subnet-0a1', 'subnet-0a2'], public: ['subnet-0b1'] };

/** A rendered ClusterConfig with one managed node group. */
const config = (group: Record<string, unknown>) => ({
  apiVersion: 'eksctl.io/v1alpha5',
  kind: 'ClusterConfig',
  metadata: { name: 'biomage-staging', region: 'eu-west-1', version: '1.36' },
  managedNodeGroups: [{ name: 'worker-1', instanceType: 'r6i.xlarge', minSize: 1, desiredCapacity: 1, maxSize: 4, privateNetworking: true, ...group }],
});

const desired = (group: Record<string, unknown> = {}): DesiredNodeGroup => desiredNodeGroups(config(group))[0]!;

/** The live node group eksctl makes from `desired()`. */
const live = (changes: Partial<LiveNodeGroup> = {}): LiveNodeGroup => ({
  name: 'worker-1',
  status: 'ACTIVE',
  instanceTypes: ['r6i.xlarge'],
  amiType: 'AL2023_x86_64_STANDARD',
  diskSize: 80,
  labels: { 'alpha.eksctl.io/cluster-name': 'biomage-staging', 'alpha.eksctl.io/nodegroup-name': 'worker-1' },
  taints: [],
  capacityType: 'ON_DEMAND',
  subnets: ['subnet-0a2', 'subnet-0a1'],
  scaling: { minSize: 1, desiredSize: 1, maxSize: 4 },
  ...changes,
});

describe('desiredNodeGroups: the config in EKS terms, with eksctl\'s defaults', () => {
  it('applies eksctl\'s defaults: its two labels, an 80 GiB disk, AL2023, on-demand, the private subnets', () => {
    expect(desired()).toEqual({
      name: 'worker-1',
      instanceTypes: ['r6i.xlarge'],
      amiType: 'AL2023_x86_64_STANDARD',
      diskSize: 80,
      labels: { 'alpha.eksctl.io/cluster-name': 'biomage-staging', 'alpha.eksctl.io/nodegroup-name': 'worker-1' },
      taints: [],
      capacityType: 'ON_DEMAND',
      subnets: { kind: 'topology', private: true },
      scaling: { minSize: 1, desiredSize: 1, maxSize: 4 },
    });
  });

  it('maps taint effects, spot, instanceTypes lists, explicit subnet ids and launch templates', () => {
    const group = desired({
      instanceType: undefined,
      instanceTypes: ['m7g.large', 'm6g.large'],
      spot: true,
      taints: [{ key: 'dedicated', value: 'worker', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }],
      subnets: ['subnet-0abc', 'subnet-0def'],
      launchTemplate: { id: 'lt-1' },
    });
    expect(group).toMatchObject({
      instanceTypes: ['m7g.large', 'm6g.large'],
      amiType: 'AL2023_ARM_64_STANDARD',
      capacityType: 'SPOT',
      taints: [
        { key: 'dedicated', value: 'worker', effect: 'NO_SCHEDULE' },
        { key: 'gpu', effect: 'NO_EXECUTE' },
      ],
      subnets: { kind: 'ids', ids: ['subnet-0abc', 'subnet-0def'] },
    });
    expect(group.diskSize).toBeUndefined();
  });

  it('does not guess what it cannot tell: accelerated AMI types, subnets by zone', () => {
    expect(desired({ instanceType: 'g5.xlarge' })).toMatchObject({ amiTypeReason: 'g5.xlarge is an accelerated instance type, whose AMI type is not predicted' });
    expect(desired({ availabilityZones: ['eu-west-1a'] }).subnets).toEqual({ kind: 'unknown', reason: 'availabilityZones narrows the subnets by zone, which is not compared' });
    expect(desired({ ami: 'ami-123' }).amiType).toBe('CUSTOM');
  });
});

describe('amiTypeFor', () => {
  it.each([
    ['AmazonLinux2023', 'm6i.large', 'AL2023_x86_64_STANDARD'],
    ['AmazonLinux2023', 'r8gd.xlarge', 'AL2023_ARM_64_STANDARD'],
    ['AmazonLinux2023', 'c7gn.large', 'AL2023_ARM_64_STANDARD'],
    ['AmazonLinux2023', 't4g.small', 'AL2023_ARM_64_STANDARD'],
    ['AmazonLinux2', 'm5.large', 'AL2_x86_64'],
    ['Bottlerocket', 'm7g.large', 'BOTTLEROCKET_ARM_64'],
    ['Bottlerocket', 'x2iedn.xlarge', 'BOTTLEROCKET_x86_64'],
  ])('%s on %s is %s', (family, instance, amiType) => {
    expect(amiTypeFor(family, instance)).toEqual({ amiType });
  });

  it('leaves out accelerated instances and unknown families', () => {
    expect(amiTypeFor('AmazonLinux2023', 'p5.48xlarge').amiType).toBeUndefined();
    expect(amiTypeFor('AmazonLinux2023', 'inf2.xlarge').amiType).toBeUndefined();
    expect(amiTypeFor('Ubuntu2204', 'm6i.large')).toEqual({ reason: 'the AMI type of amiFamily Ubuntu2204 is not predicted' });
  });
});

describe('compareNodeGroup: the guard', () => {
  it('an identical node group is unchanged (subnets compared as a set)', () => {
    expect(compareNodeGroup(desired(), live(), SUBNETS)).toEqual({ name: 'worker-1', state: 'unchanged', changes: [], notCompared: [] });
  });

  it('a pure scaling change is allowed and planned in place', () => {
    const result = compareNodeGroup(desired({ desiredCapacity: 3, maxSize: 6 }), live(), SUBNETS);
    expect(result.state).toBe('scaling');
    expect(result.changes).toEqual([]);
    expect(result.scaling).toEqual({ from: { minSize: 1, desiredSize: 1, maxSize: 4 }, to: { minSize: 1, desiredSize: 3, maxSize: 6 } });
  });

  it('every immutable property that differs is named, live against config', () => {
    const result = compareNodeGroup(
      desired({ instanceType: 'r6i.2xlarge', volumeSize: 100, labels: { pool: 'worker' }, taints: [{ key: 'pool', value: 'worker', effect: 'NoSchedule' }], spot: true }),
      live({ amiType: 'AL2_x86_64', subnets: ['subnet-0b1'] }),
      SUBNETS,
    );
    expect(result.state).toBe('changed');
    expect(result.changes).toEqual([
      { property: 'instanceTypes', live: 'r6i.xlarge', desired: 'r6i.2xlarge' },
      { property: 'amiType', live: 'AL2_x86_64', desired: 'AL2023_x86_64_STANDARD' },
      { property: 'diskSize', live: '80 GiB', desired: '100 GiB' },
      {
        property: 'labels',
        live: 'alpha.eksctl.io/cluster-name=biomage-staging, alpha.eksctl.io/nodegroup-name=worker-1',
        desired: 'alpha.eksctl.io/cluster-name=biomage-staging, alpha.eksctl.io/nodegroup-name=worker-1, pool=worker',
      },
      { property: 'taints', live: '(none)', desired: 'pool=worker:NoSchedule' },
      { property: 'capacityType', live: 'ON_DEMAND', desired: 'SPOT' },
      { property: 'subnets', live: 'subnet-0b1', desired: 'subnet-0a1, subnet-0a2' },
    ]);
  });

  it('a change together with a scaling change is still a change (the guard stops it)', () => {
    const result = compareNodeGroup(desired({ instanceType: 'r6i.2xlarge', desiredCapacity: 2 }), live(), SUBNETS);
    expect(result.state).toBe('changed');
    expect(guardViolations([result])).toEqual([result]);
  });

  it('says what it could not compare, and why', () => {
    const result = compareNodeGroup(desired({ instanceType: 'g5.xlarge', launchTemplate: { id: 'lt-1' } }), live({ instanceTypes: ['g5.xlarge'] }), undefined);
    expect(result.notCompared).toEqual([
      { property: 'amiType', reason: 'g5.xlarge is an accelerated instance type, whose AMI type is not predicted' },
      { property: 'diskSize', reason: "a launch template of the config's own sets the disk" },
      { property: 'subnets', reason: 'the cluster has no eksctl cluster stack listing its subnets' },
    ]);
    expect(compareNodeGroup(desired(), live({ diskSize: undefined }), SUBNETS).notCompared).toEqual([
      { property: 'diskSize', reason: 'EKS reports no disk size and the launch template could not be read' },
    ]);
  });

  it('taints compare regardless of order; an empty value equals no value', () => {
    const group = desired({ taints: [{ key: 'b', effect: 'NoSchedule' }, { key: 'a', value: 'x', effect: 'NoExecute' }] });
    const result = compareNodeGroup(group, live({ taints: [{ key: 'a', value: 'x', effect: 'NO_EXECUTE' }, { key: 'b', value: '', effect: 'NO_SCHEDULE' }] }), SUBNETS);
    expect(result.state).toBe('unchanged');
  });
});

describe('compareNodeGroups', () => {
  it('names new, removed (managed or eksctl-made unmanaged) and compared groups', () => {
    const groups = [desired(), { ...desired(), name: 'general-2' }];
    const result = compareNodeGroups(groups, [live(), live({ name: 'general-1' })], SUBNETS, ['legacy-ng']);
    expect(result.map((r) => [r.name, r.state])).toEqual([
      ['worker-1', 'unchanged'],
      ['general-2', 'new'],
      ['general-1', 'removed'],
      ['legacy-ng', 'removed'],
    ]);
  });
});
