import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAwsAuth, planAwsAuth } from '../../../src/access/aws-auth.js';
import type { DesiredEntry } from '../../../src/access/entries.js';
import type { LiveNodeGroup } from '../../../src/cluster/guard.js';
import type { LiveState } from '../../../src/cluster/live.js';
import { desiredAccessEntries, planAccessEntries, type LiveAccessEntry } from '../../../src/access/access-entries.js';
import { planCluster } from '../../../src/cluster/plan.js';
import type { ClusterSource } from '../../../src/cluster/source.js';
import { accessDifferences, accessEntryDifferences, fluxDifferences, nodeGroupDifferences, revisionCommit, specDifferences, type FluxInput } from '../../../src/drift/cluster-compare.js';
import type { FluxObjectState } from '../../../src/k8s/flux-status.js';
import { installRoot } from '../../../src/paths.js';
import { parseYamlFile } from '../../../src/yaml/source.js';

const RECORDED = join(installRoot, 'test', 'fixtures', 'drift', 'recorded');
const recorded = (name: string): unknown => JSON.parse(readFileSync(join(RECORDED, name), 'utf8'));
const STACK = 'cluster biomage-staging';

describe('node groups: biomage plan\'s comparison as differences', () => {
  const document = parseYamlFile(`managedNodeGroups:
  - name: general-1
    instanceType: m6i.large
    privateNetworking: true
    volumeSize: 50
    minSize: 1
    desiredCapacity: 2
    maxSize: 3
`).documents[0]!;
  const source: ClusterSource = {
    env: 'staging',
    name: 'biomage-staging',
    region: 'eu-west-1',
    config: { ...(document.value as Record<string, unknown>), metadata: { version: '1.36', name: 'biomage-staging', region: 'eu-west-1' } },
    document,
  };
  const identity = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ops', userId: 'AIDA' };
  const group = (changes: Partial<LiveNodeGroup> = {}): LiveNodeGroup => ({
    name: 'general-1',
    status: 'ACTIVE',
    instanceTypes: ['m6i.large'],
    amiType: 'AL2023_x86_64_STANDARD',
    diskSize: 50,
    labels: { 'alpha.eksctl.io/cluster-name': 'biomage-staging', 'alpha.eksctl.io/nodegroup-name': 'general-1' },
    taints: [],
    capacityType: 'ON_DEMAND',
    subnets: ['subnet-0a1'],
    scaling: { minSize: 1, desiredSize: 2, maxSize: 3 },
    ...changes,
  });
  const live = (changes: Partial<LiveState> = {}): LiveState => ({
    cluster: { name: 'biomage-staging', exists: true, status: 'ACTIVE', version: '1.36', logging: [] },
    nodeGroups: [group()],
    otherNodeGroups: [],
    clusterSubnets: { private: ['subnet-0a1'], public: [] },
    oidcProviderAssociated: true,
    iamServiceAccountStacks: [],
    ...changes,
  });
  const differences = (state: LiveState) => nodeGroupDifferences(planCluster(source, state, identity), STACK);

  it('a cluster as the config says: nothing', () => {
    expect(differences(live())).toEqual([]);
  });

  it('an instance type changed in the console, a node count scaled by hand, an extra group, an older Kubernetes', () => {
    const found = differences(
      live({
        cluster: { ...live().cluster, version: '1.35' },
        nodeGroups: [group({ instanceTypes: ['m5.large'], scaling: { minSize: 1, desiredSize: 5, maxSize: 3 } }), group({ name: 'spare-0' })],
      }),
    );
    expect(found).toEqual([
      expect.objectContaining({ kind: 'cluster-version', logicalId: 'biomage-staging', expected: '1.36', actual: '1.35' }),
      expect.objectContaining({ kind: 'node-group', logicalId: 'general-1', path: 'instanceTypes', expected: 'm6i.large', actual: 'm5.large' }),
      expect.objectContaining({ kind: 'node-group', logicalId: 'spare-0', expected: 'absent from infra/cluster.yaml', actual: 'runs in EKS' }),
    ]);
  });

  it('node counts alone', () => {
    expect(differences(live({ nodeGroups: [group({ scaling: { minSize: 1, desiredSize: 4, maxSize: 3 } })] }))).toEqual([
      expect.objectContaining({ kind: 'node-group', logicalId: 'general-1', path: 'scaling.desiredSize', expected: '2', actual: '4' }),
    ]);
  });
});

