import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RDSClient } from '@aws-sdk/client-rds';
import { cognitoSdk, dynamoDbSdk, rdsSdk } from '../aws/sdk.js';
import { mapLimit } from '../map-limit.js';
import type { DeployedStack } from './inspect.js';
import type { DeployedResource } from './retention.js';

/** The service clients the checks below need, each built only when a resource of its type is there. */
export interface ProtectionClients {
  rds: () => RDSClient;
  dynamodb: () => DynamoDBClient;
  cognito: () => CognitoIdentityProviderClient;
}

/** A resource the run would delete whose own deletion protection is on: CloudFormation would fail on it. */
export interface ProtectedResource {
  stack: string;
  logicalId: string;
  type: string;
  physicalId: string;
  /** The command that lifts the protection. */
  lift: string;
}

interface Check {
  isProtected: (clients: ProtectionClients, physicalId: string) => Promise<boolean>;
  lift: (physicalId: string) => string;
}

/**
 * The types whose resources carry a deletion protection of their own. Read live, not from the
 * template: an operator who lifted it by hand (the command we print) must not be refused again.
 */
const CHECKS: Record<string, Check> = {
  'AWS::RDS::DBCluster': {
    isProtected: async (c, id) => {
      const { DBClusters = [] } = await c.rds().send(new (rdsSdk().DescribeDBClustersCommand)({ DBClusterIdentifier: id }));
      return DBClusters[0]?.DeletionProtection === true;
    },
    lift: (id) => `aws rds modify-db-cluster --db-cluster-identifier ${id} --no-deletion-protection --apply-immediately`,
  },
  'AWS::RDS::DBInstance': {
    isProtected: async (c, id) => {
      const { DBInstances = [] } = await c.rds().send(new (rdsSdk().DescribeDBInstancesCommand)({ DBInstanceIdentifier: id }));
      return DBInstances[0]?.DeletionProtection === true;
    },
    lift: (id) => `aws rds modify-db-instance --db-instance-identifier ${id} --no-deletion-protection --apply-immediately`,
  },
  'AWS::DynamoDB::Table': {
    isProtected: async (c, id) => {
      const { Table } = await c.dynamodb().send(new (dynamoDbSdk().DescribeTableCommand)({ TableName: id }));
      return Table?.DeletionProtectionEnabled === true;
    },
    lift: (id) => `aws dynamodb update-table --table-name ${id} --no-deletion-protection-enabled`,
  },
  'AWS::Cognito::UserPool': {
    isProtected: async (c, id) => {
      const { UserPool } = await c.cognito().send(new (cognitoSdk().DescribeUserPoolCommand)({ UserPoolId: id }));
      return UserPool?.DeletionProtection === 'ACTIVE';
    },
    // update-user-pool resets every setting it is not given: the template is the safe place.
    lift: () => 'set the pool\'s DeletionProtection to INACTIVE in its template and deploy-cf it',
  },
};

/**
 * The resources the run would delete (DeletionPolicy Delete, or Snapshot: the resource goes after
 * its snapshot) that have deletion protection on. Retained ones are not deleted, so their
 * protection does not matter. A resource that is already gone is not protected.
 */
export async function protectedResources(stacks: readonly DeployedStack[], clients: ProtectionClients, concurrency: number): Promise<ProtectedResource[]> {
  const candidates: { stack: string; resource: DeployedResource; check: Check }[] = [];
  for (const s of stacks) {
    const kept = new Set(s.retained.filter((r) => r.policy !== 'Snapshot').map((r) => r.logicalId));
    for (const resource of s.resources) {
      const check = CHECKS[resource.type];
      if (check && resource.physicalId && !kept.has(resource.logicalId)) candidates.push({ stack: s.name, resource, check });
    }
  }
  const found = await mapLimit(candidates, concurrency, async ({ stack, resource, check }) => {
    const on = await check.isProtected(clients, resource.physicalId).catch((error: unknown) => {
      if (/not ?found|does not exist|ResourceNotFound/i.test((error as Error).name + (error as Error).message)) return false;
      throw error;
    });
    return on ? { stack, logicalId: resource.logicalId, type: resource.type, physicalId: resource.physicalId, lift: check.lift(resource.physicalId) } : undefined;
  });
  return found.filter((p): p is ProtectedResource => p !== undefined);
}
