import { describe, expect, it } from 'vitest';
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
  ));

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

describe('node-group-immutable with infra/cluster-environments.yaml', () => {
  const CLUSTER = config(`managedNodeGroups:
  - name: worker-1
    volumeSize: 100
`);
  const VALUES = `staging:
  managedNodeGroups:
    worker-1:
      instanceType: r6i.xlarge
      desiredCapacity: 1
production:
  managedNodeGroups:
    worker-1:
      instanceType: r6i.2xlarge
      desiredCapacity: 2
`;
  const runWith = async (cluster: string, values: string, base: { cluster?: string; values?: string } = {}) =>
    (await nodeGroupRules.check(
      checkContext(
        { 'infra/cluster.yaml': cluster, 'infra/cluster-environments.yaml': values },
        { base: { 'infra/cluster.yaml': base.cluster ?? CLUSTER, 'infra/cluster-environments.yaml': base.values ?? VALUES }, baseName: 'origin/main' },
      ),
    ));

  it('a changed node count of one environment is allowed', async () => {
    expect(await runWith(CLUSTER, VALUES.replace('desiredCapacity: 2', 'desiredCapacity: 4'))).toEqual([]);
  });

  it('an instance type changed for one environment is reported at that value, naming the environment', async () => {
    expect(await runWith(CLUSTER, VALUES.replace('r6i.2xlarge', 'r6i.4xlarge'))).toEqual([
      {
        file: 'infra/cluster-environments.yaml',
        line: 9,
        rule: 'node-group-immutable',
        message: 'node group worker-1 keeps its name but changes instanceType in production since origin/main; eksctl does not change an existing node group, so rename it',
        fix: 'give it a new name (worker-2, for example): eksctl creates the new group, and the old one is drained and deleted (rename it in infra/cluster.yaml and here)',
      },
    ]);
  });

  it('a change in cluster.yaml affects every environment and is reported once, at the name', async () => {
    const findings = await runWith(CLUSTER.replace('volumeSize: 100', 'volumeSize: 200'), VALUES);
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      'infra/cluster.yaml:4 node group worker-1 keeps its name but changes volumeSize since origin/main; eksctl does not change an existing node group, so rename it',
    ]);
  });

  it('a value that only one environment starts to override is reported there, naming that environment', async () => {
    const cluster = CLUSTER.replace('volumeSize: 100', 'volumeSize: 100\n    instanceType: r6i.xlarge');
    const before = VALUES.replace('      instanceType: r6i.xlarge\n', '').replace('      instanceType: r6i.2xlarge\n', '');
    const after = VALUES.replace('      instanceType: r6i.xlarge\n', '');
    const findings = await runWith(cluster, after, { cluster, values: before });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      'infra/cluster-environments.yaml:8 node group worker-1 keeps its name but changes instanceType in production since origin/main; eksctl does not change an existing node group, so rename it',
    ]);
  });
});
