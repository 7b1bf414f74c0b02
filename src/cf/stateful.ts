/*
 * The resource types that hold data: replacing or deleting one loses what it holds (rows, objects,
 * users, keys, messages), unlike a role or a topic, which CloudFormation recreates as good as
 * new. deploy-cf refuses to replace or remove them silently, production's stack policy denies it,
 * and `biomage check` wants them retained (or snapshotted) outside development.
 */

export interface StatefulType {
  /** What is lost when it goes: for messages and the runbook. */
  holds: string;
  /** CloudFormation accepts `DeletionPolicy: Snapshot` (and UpdateReplacePolicy) only for these. */
  snapshot: boolean;
}

const TYPES: Readonly<Record<string, StatefulType>> = {
  'AWS::DynamoDB::Table': { holds: 'items', snapshot: false },
  'AWS::DynamoDB::GlobalTable': { holds: 'items', snapshot: false },
  'AWS::S3::Bucket': { holds: 'objects', snapshot: false },
  'AWS::RDS::DBCluster': { holds: 'databases', snapshot: true },
  'AWS::RDS::DBInstance': { holds: 'databases', snapshot: true },
  'AWS::Cognito::UserPool': { holds: 'users and their credentials', snapshot: false },
  'AWS::ElastiCache::ReplicationGroup': { holds: 'cached data and sessions', snapshot: true },
  'AWS::ElastiCache::CacheCluster': { holds: 'cached data and sessions', snapshot: true },
  'AWS::SecretsManager::Secret': { holds: 'secret values', snapshot: false },
  'AWS::KMS::Key': { holds: 'key material: data encrypted with it becomes unreadable', snapshot: false },
  'AWS::EFS::FileSystem': { holds: 'files', snapshot: false },
  'AWS::SQS::Queue': { holds: 'messages not yet processed', snapshot: false },
  'AWS::EC2::Volume': { holds: 'block storage', snapshot: true },
  'AWS::Neptune::DBCluster': { holds: 'graph data', snapshot: true },
  'AWS::DocDB::DBCluster': { holds: 'documents', snapshot: true },
  'AWS::Redshift::Cluster': { holds: 'warehouse data', snapshot: true },
};

/** The stateful type's description, or undefined for a type whose replacement loses nothing. */
export function statefulType(type: string): StatefulType | undefined {
  return Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
}

export function isStateful(type: string): boolean {
  return statefulType(type) !== undefined;
}

/** Whether CloudFormation accepts Snapshot as this type's DeletionPolicy or UpdateReplacePolicy. */
export function supportsSnapshot(type: string): boolean {
  return statefulType(type)?.snapshot ?? false;
}

/** Every stateful type, sorted: for docs and tests. */
export function statefulTypes(): string[] {
  return Object.keys(TYPES).sort();
}
