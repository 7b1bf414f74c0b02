import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applyEnvironmentValues, environmentValuesProblems, renderForEnvironment } from '../../../src/infra/cluster-environments.js';
import { installRoot as repoRoot } from '../../../src/paths.js';

const CONFIG = {
  apiVersion: 'eksctl.io/v1alpha5',
  kind: 'ClusterConfig',
  metadata: { version: '1.36' },
  managedNodeGroups: [
    { name: 'general-1', volumeSize: 50, minSize: 1, desiredCapacity: 2, maxSize: 3 },
    { name: 'worker-1', volumeSize: 100 },
  ],
};

const values = (staging: unknown, production: unknown = { managedNodeGroups: {} }) => ({ staging, production });

describe('environmentValuesProblems', () => {
  it('accepts what the repository holds', () => {
    const config = parse(readFileSync(join(repoRoot, 'infra', 'cluster.yaml'), 'utf8'));
    const env = parse(readFileSync(join(repoRoot, 'infra', 'cluster-environments.yaml'), 'utf8'));
    expect(environmentValuesProblems(env, config)).toEqual([]);
  });

  it('names unknown and missing environments, unknown node groups and fields, and bad values, each at its path', () => {
    const problems = environmentValuesProblems(
      {
        staging: { managedNodeGroups: { 'general-1': { instanceType: '', labels: { a: 'b' }, minSize: -1 }, 'general-9': { minSize: 1 } }, vpc: {} },
        qa: {},
      },
      CONFIG,
    );
    expect(problems).toEqual([
      { file: 'infra/cluster-environments.yaml', path: ['qa'], message: 'qa is not an environment with a cluster (staging, production)' },
      { file: 'infra/cluster-environments.yaml', path: ['staging', 'vpc'], message: 'staging.vpc cannot differ per environment: only managedNodeGroups can' },
      { file: 'infra/cluster-environments.yaml', path: ['staging', 'managedNodeGroups', 'general-1', 'instanceType'], message: 'staging: instanceType of node group general-1 must be an instance type name, like m6i.large' },
      {
        file: 'infra/cluster-environments.yaml',
        path: ['staging', 'managedNodeGroups', 'general-1', 'labels'],
        message: 'staging: labels of node group general-1 cannot differ per environment (only instanceType, volumeSize, minSize, desiredCapacity, maxSize can)',
      },
      { file: 'infra/cluster-environments.yaml', path: ['staging', 'managedNodeGroups', 'general-1', 'minSize'], message: 'staging: minSize of node group general-1 must be a whole number of at least 0' },
      {
        file: 'infra/cluster-environments.yaml',
        path: ['staging', 'managedNodeGroups', 'general-9'],
        message: 'staging sets node group general-9, which is not a managed node group of infra/cluster.yaml (general-1, worker-1)',
      },
      { file: 'infra/cluster-environments.yaml', path: [], message: 'production is missing: every environment with a cluster sets its node groups\' sizes here' },
    ]);
  });

  it('checks the node counts once merged, pointing at whichever file set them', () => {
    expect(environmentValuesProblems(values({ managedNodeGroups: { 'general-1': { desiredCapacity: 9 } } }), CONFIG)).toEqual([
      {
        file: 'infra/cluster-environments.yaml',
        path: ['staging', 'managedNodeGroups', 'general-1'],
        message: 'staging: node group general-1 needs minSize ≤ desiredCapacity ≤ maxSize, and has 1, 9, 3',
      },
    ]);
    const config = { ...CONFIG, managedNodeGroups: [{ name: 'general-1', minSize: 3, desiredCapacity: 2, maxSize: 4 }] };
    expect(environmentValuesProblems(values({}, {}), config).map((p) => [p.file, p.path])).toEqual([
      ['infra/cluster.yaml', ['managedNodeGroups', 0, 'name']],
      ['infra/cluster.yaml', ['managedNodeGroups', 0, 'name']],
    ]);
  });

  it('a file that is not a mapping is one problem', () => {
    expect(environmentValuesProblems(['staging'], CONFIG)).toEqual([
      { file: 'infra/cluster-environments.yaml', path: [], message: 'infra/cluster-environments.yaml must map each environment (staging, production) to its settings' },
    ]);
  });
});

describe('applyEnvironmentValues and renderForEnvironment', () => {
  const env = values({ managedNodeGroups: { 'worker-1': { instanceType: 'r6i.xlarge', minSize: 1, desiredCapacity: 1, maxSize: 4 } } }, { managedNodeGroups: { 'worker-1': { instanceType: 'r6i.2xlarge' } } });

  it('merges only the environment asked for, leaving the input untouched', () => {
    const before = JSON.stringify(CONFIG);
    expect(applyEnvironmentValues(CONFIG, env, 'staging').managedNodeGroups).toEqual([
      CONFIG.managedNodeGroups[0],
      { name: 'worker-1', volumeSize: 100, instanceType: 'r6i.xlarge', minSize: 1, desiredCapacity: 1, maxSize: 4 },
    ]);
    expect((applyEnvironmentValues(CONFIG, env, 'production').managedNodeGroups as unknown[])[1]).toEqual({ name: 'worker-1', volumeSize: 100, instanceType: 'r6i.2xlarge' });
    expect(JSON.stringify(CONFIG)).toBe(before);
  });

  it('leaves invalid values out rather than guessing', () => {
    const merged = applyEnvironmentValues(CONFIG, values({ managedNodeGroups: { 'worker-1': { minSize: 'two', labels: { a: 'b' } } } }), 'staging');
    expect((merged.managedNodeGroups as unknown[])[1]).toEqual({ name: 'worker-1', volumeSize: 100 });
  });

  it('fills in the name and region; without an environment file the config is used as it is', () => {
    expect(renderForEnvironment(CONFIG, undefined, 'production', 'eu-west-2').metadata).toEqual({ version: '1.36', name: 'biomage-production', region: 'eu-west-2' });
  });
});
