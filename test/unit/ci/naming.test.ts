import { describe, expect, it } from 'vitest';
import { ciUserName, repoOfUser, userLogicalId, userNameProblem } from '../../../src/ci/naming.js';

describe('CI user names and logical ids', () => {
  it('logical ids are alphanumeric, stable, and tell apart names that differ only in punctuation', () => {
    const names = ['a-b', 'a_b', 'a.b', 'ab', 'AB', 'ui', 'worker-v2', '.github', '---', 'x'.repeat(100)];
    const ids = names.map(userLogicalId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9]+$/);
      expect(id.length).toBeLessThanOrEqual(255);
    }
    expect(new Set(ids).size).toBe(names.length);
    expect(userLogicalId('a-b')).toBe(userLogicalId('a-b'));
    expect(userLogicalId('worker-v2')).toMatch(/^CiUserworkerv2[0-9a-f]{10}$/);
    // `---` keeps only the hash: still a valid id that starts with a letter.
    expect(userLogicalId('---')).toMatch(/^CiUser[0-9a-f]{10}$/);
  });

  it('user names: ci-user-<repo>, at most 64 characters', () => {
    expect(ciUserName('api')).toBe('ci-user-api');
    expect(repoOfUser('ci-user-api')).toBe('api');
    expect(repoOfUser('someone-else')).toBeUndefined();
    expect(userNameProblem('x'.repeat(56))).toBeUndefined();
    expect(userNameProblem('x'.repeat(57))).toBe(
      `its CI user name ci-user-${'x'.repeat(57)} is 65 characters, over IAM's 64 (the repository name may have at most 56)`,
    );
    expect(userNameProblem('a b')).toMatch(/holds characters IAM does not allow/);
  });
});
