import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../../src/cf/template.js';
import { retainedResources, type DeployedResource } from '../../../src/destroy/retention.js';

const TEMPLATE: CfnTemplate = {
  Parameters: { Environment: { Type: 'String' }, Secret: { Type: 'String', NoEcho: true } },
  Conditions: {
    IsDevelopment: { 'Fn::Equals': [{ Ref: 'Environment' }, 'development'] },
    HasSecret: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Secret' }, ''] }] },
  },
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: { 'Fn::If': ['IsDevelopment', 'Delete', 'Retain'] } },
    Table: { Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'Retain' },
    Queue: { Type: 'AWS::SQS::Queue' },
    Cluster: { Type: 'AWS::RDS::DBCluster', DeletionPolicy: { 'Fn::If': ['IsDevelopment', 'Delete', 'Snapshot'] } },
    Lone: { Type: 'AWS::RDS::DBInstance', Properties: {} },
    Member: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: { Ref: 'Cluster' } } },
    Hidden: { Type: 'AWS::S3::Bucket', DeletionPolicy: { 'Fn::If': ['HasSecret', 'Retain', 'Delete'] } },
    Once: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'RetainExceptOnCreate' },
  } as CfnTemplate['Resources'],
};
const deployed: DeployedResource[] = Object.entries(TEMPLATE.Resources).map(([logicalId, r]) => ({ logicalId, type: r.Type, physicalId: `${logicalId.toLowerCase()}-id` }));
const kept = (env: string) =>
  retainedResources('stack', TEMPLATE, { Environment: env }, deployed).map((r) => [r.logicalId, r.physicalId, r.policy, r.source]);

describe('retainedResources: what a stack deletion keeps, with the stack as deployed', () => {
  it('outside development, !If [IsDevelopment, Delete, Retain] keeps; plain policies and RDS defaults apply', () => {
    expect(kept('staging')).toEqual([
      ['Bucket', 'bucket-id', 'Retain', 'template'],
      ['Cluster', 'cluster-id', 'Snapshot', 'template'],
      ['Hidden', 'hidden-id', 'Retain', 'unresolved'],
      ['Lone', 'lone-id', 'Snapshot', 'default'],
      ['Once', 'once-id', 'RetainExceptOnCreate', 'template'],
      ['Table', 'table-id', 'Retain', 'template'],
    ]);
  });

  it('in development the same template deletes what its condition says', () => {
    expect(kept('development').map(([id]) => id)).toEqual(['Hidden', 'Lone', 'Once', 'Table']);
  });

  it('a resource the template no longer declares (added by a transform) is deleted by default', () => {
    expect(retainedResources('stack', TEMPLATE, { Environment: 'staging' }, [{ logicalId: 'FromTransform', type: 'AWS::Lambda::Function', physicalId: 'f' }])).toEqual([]);
  });
});
