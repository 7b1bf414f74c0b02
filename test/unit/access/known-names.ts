import type { DesiredEntry } from '../../../src/access/entries.js';
import type { ResolvePrincipal, ResolvedPrincipal } from '../../../src/access/mapping.js';

/**
 * The IAM names the access tests know, as iamNameResolver would answer them: a user, a role with
 * a path (GetRole returns the ARN with it), and nothing else. iamNameResolver itself is tested
 * against the emulator.
 */
export const KNOWN: Record<string, ResolvedPrincipal> = {
  alice: { arn: 'arn:aws:iam::123456789012:user/alice', type: 'user' },
  ops: { arn: 'arn:aws:iam::123456789012:role/teams/ops', type: 'role' },
};

/** Resolves KNOWN, and records every name it was asked. */
export function knownNames(): ResolvePrincipal & { asked: string[] } {
  const asked: string[] = [];
  return Object.assign(async (name: string) => {
    asked.push(name);
    return KNOWN[name];
  }, { asked });
}

/** A desired entry as mapping.ts builds it, for planning tests. */
export function desired(type: 'user' | 'role', arn: string, list: 'admins' | 'users', line = 2): DesiredEntry {
  const name = arn.split('/').at(-1)!;
  return {
    type,
    arn,
    username: `${list === 'admins' ? 'biomage-admin' : 'biomage-user'}:${name}`,
    groups: [list === 'admins' ? 'system:masters' : 'read-only'],
    source: { file: `infra/cluster_${list}`, line, text: arn },
  };
}
