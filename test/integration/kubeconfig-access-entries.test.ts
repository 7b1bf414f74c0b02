import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssociateAccessPolicyCommand, CreateAccessEntryCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { refusedError } from '../../src/cluster/access.js';
import { accessEntryFinding } from '../../src/cluster/access-entry-check.js';
import { seedCluster } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';

const OPS = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/Ops/alice', userId: 'AROA:alice' };
const BOB = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/bob', userId: 'AIDA:bob' };
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const forbidden = { status: 403 as const, message: 'Forbidden' };

/**
 * `biomage kubeconfig` explains a refusal by the caller's access entry when the cluster
 * authenticates with access entries: the entry and policy EKS holds (read through the emulator's
 * EKS API), or that there is none; aws-auth's explanation for a CONFIG_MAP cluster, as before.
 */
describe('the kubeconfig refusal explained by access entries (emulator)', () => {
  const { target } = useEmulator();
  let eks: EKSClient;
  let root: string;

  beforeAll(async () => {
    eks = awsClient(EKSClient, target());
    await seedCluster(target(), { name: 'biomage-staging', authenticationMode: 'API_AND_CONFIG_MAP', nodeGroups: [], oidcProvider: false, iamServiceAccounts: [] });
    await seedCluster(target(), { name: 'biomage-production', nodeGroups: [], oidcProvider: false, iamServiceAccounts: [] });
    // The role Ops has a path: the assumed-role ARN the caller presents has none.
    await eks.send(new CreateAccessEntryCommand({ clusterName: 'biomage-staging', principalArn: 'arn:aws:iam::123456789012:role/teams/Ops', username: 'ops' }));
    await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'biomage-staging', principalArn: 'arn:aws:iam::123456789012:role/teams/Ops', policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['ui'] } }));
    root = mkdtempSync(join(tmpdir(), 'biomage-root-'));
    mkdirSync(join(root, 'infra'));
    writeFileSync(join(root, 'infra', 'cluster_admins'), '# admins\nbob\n');
    writeFileSync(join(root, 'infra', 'cluster_users'), '# users\n');
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(() => (eks as EKSClient | undefined)?.destroy());

  it('no entry for a listed identity: says the cluster has none and that the lists are not applied yet', async () => {
    const finding = await accessEntryFinding(target(), 'biomage-staging', BOB.arn);
    expect(finding).toEqual({ mode: 'API_AND_CONFIG_MAP' });
    const error = refusedError(forbidden, BOB, { env: 'staging', cluster: 'biomage-staging', root }, finding);
    expect(error.message).toBe(
      'the cluster biomage-staging refused the IAM identity arn:aws:iam::123456789012:user/bob (403 Forbidden): biomage-staging authenticates with access entries, then aws-auth (mode API_AND_CONFIG_MAP) and has no access entry for arn:aws:iam::123456789012:user/bob (a row in aws-auth, if it has one, does not allow listing the nodes); it is listed in infra/cluster_admins, so the mapping has not been applied to biomage-staging yet. The kubeconfig context was written; kubectl will be refused the same way',
    );
    expect(error.hint).toBe('apply the access lists to the cluster (biomage deploy-infra --env staging --action configure), once the change that lists it is merged; then run biomage kubeconfig again');
  });

  it('an entry that does not allow listing nodes: names the entry, its policy and scope', async () => {
    const finding = await accessEntryFinding(target(), 'biomage-staging', OPS.arn);
    expect(finding).toEqual({
      mode: 'API_AND_CONFIG_MAP',
      entry: { principalArn: 'arn:aws:iam::123456789012:role/teams/Ops', type: 'STANDARD', username: 'ops', kubernetesGroups: [], policies: [{ name: 'AmazonEKSViewPolicy', scope: 'namespaces ui' }] },
    });
    const error = refusedError(forbidden, OPS, { env: 'staging', cluster: 'biomage-staging', root }, finding);
    expect(error.message).toBe(
      'the cluster biomage-staging refused the IAM identity arn:aws:sts::123456789012:assumed-role/Ops/alice (the role arn:aws:iam::123456789012:role/Ops) (403 Forbidden): its access entry (arn:aws:iam::123456789012:role/teams/Ops, type STANDARD, username ops) grants AmazonEKSViewPolicy (namespaces ui scope), which does not allow listing the nodes; it is in neither infra/cluster_admins nor infra/cluster_users. The kubeconfig context was written; kubectl will be refused the same way',
    );
    expect(error.hint).toBe('add arn:aws:iam::123456789012:role/Ops to infra/cluster_admins or infra/cluster_users, merge it and apply it (biomage deploy-infra --env staging --action configure)');
  });

  it('401 with an entry: the principal was probably recreated', async () => {
    const finding = await accessEntryFinding(target(), 'biomage-staging', OPS.arn);
    const error = refusedError({ status: 401, message: 'Unauthorized' }, OPS, { env: 'staging', cluster: 'biomage-staging', root }, finding);
    expect(error.message).toMatch(/grants AmazonEKSViewPolicy \(namespaces ui scope\), yet the cluster did not recognise the identity/);
    expect(error.hint).toMatch(/^an entry stops working when its IAM principal is deleted and created again .*aws eks delete-access-entry --cluster-name biomage-staging --principal-arn arn:aws:iam::123456789012:role\/teams\/Ops/);
  });

  it('a CONFIG_MAP cluster is explained by the aws-auth mapping, as before', async () => {
    const finding = await accessEntryFinding(target(), 'biomage-production', BOB.arn);
    expect(finding).toEqual({ mode: 'CONFIG_MAP' });
    const error = refusedError(forbidden, BOB, { env: 'production', cluster: 'biomage-production', root }, finding);
    expect(error.message).toBe(
      'the cluster biomage-production refused the IAM identity arn:aws:iam::123456789012:user/bob (403 Forbidden): it is listed in infra/cluster_admins, so the mapping has not been applied to biomage-production yet. The kubeconfig context was written; kubectl will be refused the same way',
    );
  });

  it('when EKS cannot be asked, the reason is added to the lists explanation', async () => {
    const finding = await accessEntryFinding(target(), 'biomage-nowhere', BOB.arn);
    expect(finding).toEqual({ mode: 'unknown', reason: 'EKS cluster biomage-nowhere does not exist in eu-west-1' });
    const error = refusedError(forbidden, BOB, { env: 'staging', cluster: 'biomage-nowhere', root }, finding);
    expect(error.message).toMatch(/it is listed in infra\/cluster_admins, so the mapping has not been applied to biomage-nowhere yet \(its access entries could not be read: EKS cluster biomage-nowhere does not exist in eu-west-1\)\. The kubeconfig/);
  });
});
