import { parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { fieldName, schemaProblems } from '../config/schema-problems.js';
import { InputError, OperationError } from '../ui/errors.js';
import type { AwsAuthEntry, DesiredEntry } from './entries.js';

/**
 * The `kube-system/aws-auth` ConfigMap of EKS: which IAM role (key `mapRoles`, field `rolearn`)
 * or IAM user (`mapUsers`, `userarn`) becomes which Kubernetes user and groups. Each key holds a
 * YAML list as a string. biomage owns only the entries whose username it chose
 * (`biomage-admin:…`, `biomage-user:…`); everything else (the node roles eksctl writes, entries
 * made by hand) is read, kept in place, and written back as it was.
 */
export const AWS_AUTH = { namespace: 'kube-system', name: 'aws-auth' } as const;
export const AWS_AUTH_NAME = `configmap ${AWS_AUTH.namespace}/${AWS_AUTH.name}`;

/**
 * The username prefixes of biomage's entries: they mark an entry as biomage's to change or
 * remove, and put the list that granted it in the API server's audit log.
 */
export const ADMIN_USERNAME_PREFIX = 'biomage-admin:';
export const USER_USERNAME_PREFIX = 'biomage-user:';

/** The ConfigMap's data as biomage understands it. */
export interface AwsAuth {
  /** mapRoles then mapUsers, each in the order written. */
  entries: AwsAuthEntry[];
  /** Each entry's object as read, so unmanaged entries go back with every field they had. */
  original: Map<AwsAuthEntry, Record<string, unknown>>;
  /** Every other key (mapAccounts, …), written back unchanged. */
  otherData: Record<string, string>;
}

export interface AwsAuthPlan {
  add: DesiredEntry[];
  update: { from: AwsAuthEntry; to: DesiredEntry }[];
  remove: AwsAuthEntry[];
  /** Entries biomage does not manage (node roles, hand-made mappings): never changed. */
  keep: AwsAuthEntry[];
  /** biomage's entries that are already as desired. */
  unchanged: DesiredEntry[];
}

const KEYS = { role: { data: 'mapRoles', arn: 'rolearn' }, user: { data: 'mapUsers', arn: 'userarn' } } as const;

// Loose: aws-auth entries can carry fields this version of biomage does not know; they are kept.
const mapping = { username: z.string().optional(), groups: z.array(z.string()).optional() };
const SCHEMAS = {
  role: z.array(z.looseObject({ rolearn: z.string().min(1), ...mapping })),
  user: z.array(z.looseObject({ userarn: z.string().min(1), ...mapping })),
};

/**
 * biomage wrote it (its username says so), so biomage may change or remove it. Never judged by
 * the groups: a hand-made entry in system:masters or read-only is someone else's.
 */
export function isManaged(entry: AwsAuthEntry): boolean {
  return !!entry.username && (entry.username.startsWith(ADMIN_USERNAME_PREFIX) || entry.username.startsWith(USER_USERNAME_PREFIX));
}

/** The mapping of an EKS node (or Fargate) role: removing or changing it takes the nodes down. */
export function isNodeEntry(entry: AwsAuthEntry): boolean {
  return entry.groups.some((g) => g === 'system:nodes' || g === 'system:bootstrappers' || g === 'system:node-proxier');
}

/**
 * Parse the ConfigMap's data. A key that is not a YAML list of entries is an OperationError:
 * the cluster holds it, so the fix is on the cluster, and nothing may be written over it.
 */
export function parseAwsAuth(data: Record<string, string> | undefined): AwsAuth {
  const entries: AwsAuthEntry[] = [];
  const original = new Map<AwsAuthEntry, Record<string, unknown>>();
  const otherData: Record<string, string> = {};
  for (const [key, value] of Object.entries(data ?? {})) {
    if (key !== KEYS.role.data && key !== KEYS.user.data) otherData[key] = value;
  }
  for (const type of ['role', 'user'] as const) {
    const { data: key, arn } = KEYS[type];
    const text = data?.[key];
    if (text === undefined) continue;
    const malformed = (problem: string) =>
      new OperationError(`${AWS_AUTH_NAME}, key ${key}: ${problem}`, {
        where: `${AWS_AUTH_NAME}, key ${key}`,
        hint: `fix it by hand with \`kubectl edit configmap ${AWS_AUTH.name} -n ${AWS_AUTH.namespace}\` (${key} is a YAML list of {${arn}, username, groups}); nothing was changed`,
      });
    const doc = parseDocument(text);
    const [yamlError] = doc.errors;
    if (yamlError) {
      const line = yamlError.linePos?.[0].line;
      throw malformed(`not valid YAML${line ? ` at line ${line} of the value` : ''}: ${(yamlError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    // An empty key (or `null`) is an empty list, as aws-iam-authenticator reads it.
    const value: unknown = doc.toJSON() ?? [];
    const parsed = SCHEMAS[type].safeParse(value);
    if (!parsed.success) throw malformed(describeProblem(parsed.error, value));
    parsed.data.forEach((item, index) => {
      const entry: AwsAuthEntry = {
        type,
        // The schema of this key required it, as a non-empty string.
        arn: item[arn] as string,
        ...(item.username !== undefined ? { username: item.username } : {}),
        groups: item.groups ?? [],
      };
      entries.push(entry);
      // As read, not as parsed: zod would put the known keys first.
      const read = (value as Record<string, unknown>[])[index];
      if (!read) throw new Error(`internal: ${key} parsed to more entries than it holds`);
      original.set(entry, read);
    });
  }
  return { entries, original, otherData };
}

/**
 * What has to change so that biomage's entries are exactly `desired`. Entries are matched by
 * ConfigMap key and ARN (a role's without its path), regardless of case: IAM names are
 * case-insensitive. Unmanaged entries are kept as they are; a desired ARN that one of them
 * already maps is refused, because aws-auth would then hold two mappings for one identity, and
 * which one wins is not defined.
 */
export function planAwsAuth(current: AwsAuth, desired: readonly DesiredEntry[]): AwsAuthPlan {
  const keyOf = (e: AwsAuthEntry) => `${e.type}\0${withoutRolePath(e.arn).toLowerCase()}`;
  const keep = current.entries.filter((e) => !isManaged(e));
  const unmanaged = new Map(keep.map((e) => [keyOf(e), e] as const));
  for (const entry of desired) {
    const taken = unmanaged.get(keyOf(entry));
    if (taken) throw unmanagedConflict(entry, taken);
  }
  // The first mapping of an identity is matched; a second one is ambiguous, and goes.
  const managed = new Map<string, AwsAuthEntry>();
  for (const entry of current.entries.filter(isManaged)) if (!managed.has(keyOf(entry))) managed.set(keyOf(entry), entry);
  const plan: AwsAuthPlan = { add: [], update: [], remove: [], keep, unchanged: [] };
  const matched = new Set<AwsAuthEntry>();
  for (const entry of desired) {
    const now = managed.get(keyOf(entry));
    if (!now) {
      plan.add.push(entry);
      continue;
    }
    matched.add(now);
    if (sameMapping(now, entry)) plan.unchanged.push(entry);
    else plan.update.push({ from: now, to: entry });
  }
  // biomage's entries for identities no longer listed.
  plan.remove = current.entries.filter((e) => isManaged(e) && !matched.has(e));
  return plan;
}

/** The plan changes something: the ConfigMap has to be written. */
export function hasChanges(plan: AwsAuthPlan): boolean {
  return plan.add.length + plan.update.length + plan.remove.length > 0;
}

/**
 * The ConfigMap data after the plan: in each key the unmanaged entries first, in their original
 * order and with their original fields, then biomage's sorted by ARN; so applying the same
 * lists again produces byte-identical data. A key left with no entries is dropped.
 */
export function renderAwsAuth(current: AwsAuth, plan: AwsAuthPlan): Record<string, string> {
  const managed = [...plan.unchanged, ...plan.add, ...plan.update.map((u) => u.to)].sort((a, b) => compare(a.arn, b.arn));
  const data: Record<string, string> = { ...current.otherData };
  for (const type of ['role', 'user'] as const) {
    const { data: key, arn } = KEYS[type];
    const items = [
      ...plan.keep.filter((e) => e.type === type).map((e) => current.original.get(e) ?? { [arn]: e.arn, username: e.username, groups: e.groups }),
      ...managed.filter((e) => e.type === type).map((e) => ({ [arn]: e.arn, username: e.username, groups: [...e.groups] })),
    ];
    // Sequences not indented under their key: the style of eksctl and kubectl (Go's YAML), so
    // the entries eksctl wrote come back byte for byte. No folding of long values either.
    if (items.length) data[key] = stringify(items, { indentSeq: false, lineWidth: 0 });
  }
  return sortedKeys(data);
}

/**
 * aws-auth matches a role by its ARN without the path (the authenticator sees the assumed-role
 * ARN, which has none): `role/path/ops` must be mapped as `role/ops` or it never matches. Users
 * keep theirs.
 */
export function withoutRolePath(arn: string): string {
  return arn.replace(/^(arn:[^:]+:iam::\d{12}:role\/)(?:[^/]+\/)+([^/]+)$/, '$1$2');
}

function sameMapping(a: AwsAuthEntry, b: AwsAuthEntry): boolean {
  return a.arn === b.arn && a.username === b.username && a.groups.length === b.groups.length && a.groups.every((g, i) => g === b.groups[i]);
}

function unmanagedConflict(entry: DesiredEntry, taken: AwsAuthEntry): InputError {
  const where = `${entry.source.file}:${entry.source.line}`;
  const key = KEYS[taken.type].data;
  const also = entry.source.text === taken.arn ? '' : ` (${taken.arn})`;
  if (isNodeEntry(taken)) {
    return new InputError(
      `${entry.source.text}${also} is a node role (groups ${taken.groups.join(', ')} in ${AWS_AUTH_NAME}, key ${key}): biomage never changes a node role's mapping, the nodes depend on it`,
      { where, hint: `remove line ${entry.source.line} from ${entry.source.file}: list the IAM users or roles that people use` },
    );
  }
  return new InputError(`${entry.source.text}${also} is already mapped by hand in ${AWS_AUTH_NAME}, key ${key} (username ${taken.username ?? '(none)'}, groups ${taken.groups.join(', ') || '(none)'}): biomage does not change entries it did not write`, {
    where,
    hint: `remove the hand-made entry (\`kubectl edit configmap ${AWS_AUTH.name} -n ${AWS_AUTH.namespace}\`) so that biomage maps ${taken.arn} from the list, or remove line ${entry.source.line} from ${entry.source.file}`,
  });
}

/** The first thing wrong, with entries counted from 1: `entry 2: rolearn is missing`. */
function describeProblem(error: z.ZodError, value: unknown): string {
  const [first] = schemaProblems(error, value, () => 0);
  if (!first) return 'not a list of entries';
  const predicate = first.message.slice(fieldName(first.path).length + 1);
  const [index, ...field] = first.path;
  if (typeof index !== 'number') return `the value ${predicate}`;
  return `entry ${index + 1}: ${field.length ? fieldName(field) : 'the entry'} ${predicate}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedKeys(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => compare(a, b)));
}
