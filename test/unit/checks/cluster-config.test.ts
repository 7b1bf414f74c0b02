import { describe, expect, it } from 'vitest';
import { clusterConfigRules } from '../../../src/checks/rules/cluster-config.js';
import { checkContext } from '../../helpers/check-repo-k8s.js';

const run = async (text: string) => await clusterConfigRules.check(checkContext({ 'infra/cluster.yaml': text }));

describe('cluster-config-fields', () => {
  it('accepts a ClusterConfig without name and region', async () => {
    expect(await run('apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  version: "1.33"\n')).toEqual([]);
    expect(await run('apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n')).toEqual([]);
  });

  it('reports a name or region written in the file, at its line', async () => {
    const findings = await run('apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: biomage-staging\n  region: eu-west-1\n');
    expect(findings).toEqual([
      {
        file: 'infra/cluster.yaml',
        line: 4,
        rule: 'cluster-config-fields',
        message: 'metadata.name is set ("biomage-staging"), but biomage fills it in per environment',
        fix: 'remove metadata.name: the cluster of an environment is always biomage-<env>',
      },
      {
        file: 'infra/cluster.yaml',
        line: 5,
        rule: 'cluster-config-fields',
        message: 'metadata.region is set ("eu-west-1"), but biomage fills it in per environment',
        fix: 'remove metadata.region: the region comes from --region, AWS_REGION or the profile',
      },
    ]);
  });

  it('reports a wrong or missing kind and apiVersion, and extra documents', async () => {
    const findings = await run('apiVersion: eksctl.io/v1alpha4\nmetadata: {}\n---\nkind: NodeGroup\n');
    expect(findings.map((f) => `${f.line} ${f.message}`)).toEqual([
      '4 infra/cluster.yaml holds more than one document; eksctl reads only the first',
      '1 apiVersion is "eksctl.io/v1alpha4", not eksctl.io/v1alpha5',
      '1 kind is missing (expected ClusterConfig)',
    ]);
    expect((await run('- a\n')).map((f) => f.message)).toEqual(['infra/cluster.yaml is not a mapping (an eksctl ClusterConfig)']);
  });
});

describe('cluster-environments', () => {
  const CONFIG = 'apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmanagedNodeGroups:\n  - name: general-1\n    minSize: 1\n    desiredCapacity: 2\n    maxSize: 3\n';
  const check = async (files: Record<string, string>) => await clusterConfigRules.check(checkContext(files));

  it('an environment file without a cluster.yaml to apply to is reported', async () => {
    expect(await check({ 'infra/cluster-environments.yaml': 'staging: {}\nproduction: {}\n' })).toEqual([
      { file: 'infra/cluster-environments.yaml', line: 1, rule: 'cluster-environments', message: 'infra/cluster-environments.yaml has no infra/cluster.yaml to apply to' },
    ]);
  });

  it('node counts out of order once merged are reported at the value that set them', async () => {
    const values = 'staging:\n  managedNodeGroups:\n    general-1:\n      maxSize: 1\nproduction: {}\n';
    expect(await check({ 'infra/cluster.yaml': CONFIG, 'infra/cluster-environments.yaml': values })).toEqual([
      {
        file: 'infra/cluster-environments.yaml',
        line: 3,
        rule: 'cluster-environments',
        message: 'staging: node group general-1 needs minSize ≤ desiredCapacity ≤ maxSize, and has 1, 2, 1',
      },
    ]);
  });

  it('no environment file: nothing to check', async () => {
    expect(await check({ 'infra/cluster.yaml': CONFIG })).toEqual([]);
  });
});
