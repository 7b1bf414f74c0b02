import { statefulType, supportsSnapshot } from '../../cf/stateful.js';
import { branches, cfnModel, evaluateString, isLive, perEnvironment, UNKNOWN, type Scope } from '../cfn-model.js';
import type { RuleModule } from '../context.js';
import type { Finding } from '../finding.js';

const POLICIES = ['DeletionPolicy', 'UpdateReplacePolicy'] as const;
type Policy = (typeof POLICIES)[number];

/** What keeps the data: Retain everywhere; RetainExceptOnCreate only as a DeletionPolicy; Snapshot where the type has snapshots. */
const KEEPS: Readonly<Record<Policy, readonly string[]>> = {
  DeletionPolicy: ['Retain', 'RetainExceptOnCreate', 'Snapshot'],
  UpdateReplacePolicy: ['Retain', 'Snapshot'],
};

/**
 * A stateful resource (src/cf/stateful.ts) deleted with its stack, or replaced by an update, takes
 * its data with it unless DeletionPolicy and UpdateReplacePolicy keep it. Outside development both
 * must be Retain (or Snapshot where CloudFormation can snapshot the type); `!If [IsDevelopment,
 * Delete, Retain]` is evaluated per environment.
 */
export const cfStatefulRules: RuleModule = {
  rules: [
    {
      id: 'cf-stateful-retention',
      rationale:
        'a stateful resource (table, bucket, database, user pool, cache, secret, key, file system, queue) deleted or replaced by CloudFormation loses its data unless DeletionPolicy and UpdateReplacePolicy keep it',
      fix: 'set `DeletionPolicy: !If [IsDevelopment, Delete, Retain]` and `UpdateReplacePolicy: !If [IsDevelopment, Delete, Retain]` (Snapshot instead of Retain where the type supports snapshots)',
    },
  ],
  check({ repo }) {
    const model = cfnModel(repo);
    return model.templates.flatMap((template) => [
      ...perEnvironment(template, (env) => (env === 'development' ? [] : retention(model.scope(template, env)))),
      ...snapshotsUnsupported(template, model.scope(template, template.environments[0] ?? 'development')),
    ]);
  },
};

/** Resources whose policy, in this environment, deletes the data (absent, Delete, or an unknown branch). */
function retention(scope: Scope): Finding[] {
  const { template } = scope;
  const findings: Finding[] = [];
  for (const [id, resource] of Object.entries(template.resources)) {
    const type = typeof resource.Type === 'string' ? resource.Type : '';
    if (!statefulType(type) || !isLive(resource.Condition, scope) || isClusterMember(type, resource)) continue;
    for (const policy of POLICIES) {
      const path = ['Resources', id, policy];
      if (!(policy in resource)) {
        findings.push({ file: template.file, line: template.lineOf(['Resources', id]), rule: 'cf-stateful-retention', message: `${type} ${id} has no ${policy}: CloudFormation deletes it and its data` });
        continue;
      }
      const values = branches(resource[policy], path, scope).map((branch) => evaluateString(branch.value, scope));
      const lost = values.filter((value) => !KEEPS[policy].includes(value));
      if (!lost.length) continue;
      const shown = [...new Set(lost)].map((value) => (value.includes(UNKNOWN) ? 'a value not known before deploying' : value)).join(' or ');
      findings.push({ file: template.file, line: template.lineOf(path), rule: 'cf-stateful-retention', message: `${type} ${id} has ${policy} ${shown}: its data is not kept` });
    }
  }
  return findings;
}

/**
 * An Aurora instance (DBClusterIdentifier set) holds no data of its own: its cluster does, and
 * carries the policies. Retaining the instance would even stop the cluster's deletion, which
 * CloudFormation refuses while instances remain.
 */
function isClusterMember(type: string, resource: Record<string, unknown>): boolean {
  const properties = resource.Properties;
  return type === 'AWS::RDS::DBInstance' && typeof properties === 'object' && properties !== null && 'DBClusterIdentifier' in properties;
}

/** Snapshot on a type CloudFormation cannot snapshot: it rejects the template, in every environment. */
function snapshotsUnsupported(template: Scope['template'], scope: Scope): Finding[] {
  const findings: Finding[] = [];
  for (const [id, resource] of Object.entries(template.resources)) {
    const type = typeof resource.Type === 'string' ? resource.Type : '';
    if (!statefulType(type) || supportsSnapshot(type)) continue;
    for (const policy of POLICIES) {
      const path = ['Resources', id, policy];
      // Every branch, whatever the environment: a Snapshot in any of them is rejected there.
      const all = branches(resource[policy], path, undefined).map((branch) => evaluateString(branch.value, scope));
      if (all.includes('Snapshot')) {
        findings.push({
          file: template.file,
          line: template.lineOf(path),
          rule: 'cf-stateful-retention',
          message: `${type} ${id} has ${policy} Snapshot, which CloudFormation accepts only for types it can snapshot (RDS, ElastiCache, EC2 volumes, Neptune, DocumentDB, Redshift)`,
          fix: `use Retain for ${type}`,
        });
      }
    }
  }
  return findings;
}