describe('access: biomage access plan\'s aws-auth plan as differences (recorded ConfigMap)', () => {
  const source = (line: number) => ({ file: 'infra/cluster_admins' as const, line, text: 'x' });
  const desired: DesiredEntry[] = [
    { type: 'user', arn: 'arn:aws:iam::123456789012:user/alice', username: 'biomage-admin:alice', groups: ['system:masters'], source: source(1) },
    { type: 'user', arn: 'arn:aws:iam::123456789012:user/bob', username: 'biomage-admin:bob', groups: ['system:masters'], source: source(2) },
  ];
  const current = parseAwsAuth((recorded('aws-auth.json') as { data: Record<string, string> }).data);

  it('an entry missing, one changed by hand, one no longer listed; the node role is not drift', () => {
    const found = accessDifferences(planAwsAuth(current, desired), STACK);
    expect(found.map((d) => [d.logicalId, d.expected, d.actual])).toEqual([
      ['arn:aws:iam::123456789012:user/bob', 'biomage-admin:bob [system:masters]', 'absent'],
      ['arn:aws:iam::123456789012:user/alice', 'biomage-admin:alice [system:masters]', 'biomage-admin:alice [read-only]'],
      ['arn:aws:iam::123456789012:user/mallory', 'absent', 'biomage-user:mallory [read-only]'],
    ]);
    expect(found.every((d) => d.kind === 'access')).toBe(true);
  });
});

