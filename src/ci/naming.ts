import { createHash } from 'node:crypto';

/** The one stack that holds every CI user of the account. */
export const CI_USERS_STACK = 'biomage-ci-users';
export const CI_USER_PREFIX = 'ci-user-';

/** IAM's rule for a user name: 1-64 of letters, digits and `+=,.@_-`. */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const IAM_USER_NAME_MAX = 64;

export function ciUserName(repo: string): string {
  return `${CI_USER_PREFIX}${repo}`;
}

/** The repository a CI user belongs to, from its name; undefined for another user. */
export function repoOfUser(userName: unknown): string | undefined {
  return typeof userName === 'string' && userName.startsWith(CI_USER_PREFIX) ? userName.slice(CI_USER_PREFIX.length) : undefined;
}

/** Why `ci-user-<repo>` cannot be an IAM user name, or undefined when it can. */
export function userNameProblem(repo: string): string | undefined {
  const name = ciUserName(repo);
  if (name.length > IAM_USER_NAME_MAX) {
    return `its CI user name ${name} is ${name.length} characters, over IAM's ${IAM_USER_NAME_MAX} (the repository name may have at most ${IAM_USER_NAME_MAX - CI_USER_PREFIX.length})`;
  }
  if (!IAM_USER_NAME.test(name)) return `its CI user name ${name} holds characters IAM does not allow (letters, digits and +=,.@_- only)`;
  return undefined;
}

/**
 * The CloudFormation logical id of a repository's user. Logical ids are alphanumeric, so the
 * name's other characters are dropped; a hash of the exact name keeps `a-b`, `a_b` and `ab`
 * apart. Stable: the same repository always maps to the same resource.
 */
export function userLogicalId(repo: string): string {
  const hash = createHash('sha256').update(repo).digest('hex').slice(0, 10);
  return `CiUser${repo.replace(/[^A-Za-z0-9]/g, '')}${hash}`;
}
