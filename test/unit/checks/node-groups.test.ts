import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.js';
import { nodeGroupRules } from '../../../src/checks/rules/node-groups.js';
import { checkContext } from '../../helpers/check-repo-k8s.js';

const config = (groups: string) => `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
${groups}`;

const BASE = config(`managedNodeGroups:
  - name: ng-1
    instanceType: m5.large
    desiredCapacity: 2
    minSize: 1
    maxSize: 4
    labels:
      role: worker
nodeGroups:
  - name: system
    instanceType: t3.medium
`);

const run = async (current: string, base: string | null = BASE) =>
  (await nodeGroupRules.check(
    checkContext({ 'infra/cluster.yaml': current }, { base: base === null ? {} : { 'infra/cluster.yaml': base }, baseName: 'origin/main' }),
  )) as Finding[];

describe('node-group-immutable', () => {
  it('allows changing only the size, and adding or removing node groups', async () => {
    const resized = BASE.replace('desiredCapacity: 2', 'desiredCapacity: 3').replace('maxSize: 4', 'maxSize: 8');
    expect(await run(resized)).toEqual([]);
    const renamed = BASE.replace('name: ng-1', 'name: ng-2').replace('m5.large', 'm5.xlarge');
    expect(await run(renamed)).toEqual([]);
  });

  it('reports a changed node group at its name, listing what changed, with a new name to use', async () => {
    const changed = BASE.replace('m5.large', 'm5.xlarge').replace('role: worker', 'role: batch').replace('minSize: 1', 'minSize: 0');
    expect(await run(changed)).toEqual([
      {
        file: 'infra/cluster.yaml',
        line: 4,
        rule: 'node-group-immutable',
        message: 'node group ng-1 keeps its name but changes instanceType, labels since origin/main; eksctl does not change an existing node group, so rename it',
        fix: 'give it a new name (ng-2, for example): eksctl creates the new group, and the old one is drained and deleted',
      },
    ]);
  });

  it('counts added and removed properties, and a move between managed and unmanaged', async () => {
    const moved = config(`managedNodeGroups:
  - name: ng-1
    instanceType: m5.large
    desiredCapacity: 2
    minSize: 1
    maxSize: 4
    labels:
      role: worker
  - name: system
    instanceType: t3.medium
    volumeSize: 50
`);
    expect((await run(moved)).map((f) => `${f.line} ${f.message}`)).toEqual([
      '11 node group system keeps its name but changes nodeGroups → managedNodeGroups, volumeSize since origin/main; eksctl does not change an existing node group, so rename it',
    ]);
  });

  it('compares nothing when the file is new at the base', async () => {
    expect(await run(BASE.replace('m5.large', 'm5.xlarge'), null)).toEqual([]);
  });
});

describe('node-group-duplicate', () => {
  it('reports the second node group with a name, across both lists', async () => {
    const twice = config(`managedNodeGroups:
  - name: ng-1
    instanceType: m5.large
nodeGroups:
  - name: ng-1
    instanceType: m5.large
`);
    expect(await run(twice, null)).toEqual([
      {
        file: 'infra/cluster.yaml',
        line: 7,
        rule: 'node-group-duplicate',
        message: 'node group ng-1 is defined twice (managedNodeGroups[0] on line 4, and nodeGroups[0])',
      },
    ]);
  });
});
