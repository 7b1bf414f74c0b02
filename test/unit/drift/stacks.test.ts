import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate, type Template } from '../../../src/cf/template.js';
import { resourceDifferences } from '../../../src/drift/stacks.js';
import { installRoot } from '../../../src/paths.js';
import { parseCfnYaml } from '../../../src/yaml/cfn.js';

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

describe('a rule the template declares as its own resource is not drift of its group', () => {
  const body = `Parameters:
  Environment: {Type: String, AllowedValues: [development, staging, production]}
Resources:
  Database:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: 10.0.0.0/16}
  Rotation:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: rotation}
  DatabaseFromRotation:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Database.GroupId
      Description: from the rotation function
      IpProtocol: tcp
      FromPort: 5432
      ToPort: 5432
      SourceSecurityGroupId: !GetAtt Rotation.GroupId
`;
  const template = { file: 'cf/rds.yaml', name: 'rds', body, doc: parseCfnYaml(body).value as Template['doc'], irsa: false };
  const drift = (actual: Record<string, unknown>) => ({
    StackId: 's',
    LogicalResourceId: 'Database',
    ResourceType: 'AWS::EC2::SecurityGroup',
    StackResourceDriftStatus: 'MODIFIED' as const,
    Timestamp: new Date(0),
    PropertyDifferences: [{ PropertyPath: '/SecurityGroupIngress/1', ExpectedValue: 'null', ActualValue: JSON.stringify(actual), DifferenceType: 'ADD' as const }],
  });

  it('the separate rule (protocol by number, source group resolved) is set aside and named in the notes', () => {
    const notes: string[] = [];
    expect(resourceDifferences('biomage-rds-staging', template, drift({ IpProtocol: '6', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: 'sg-1', Description: 'from the rotation function' }), notes)).toEqual([]);
    expect(notes).toEqual(['biomage-rds-staging: the rule /SecurityGroupIngress/1 CloudFormation reports added to Database is DatabaseFromRotation of cf/rds.yaml, the code\'s own: not drift']);
  });

  it('a rule added by hand (another port) is drift', () => {
    expect(resourceDifferences('biomage-rds-staging', template, drift({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }))).toEqual([
      expect.objectContaining({ kind: 'modified', path: '/SecurityGroupIngress/1', detail: 'added outside CloudFormation' }),
    ]);
  });
});
