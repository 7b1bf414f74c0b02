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

const operations = (live: LiveState) => planCluster(source, live, identity).actions.map((a) => (a.kind === 'eksctl' ? a.operation : `scale ${a.nodeGroup}`));

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
  });

  it('warns about a version difference and node groups that are busy', () => {
    const plan = planCluster(source, existing({ cluster: { ...existing().cluster, version: '1.35' }, nodeGroups: [general({ status: 'UPDATING' })] }), identity);
    expect(plan.warnings).toEqual([
      'cluster biomage-staging runs Kubernetes 1.35 and infra/cluster.yaml pins 1.36: deploy-infra does not upgrade clusters (docs/runbooks/cluster.md, "Upgrading Kubernetes")',
      'node group general-1 is UPDATING: deploy-infra will refuse to start until it is ACTIVE',
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
