import { describe, expect, it } from 'vitest';
import type { LiveNodeGroup } from '../../../src/cluster/guard.js';
import type { LiveState } from '../../../src/cluster/live.js';
import { actionCommand, busyError, guardError, planCluster, renderPlan } from '../../../src/cluster/plan.js';
import type { ClusterSource } from '../../../src/cluster/source.js';
import { parseYamlFile } from '../../../src/yaml/source.js';
import { painter } from '../../../src/ui/style.js';

const FILE = `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  version: "1.36"
iam:
  withOIDC: true
  serviceAccounts:
    - metadata: {name: aws-load-balancer-controller, namespace: kube-system}
      wellKnownPolicies: {awsLoadBalancerController: true}
cloudWatch:
  clusterLogging:
    enableTypes: ["all"]
addons:
  - name: vpc-cni
    version: v1.22.3-eksbuild.1
managedNodeGroups:
  - name: general-1
    instanceType: m6i.large
    privateNetworking: true
    volumeSize: 50
    minSize: 1
    desiredCapacity: 2
    maxSize: 3
`;

const document = parseYamlFile(FILE).documents[0]!;
const source: ClusterSource = {
  env: 'staging',
  name: 'biomage-staging',
  region: 'eu-west-1',
  config: { ...(document.value as Record<string, unknown>), metadata: { version: '1.36', name: 'biomage-staging', region: 'eu-west-1' } },
  document,
};
const identity = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/ops', userId: 'AIDA' };
const ALL_LOGS = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

