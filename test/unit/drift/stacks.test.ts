import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../../src/cf/template.js';
import { resourceDifferences } from '../../../src/drift/stacks.js';
import { installRoot } from '../../../src/paths.js';

const ROOT = join(installRoot, 'test', 'fixtures', 'drift');
const compute = loadTemplate(join(ROOT, 'cf', 'compute.yaml'), ROOT);
const STACK = 'biomage-compute-staging';

describe('resourceDifferences: a recorded StackResourceDrift as differences', () => {
  it('a property set from a NoEcho parameter keeps its path and shows neither value', () => {
    const found = resourceDifferences(STACK, compute, {
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/biomage-compute-staging/1',
      LogicalResourceId: 'Function',
      PhysicalResourceId: 'drift-function-staging',
      ResourceType: 'AWS::Lambda::Function',
      StackResourceDriftStatus: 'MODIFIED',
      Timestamp: new Date(0),
      PropertyDifferences: [
        { PropertyPath: '/Environment/Variables/API_TOKEN', ExpectedValue: 'fixture-token-0c1f9a7d', ActualValue: 'set-by-hand', DifferenceType: 'NOT_EQUAL' },
        { PropertyPath: '/Environment/Variables/STAGE', ExpectedValue: 'staging', ActualValue: 'prod', DifferenceType: 'NOT_EQUAL' },
        { PropertyPath: '/Timeout', ExpectedValue: '30', ActualValue: '90', DifferenceType: 'NOT_EQUAL' },
      ],
    });
    expect(found).toEqual([
      expect.objectContaining({ kind: 'modified', logicalId: 'Function', type: 'AWS::Lambda::Function', path: '/Environment/Variables/API_TOKEN', expected: '****', actual: '****', masked: 'NoEcho parameter ApiToken' }),
      expect.objectContaining({ path: '/Environment/Variables/STAGE', expected: 'staging', actual: 'prod' }),
      expect.objectContaining({ path: '/Timeout', expected: '30', actual: '90', template: 'cf/compute.yaml', physicalId: 'drift-function-staging' }),
    ]);
    expect(JSON.stringify(found)).not.toMatch(/fixture-token|set-by-hand/);
  });

  it('a whole Environment reported at once is masked whole, since it carries the token', () => {
    const [found] = resourceDifferences(STACK, compute, {
      StackId: 's',
      LogicalResourceId: 'Function',
      ResourceType: 'AWS::Lambda::Function',
      StackResourceDriftStatus: 'MODIFIED',
      Timestamp: new Date(0),
      PropertyDifferences: [{ PropertyPath: '/Environment', ExpectedValue: '{"Variables":{"API_TOKEN":"x"}}', ActualValue: '{}', DifferenceType: 'NOT_EQUAL' }],
    });
    expect(found).toMatchObject({ expected: '****', actual: '****' });
  });

  it('a deleted resource; a resource of a stack without template (only secret-valued names masked)', () => {
    expect(resourceDifferences(STACK, compute, { StackId: 's', LogicalResourceId: 'FunctionLogs', ResourceType: 'AWS::Logs::LogGroup', StackResourceDriftStatus: 'DELETED', Timestamp: new Date(0) })).toEqual([
      expect.objectContaining({ kind: 'deleted', logicalId: 'FunctionLogs', detail: 'the resource no longer exists' }),
    ]);
    const [secret] = resourceDifferences('biomage-db-staging', undefined, {
      StackId: 's',
      LogicalResourceId: 'Db',
      ResourceType: 'AWS::RDS::DBInstance',
      StackResourceDriftStatus: 'MODIFIED',
      Timestamp: new Date(0),
      PropertyDifferences: [{ PropertyPath: '/MasterUserPassword', ExpectedValue: 'a', ActualValue: 'b', DifferenceType: 'NOT_EQUAL' }],
    });
    expect(secret).toMatchObject({ expected: '****', actual: '****', masked: 'MasterUserPassword holds a secret' });
  });
});
