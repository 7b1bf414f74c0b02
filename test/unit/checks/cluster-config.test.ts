import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/checks/finding.js';
import { clusterConfigRules } from '../../../src/checks/rules/cluster-config.js';
import { checkContext } from '../../helpers/check-repo-k8s.js';

const run = async (text: string) => (await clusterConfigRules.check(checkContext({ 'infra/cluster.yaml': text }))) as Finding[];

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