const general = (changes: Partial<LiveNodeGroup> = {}): LiveNodeGroup => ({
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

const existing = (changes: Partial<LiveState> = {}): LiveState => ({
  cluster: { name: 'biomage-staging', exists: true, status: 'ACTIVE', version: '1.36', logging: ALL_LOGS, oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X' },
  nodeGroups: [general()],
  otherNodeGroups: [],
  clusterSubnets: { private: ['subnet-0a1'], public: [] },
  oidcProviderAssociated: true,
  iamServiceAccountStacks: ['eksctl-biomage-staging-addon-iamserviceaccount-kube-system-aws-load-balancer-controller'],
  ...changes,
});

const operations = (live: LiveState) =>
  planCluster(source, live, identity).actions.map((a) => {
    switch (a.kind) {
      case 'eksctl':
        return a.operation;
      case 'scale':
        return `scale ${a.nodeGroup}`;
      case 'addon':
        return `addon ${a.addon}`;
      case 'upgrade-nodegroup':
        return `upgrade-nodegroup ${a.nodeGroup}`;
      case 'upgrade-policy':
        return `upgrade-policy ${a.to}`;
    }
  });

describe('planCluster: create or update, decided from EKS', () => {
  it('no cluster: one create-cluster step, every node group new', () => {
    const plan = planCluster(source, { cluster: { name: 'biomage-staging', exists: false, logging: [] }, nodeGroups: [], otherNodeGroups: [], oidcProviderAssociated: false, iamServiceAccountStacks: [] }, identity);
    expect(plan.actions.map((a) => a.kind === 'eksctl' && a.operation)).toEqual(['create-cluster']);
    expect(plan.nodeGroups).toEqual([{ name: 'general-1', state: 'new', changes: [], notCompared: [] }]);
  });

  it('a matching cluster: only the reconcile steps (IRSA roles, add-ons)', () => {
    expect(operations(existing())).toEqual(['update-iamserviceaccounts', 'create-addons', 'update-addons']);
  });

  it('each difference adds its step, in a fixed order', () => {
    const live = existing({
      cluster: { ...existing().cluster, logging: ['api'] },
      oidcProviderAssociated: false,
      iamServiceAccountStacks: ['eksctl-biomage-staging-addon-iamserviceaccount-default-old'],
      nodeGroups: [general({ scaling: { minSize: 1, desiredSize: 1, maxSize: 3 } }), general({ name: 'general-0' })],
    });
    expect(operations(live)).toEqual([
      'associate-oidc-provider',
      'update-cluster-logging',
      'create-iamserviceaccounts',
      'delete-iamserviceaccounts',
      'create-addons',
      'update-addons',
      'scale general-1',
      'delete-nodegroups',
    ]);
  });

  it('deploy-infra refuses a cluster or node group that is busy (exit 1, nothing changed)', () => {
    const settled = existing();
    expect(busyError(planCluster(source, settled, identity), settled)).toBeUndefined();
    const busy = existing({ cluster: { ...existing().cluster, status: 'UPDATING' }, nodeGroups: [general({ status: 'CREATING' })] });
    const error = busyError(planCluster(source, busy, identity), busy)!;
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe('deploy-infra starts only when the cluster is settled: cluster biomage-staging is UPDATING, node group general-1 is CREATING');
    const addonBusy = existing({ addons: [{ name: 'vpc-cni', version: 'v1.22.3-eksbuild.1', status: 'UPDATING' }] });
    expect(busyError(planCluster(source, addonBusy, identity), addonBusy)?.message).toBe('deploy-infra starts only when the cluster is settled: add-on vpc-cni is UPDATING');
  });

  it('warns about node groups that are busy', () => {
    const plan = planCluster(source, existing({ nodeGroups: [general({ status: 'UPDATING' })] }), identity);
    expect(plan.warnings).toEqual(['node group general-1 is UPDATING: deploy-infra will refuse to start until it is ACTIVE']);
  });
});

describe('planCluster: a Kubernetes upgrade', () => {
  const behind = existing({
    cluster: { ...existing().cluster, version: '1.35' },
    nodeGroups: [general({ version: '1.35', updateConfig: { maxUnavailable: 2 } })],
    addons: [{ name: 'vpc-cni', version: 'v1.21.1-eksbuild.3', status: 'ACTIVE' }],
  });

  it('the control plane first, then the add-ons at their pins, the reconcile steps, then each node group', () => {
    expect(operations(behind)).toEqual(['upgrade-cluster', 'addon vpc-cni', 'update-iamserviceaccounts', 'create-addons', 'update-addons', 'upgrade-nodegroup general-1']);
    const plan = planCluster(source, behind, identity);
    expect(plan.upgrade).toEqual({
      controlPlane: { from: '1.35', to: '1.36', state: 'upgrade' },
      addons: [{ name: 'vpc-cni', current: 'v1.21.1-eksbuild.3', pinned: 'v1.22.3-eksbuild.1', state: 'update' }],
      nodeGroups: [{ name: 'general-1', current: '1.35', target: '1.36', state: 'upgrade', maxUnavailable: { live: { maxUnavailable: 2 } } }],
    });
  });

  it('a rerun after a failure: what reached the target is an unchanged step, the rest runs', () => {
    const resumed = existing({ nodeGroups: [general({ version: '1.35' })], addons: [{ name: 'vpc-cni', version: 'v1.22.3-eksbuild.1' }] });
    const plan = planCluster(source, resumed, identity);
    expect(plan.steps.map((s) => [s.description, s.action?.kind ?? 'unchanged'])).toEqual([
      ['control plane of biomage-staging at Kubernetes 1.36', 'unchanged'],
      ['add-on vpc-cni at v1.22.3-eksbuild.1', 'unchanged'],
      ['bring the IAM roles of kube-system/aws-load-balancer-controller in line with the config (eksctl changes only what differs)', 'eksctl'],
      ['create the add-ons the cluster lacks (eksctl skips those it has): vpc-cni v1.22.3-eksbuild.1', 'eksctl'],
      ['move the add-ons to their pinned versions and settings: vpc-cni v1.22.3-eksbuild.1', 'eksctl'],
      ['roll node group general-1: Kubernetes 1.35 → 1.36, EKS default (1 node) at a time', 'upgrade-nodegroup'],
    ]);
  });

  it('an add-on EKS runs that the config does not pin is left alone, with a warning during an upgrade', () => {
    const plan = planCluster(source, existing({ ...behind, addons: [...behind.addons!, { name: 'eks-pod-identity-agent', version: 'v1.3.4-eksbuild.1' }] }), identity);
    expect(plan.warnings).toEqual([
      'add-on eks-pod-identity-agent (v1.3.4-eksbuild.1) runs on biomage-staging but infra/cluster.yaml does not pin it: deploy-infra leaves it as it is; check that it supports Kubernetes 1.36, or pin it',
    ]);
    expect(plan.actions.flatMap((a) => (a.kind === 'addon' ? [a.addon] : []))).toEqual(['vpc-cni']);
  });

  it('no upgrade once everything runs the config\'s version', () => {
    const done = existing({ nodeGroups: [general({ version: '1.36' })], addons: [{ name: 'vpc-cni', version: 'v1.22.3-eksbuild.1' }] });
    expect(planCluster(source, done, identity).upgrade).toBeUndefined();
    expect(operations(done)).toEqual(['update-iamserviceaccounts', 'create-addons', 'update-addons']);
  });

  it('the standard-support warning is judged at the given time', () => {
    const info = { version: '1.36', endOfStandardSupport: new Date('2027-07-20T00:00:00Z') };
    expect(planCluster(source, existing(), identity, { versionInfo: info, now: new Date('2027-01-01T00:00:00Z') }).warnings).toEqual([]);
    expect(planCluster(source, existing(), identity, { versionInfo: info, now: new Date('2027-05-01T00:00:00Z') }).warnings).toEqual([
      'Kubernetes 1.36, which biomage-staging runs, leaves EKS standard support on 2027-07-20 (in 80 days): EKS then bills the cluster for extended support, or, under the STANDARD upgrade policy, upgrades the control plane itself; plan the upgrade (docs/runbooks/cluster.md, "Upgrading Kubernetes")',
    ]);
  });
});

describe('the guard\'s error and the rendered plan', () => {
  const changed = planCluster(source, existing({ nodeGroups: [general({ instanceTypes: ['m5.large'], diskSize: 20 })] }), identity);

  it('the error names every difference, the line of the node group, and the fix', () => {
    const error = guardError(changed, source);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'the node-group guard stopped the run: node group general-1 (instanceTypes: live m5.large, config m6i.large; diskSize: live 20 GiB, config 50 GiB) keeps its name but changes what EKS cannot change in place, so eksctl would silently leave it as it is',
    );
    expect(error.where).toBe('infra/cluster.yaml:17');
    expect(error.hint).toBe(
      'give the node group a new name; the old one is drained and deleted (general-1 → general-2, in infra/cluster.yaml and infra/cluster-environments.yaml). Nothing was changed',
    );
  });

  it('the plan shows the comparison, the stop, and the commands with the rendered file as a placeholder', () => {
    const text = renderPlan(changed, painter(false));
    expect(text).toContain('general-1  CHANGED  instanceTypes: live m5.large, config m6i.large; diskSize: live 20 GiB, config 50 GiB');
    expect(text).toContain('Actions (none will run until the guard passes):');
    expect(text).toContain('eksctl update addon --config-file <rendered ClusterConfig>');
    expect(actionCommand(changed.actions[0]!, '/tmp/x.yaml')).toBe('eksctl update iamserviceaccount --config-file /tmp/x.yaml --approve');
  });
});
