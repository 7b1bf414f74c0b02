import type { RuleModule, SourceFile } from '../context.js';
import type { Finding } from '../finding.js';

/** IAM's rule for user and role names. */
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
/** A user or role ARN in any partition, with an optional path. */
const IAM_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;

export interface AccessEntry {
  /** As written (trimmed). */
  text: string;
  line: number;
  /** Who it is, for comparing: IAM names are unique regardless of case and path. */
  identity?: string;
}

/**
 * The entries of an access list: one IAM user or role per line, as a name or an ARN; lines
 * that are blank or start with `#` are skipped. Comments after an entry are not allowed, so
 * every reader of the list, however simple, sees the same entries.
 */
export function accessEntries(text: string): AccessEntry[] {
  return text.split('\n').flatMap((raw, index) => {
    const entry = raw.trim();
    if (!entry || entry.startsWith('#')) return [];
    return [{ text: entry, line: index + 1, identity: identityOf(entry) }];
  });
}

function identityOf(entry: string): string | undefined {
  if (IAM_NAME.test(entry)) return entry.toLowerCase();
  const arn = IAM_ARN.exec(entry);
  if (!arn) return undefined;
  const [, partition, account, type, , name = ''] = arn;
  return `arn:${partition}:${account}:${type}:${name.toLowerCase()}`;
}

/** infra/cluster_admins and infra/cluster_users: valid entries, each once, nobody in both. */
export const accessListRules: RuleModule = {
  rules: [
    {
      id: 'access-list-entry',
      rationale: 'an entry that is not an IAM user or role cannot be mapped to the cluster, so deploying the access lists fails or grants nothing',
      fix: 'write one IAM user or role per line, as a name (alice) or an ARN (arn:aws:iam::123456789012:user/alice, …:role/ops); comments go on their own line after #',
    },
    {
      id: 'access-list-duplicate',
      rationale: 'a second copy of an entry is noise that hides who really has access, and survives when the first is removed',
      fix: 'remove the repeated line (IAM names do not distinguish case)',
    },
    {
      id: 'access-list-conflict',
      rationale: 'someone in both lists gets admin rights, whatever the users list was meant to say',
      fix: 'keep the entry in one list only: cluster_admins for administrators, cluster_users for everyone else',
    },
  ],
  check({ repo }) {
    const findings: Finding[] = [];
    const byFile = new Map<string, AccessEntry[]>();
    for (const list of repo.accessLists) {
      byFile.set(list.file, listFindings(list, findings));
    }
    const admins = byFile.get('infra/cluster_admins') ?? [];
    const users = byFile.get('infra/cluster_users') ?? [];
    const adminAt = new Map(admins.map((e) => [e.identity, e] as const));
    for (const user of users) {
      const admin = user.identity && adminAt.get(user.identity);
      if (!admin) continue;
      findings.push({
        file: 'infra/cluster_users',
        line: user.line,
        rule: 'access-list-conflict',
        message: `entry ${user.text} is also in infra/cluster_admins (line ${admin.line})`,
      });
    }
    return findings;
  },
};

/** The list's valid entries, each once; what is wrong goes to `findings`. */
function listFindings(list: SourceFile, findings: Finding[]): AccessEntry[] {
  const seen = new Map<string, AccessEntry>();
  for (const entry of accessEntries(list.text)) {
    if (!entry.identity) {
      const comment = /^(\S+)\s+#/.exec(entry.text);
      findings.push({
        file: list.file,
        line: entry.line,
        rule: 'access-list-entry',
        message: `entry ${JSON.stringify(entry.text)} is not an IAM user or role name or ARN`,
        ...(comment?.[1] !== undefined && identityOf(comment[1]) ? { fix: 'move the comment to its own line, starting with #' } : {}),
      });
      continue;
    }
    const first = seen.get(entry.identity);
    if (first) {
      findings.push({
        file: list.file,
        line: entry.line,
        rule: 'access-list-duplicate',
        message: `entry ${entry.text} repeats line ${first.line}${first.text === entry.text ? '' : ` (${first.text})`}`,
      });
    } else {
      seen.set(entry.identity, entry);
    }
  }
  return [...seen.values()];
}