describe('access: biomage access plan\'s access entries as differences (API modes)', () => {
  const source = (line: number) => ({ file: 'infra/cluster_admins' as const, line, text: 'x' });
  const desired = desiredAccessEntries(
    [
      { type: 'user', arn: 'arn:aws:iam::123456789012:user/alice', username: 'biomage-admin:alice', groups: ['system:masters'], source: source(1) },
      { type: 'user', arn: 'arn:aws:iam::123456789012:user/bob', username: 'biomage-admin:bob', groups: ['system:masters'], source: source(2) },
    ],
    'aws',
  );
  const admin = { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', scope: { type: 'cluster' as const, namespaces: [] } };
  const entry = (principalArn: string, changes: Partial<LiveAccessEntry> = {}): LiveAccessEntry => ({
    principalArn,
    type: 'STANDARD',
    username: `biomage-admin:${principalArn.split('/')[1] ?? ''}`,
    kubernetesGroups: [],
    tags: { 'biomage:managed': 'true' },
    policies: [admin],
    ...changes,
  });

  it('an entry missing, one whose policy was taken away, one no longer listed; node and hand-made entries are not drift', () => {
    const live = [
      entry('arn:aws:iam::123456789012:user/alice', { policies: [] }),
      entry('arn:aws:iam::123456789012:user/mallory'),
      entry('arn:aws:iam::123456789012:role/nodes', { type: 'EC2_LINUX', tags: {}, policies: [] }),
      entry('arn:aws:iam::123456789012:user/carol', { tags: {} }),
    ];
    const found = accessEntryDifferences(planAccessEntries(live, desired), STACK);
    expect(found.map((d) => [d.logicalId, d.expected, d.actual])).toEqual([
      ['arn:aws:iam::123456789012:user/bob', 'biomage-admin:bob [AmazonEKSClusterAdminPolicy (cluster)]', 'absent'],
      ['arn:aws:iam::123456789012:user/alice', 'biomage-admin:alice [AmazonEKSClusterAdminPolicy (cluster)]', 'biomage-admin:alice []'],
      ['arn:aws:iam::123456789012:user/mallory', 'absent', 'biomage-admin:mallory [AmazonEKSClusterAdminPolicy (cluster)]'],
    ]);
    expect(found.every((d) => d.kind === 'access' && d.type === 'EKS access entry')).toBe(true);
  });
});

describe('Flux against git', () => {
  const head = 'a'.repeat(40);
  const ready: FluxObjectState = { exists: true, ready: true, failed: false, revision: `main@sha1:${head}` };
  const object = recorded('helmrelease-ui.json') as { spec: Record<string, unknown>; metadata: { generation: number }; status: { observedGeneration: number } };
  const gitSpec = {
    interval: '5m',
    releaseName: 'ui',
    targetNamespace: 'ui',
    chart: { spec: { chart: './charts/nodejs', sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' } } },
    values: { image: { repository: '000000000000.dkr.ecr.eu-west-1.amazonaws.com/ui', tag: '3f9c2e1' }, replicaCount: 2 },
  };
  const input = (changes: Partial<FluxInput> = {}): FluxInput => ({
    env: 'staging',
    branch: 'main',
    head,
    kustomization: ready,
    releases: [{ file: 'releases/staging/ui.yaml', namespace: 'flux-system', name: 'ui', spec: gitSpec }],
    live: new Map([['flux-system/ui', { state: { exists: true, ready: true, failed: false }, spec: { ...gitSpec, chart: { spec: { ...gitSpec.chart.spec, reconcileStrategy: 'ChartVersion' } } } }]]),
    ...changes,
  });

  it('everything applied at the head, Ready, with git\'s spec (server defaults aside): nothing', () => {
    expect(fluxDifferences(input(), STACK)).toEqual([]);
  });

  it('the recorded HelmRelease edited by hand and not Ready for its generation; the Kustomization behind the head', () => {
    const state: FluxObjectState = { exists: true, ready: object.status.observedGeneration === object.metadata.generation, failed: false };
    const found = fluxDifferences(
      input({ kustomization: { ...ready, revision: `main@sha1:${'b'.repeat(40)}` }, live: new Map([['flux-system/ui', { state, spec: object.spec }]]) }),
      STACK,
    );
    expect(found).toEqual([
      expect.objectContaining({ kind: 'kustomization', path: 'status.lastAppliedRevision', expected: `main@${head}`, actual: `main@sha1:${'b'.repeat(40)}` }),
      expect.objectContaining({ kind: 'helm-release', logicalId: 'flux-system/ui', path: 'status.conditions[Ready]', expected: 'True' }),
      expect.objectContaining({ kind: 'helm-release', logicalId: 'flux-system/ui', path: 'spec.values.image.tag', expected: '3f9c2e1', actual: 'hotfix-1' }),
    ]);
  });

  it('a release git has and the cluster does not; no Kustomization at all', () => {
    const found = fluxDifferences(input({ kustomization: { exists: false, ready: false, failed: false }, live: new Map() }), STACK);
    expect(found.map((d) => [d.kind, d.actual])).toEqual([
      ['kustomization', 'absent'],
      ['helm-release', 'absent from the cluster'],
    ]);
  });

  it('revisions and spec paths', () => {
    expect(revisionCommit(`main@sha1:${head}`)).toBe(head);
    expect(revisionCommit(head)).toBe(head);
    expect(revisionCommit(undefined)).toBeUndefined();
    expect(specDifferences({ a: { b: [1, 2] }, c: 'x' }, { a: { b: [1, 3] }, d: 'extra' })).toEqual([
      { path: 'spec.a.b', expected: '[1,2]', actual: '[1,3]' },
      { path: 'spec.c', expected: 'x', actual: '(unset)' },
    ]);
  });
});
