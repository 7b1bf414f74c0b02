import type { RDSClient } from '@aws-sdk/client-rds';
import { rdsSdk } from '../aws/sdk.js';
import type { RetainedResource } from './retention.js';

const { DescribeDBClusterSnapshotsCommand, DescribeDBSnapshotsCommand } = rdsSdk();

/** The resources whose final snapshot can be looked up afterwards (RDS names them by the resource). */
export function snapshotLookups(retained: readonly RetainedResource[]): RetainedResource[] {
  return retained.filter((r) => r.policy === 'Snapshot' && (r.type === 'AWS::RDS::DBInstance' || r.type === 'AWS::RDS::DBCluster'));
}

/**
 * The snapshot ids of an RDS instance or cluster now. Compared before and after the deletion,
 * the difference is the final snapshot CloudFormation took; no clock is involved.
 */
export async function snapshotIds(rds: RDSClient, resource: RetainedResource): Promise<Set<string>> {
  const ids = new Set<string>();
  let marker: string | undefined;
  do {
    if (resource.type === 'AWS::RDS::DBCluster') {
      const page = await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: resource.physicalId, Marker: marker }));
      for (const s of page.DBClusterSnapshots ?? []) if (s.DBClusterSnapshotIdentifier) ids.add(s.DBClusterSnapshotIdentifier);
      marker = page.Marker;
    } else {
      const page = await rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: resource.physicalId, Marker: marker }));
      for (const s of page.DBSnapshots ?? []) if (s.DBSnapshotIdentifier) ids.add(s.DBSnapshotIdentifier);
      marker = page.Marker;
    }
  } while (marker);
  return ids;
}
