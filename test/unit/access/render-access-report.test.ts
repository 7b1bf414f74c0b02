import { describe, expect, it } from 'vitest';
import { desiredAccessEntries, planAccessEntries, type LiveAccessEntry } from '../../../src/access/access-entries.js';
import { renderAccessReport, type AccessReport } from '../../../src/access/apply.js';
import { parseAwsAuth, planAwsAuth, renderAwsAuth } from '../../../src/access/aws-auth.js';
import { desired } from './known-names.js';

const plain = (_: string, text: string) => text;
const ALICE = desired('user', 'arn:aws:iam::123456789012:user/alice', 'admins');
const NODE: LiveAccessEntry = { principalArn: 'arn:aws:iam::123456789012:role/nodes', type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'], tags: {}, policies: [] };

describe('renderAccessReport', () => {
  it('in API_AND_CONFIG_MAP: the entries to create, the node entry kept, and the aws-auth rows that will go', () => {
    const entries = planAccessEntries([NODE], desiredAccessEntries([ALICE], 'aws'));
    const current = parseAwsAuth({
      mapUsers: '- userarn: arn:aws:iam::123456789012:user/alice\n  username: biomage-admin:alice\n  groups:\n  - system:masters\n- userarn: arn:aws:iam::123456789012:user/carol\n  username: carol\n  groups:\n  - system:masters\n',
    });
    const awsAuth = planAwsAuth(current, []);
    const report: AccessReport = {
      cluster: 'cluster biomage-staging',
      mode: 'API_AND_CONFIG_MAP',
      entries: { plan: entries, action: 'would-apply', verified: false },
      result: { plan: awsAuth, action: 'would-update', data: renderAwsAuth(current, awsAuth), attempts: 1 },
    };
    const text = renderAccessReport(report, plain);
    expect(text.split('\n')[0]).toBe('Access of cluster biomage-staging (authentication mode API_AND_CONFIG_MAP):');
    expect(text).toMatch(/create +arn:aws:iam::123456789012:user\/alice +biomage-admin:alice +AmazonEKSClusterAdminPolicy \(cluster\) +infra\/cluster_admins:2/);
    expect(text).toMatch(/kept +arn:aws:iam::123456789012:role\/nodes +system:node:\{\{EC2PrivateDNSName\}\} +group system:nodes +node entry \(EC2_LINUX\)/);
    expect(text).toMatch(/remove +arn:aws:iam::123456789012:user\/alice +biomage-admin:alice +system:masters +now an access entry/);
    expect(text).toMatch(/kept +arn:aws:iam::123456789012:user\/carol +carol +system:masters +not managed by biomage/);
    expect(text).toContain("Plan only: once the access entries are verified, biomage's rows above would be removed from aws-auth");
  });

  it('in API: the entries only, aws-auth not shown', () => {
    const entries = planAccessEntries([], desiredAccessEntries([ALICE], 'aws'));
    const report: AccessReport = {
      cluster: 'cluster biomage-staging',
      mode: 'API',
      entries: { plan: entries, action: 'applied', verified: true },
      result: { plan: { add: [], update: [], remove: [], keep: [], unchanged: [] }, action: 'unchanged', data: {}, attempts: 0 },
    };
    const text = renderAccessReport(report, plain);
    expect(text).not.toContain('aws-auth');
    expect(text).toContain('The access entries were changed as above, and read back as the lists ask.');
  });
});
