import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accessEntries, type AccessEntry } from '../checks/rules/access-lists.js';
import { ACCESS_LISTS } from '../checks/repository.js';
import { iamPrincipal } from '../cluster/access.js';
import { mapLimit } from '../map-limit.js';
import { InputError } from '../ui/errors.js';
import { ADMIN_USERNAME_PREFIX, USER_USERNAME_PREFIX, withoutRolePath } from './aws-auth.js';
import type { AccessListFile, DesiredEntry, PrincipalType } from './entries.js';

/**
 * The Kubernetes groups the access lists grant, as the issue specifies. Administrators get
 * system:masters, which needs no binding (and which RBAC cannot restrict: removing the aws-auth
 * entry is what revokes it); users get READ_ONLY_GROUP, which infra/charts/read-only-group binds
 * to its read-only ClusterRole (its value `group` defaults to this).
 */
export const ADMIN_GROUP = 'system:masters';
export const READ_ONLY_GROUP = 'read-only';

/** What each list grants. */
const GRANTS: Record<AccessListFile, { usernamePrefix: string; group: string }> = {
  'infra/cluster_admins': { usernamePrefix: ADMIN_USERNAME_PREFIX, group: ADMIN_GROUP },
  'infra/cluster_users': { usernamePrefix: USER_USERNAME_PREFIX, group: READ_ONLY_GROUP },
};

export interface ResolvedPrincipal {
  arn: string;
  type: PrincipalType;
}

/** Looks an IAM name up (a user first, then a role); undefined when neither exists. */
export type ResolvePrincipal = (name: string) => Promise<ResolvedPrincipal | undefined>;

/** The text of one access list. */
export interface AccessList {
  file: AccessListFile;
  text: string;
}

/** IAM lookups in flight at once: IAM's read API rates are low, and lists are short. */
const CONCURRENCY = 4;

/**
 * Both access lists from a checkout. A missing list is an error, not an empty one: applying
 * "no administrators" because of a wrong working directory would take every administrator's
 * access away.
 */
export function readAccessLists(root: string): AccessList[] {
  return ACCESS_LISTS.map((file) => {
    const path = join(root, file);
    if (!existsSync(path)) {
      throw new InputError(`${file} does not exist in ${root}`, {
        where: file,
        hint: 'run biomage from a checkout of the infrastructure repository; an empty list is a file with only comments',
      });
    }
    return { file, text: readFileSync(path, 'utf8') };
  });
}

/**
 * The aws-auth entries the access lists ask for, in list order: ARNs as written (a role without
 * its path), names looked up through `resolve`. An entry biomage check would reject, a name IAM
 * does not know and an identity in both lists are InputErrors naming the line; a repeat within
 * one list is mapped once.
 */
export async function desiredEntries(lists: readonly AccessList[], resolve: ResolvePrincipal): Promise<DesiredEntry[]> {
  const lines = lists.flatMap((list) => accessEntries(list.text).map((entry) => ({ file: list.file, entry })));
  const entries = await mapLimit(lines, CONCURRENCY, ({ file, entry }) => desiredEntry(file, entry, resolve));
  const byArn = new Map<string, DesiredEntry>();
  const result: DesiredEntry[] = [];
  for (const entry of entries) {
    const key = `${entry.type}:${entry.arn.toLowerCase()}`;
    const first = byArn.get(key);
    if (!first) {
      byArn.set(key, entry);
      result.push(entry);
    } else if (first.source.file !== entry.source.file) {
      const as = (e: DesiredEntry) => (e.source.text === e.arn ? '' : ` (${e.arn})`);
      const written = first.source.text === entry.source.text ? '' : `, as ${first.source.text}`;
      throw new InputError(`${entry.source.text}${as(entry)} is also in ${first.source.file} (line ${first.source.line}${written})`, {
        where: `${entry.source.file}:${entry.source.line}`,
        hint: 'keep the entry in one list only: cluster_admins for administrators, cluster_users for everyone else',
      });
    }
  }
  return result;
}

async function desiredEntry(file: AccessListFile, entry: AccessEntry, resolve: ResolvePrincipal): Promise<DesiredEntry> {
  const where = `${file}:${entry.line}`;
  if (!entry.identity) {
    throw new InputError(`entry ${JSON.stringify(entry.text)} is not an IAM user or role name or ARN`, {
      where,
      hint: `write one IAM user or role per line, as a name or an ARN; \`biomage check ${file}\` shows every such line`,
    });
  }
  let principal: ResolvedPrincipal;
  if (entry.text.startsWith('arn:')) {
    const { type } = iamPrincipal(entry.text);
    principal = { arn: entry.text, type: type as PrincipalType };
  } else {
    const found = await resolve(entry.text);
    if (!found) {
      throw new InputError(`no IAM user or role is named ${entry.text}`, {
        where,
        hint: `write its full ARN instead (arn:aws:iam::<account>:user/${entry.text} or …:role/${entry.text}), or create the IAM user or role first`,
      });
    }
    principal = found;
  }
  const arn = principal.type === 'role' ? withoutRolePath(principal.arn) : principal.arn;
  const { usernamePrefix, group } = GRANTS[file];
  return {
    type: principal.type,
    arn,
    ...(principal.arn !== arn ? { iamArn: principal.arn } : {}),
    username: `${usernamePrefix}${iamPrincipal(arn).name}`,
    groups: [group],
    source: { file, line: entry.line, text: entry.text },
  };
}
