import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../src/cf/deploy.js';
import { retainedResources } from '../../../src/destroy/retention.js';
import { installRoot as repoRoot } from '../../../src/paths.js';

/**
 * What tearing down today's cf/ keeps, per environment, as docs/runbooks/teardown.md states it:
 * every resource of every template taken as deployed, the DeletionPolicy evaluated as destroy does.
 */
async function kept(env: string): Promise<string[]> {
  const templates = await loadTemplates(repoRoot, { paths: [] });
  return templates.flatMap((t) =>
    retainedResources(
      t.name,
      t.doc,
      { Environment: env },
      Object.entries(t.doc.Resources).map(([logicalId, r]) => ({ logicalId, type: r.Type, physicalId: logicalId })),
    ).map((r) => `${t.file} ${r.type} ${r.policy}`),
  );
}

describe("cf/'s DeletionPolicies (the teardown runbook's list)", () => {
  it('development keeps nothing', async () => {
    expect(await kept('development')).toEqual([]);
  });

  it.each(['staging', 'production'])('%s keeps the data: buckets, tables, queues, the user pool, the SES identity, the database secret, final snapshots of the database and of Redis', async (env) => {
    const list = await kept(env);
    const count = (entry: string) => list.filter((e) => e === entry).length;
    expect(count('cf/s3.yaml AWS::S3::Bucket Retain')).toBe(7);
    expect(count('cf/dynamodb.yaml AWS::DynamoDB::Table Retain')).toBe(4);
    expect(count('cf/sns.yaml AWS::SQS::Queue Retain')).toBe(2);
    expect(list).toEqual(
      expect.arrayContaining([
        'cf/cognito.yaml AWS::Cognito::UserPool Retain',
        'cf/ses.yaml AWS::SES::EmailIdentity Retain',
        'cf/rds.yaml AWS::SecretsManager::Secret Retain',
        'cf/rds.yaml AWS::RDS::DBCluster Snapshot',
        'cf/redis.yaml AWS::ElastiCache::ReplicationGroup Snapshot',
      ]),
    );
    expect(list).toHaveLength(18);
  });
});
