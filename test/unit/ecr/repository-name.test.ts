import { describe, expect, it } from 'vitest';
import { checkRepositoryNames, isRepositoryName } from '../../../src/ecr/repository-name.js';
import { InputError } from '../../../src/ui/errors.js';

describe('ECR repository names', () => {
  it.each(['api', 'biomage/api', 'biomage/worker-r', 'a.b_c-d/e1/f2', 'ab', 'a'.repeat(256)])('accepts %s', (name) => {
    expect(isRepositoryName(name)).toBe(true);
  });

  it.each([
    ['one character', 'a'],
    ['over 256 characters', 'a'.repeat(257)],
    ['upper case', 'Biomage/api'],
    ['a leading separator', '-api'],
    ['a trailing separator', 'api-'],
    ['two separators in a row', 'api--worker'],
    ['a leading slash', '/api'],
    ['a trailing slash', 'api/'],
    ['an empty path part', 'biomage//api'],
    ['a space', 'bio mage'],
    ['a tag', 'api:1.0'],
    ['empty', ''],
  ])('refuses %s', (_why, name) => {
    expect(isRepositoryName(name)).toBe(false);
  });

  it('each name once, in the order given', () => {
    expect(checkRepositoryNames(['ui', 'api', 'ui'])).toEqual(['ui', 'api']);
  });

  it('every bad name in one InputError (exit 2) that names the values and the rule', () => {
    const error = (() => {
      try {
        checkRepositoryNames(['api', 'Bad_Name', 'x']);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    const failure = error as InputError;
    expect(failure.exitCode).toBe(2);
    expect(failure.message).toBe("not ECR repository names: 'Bad_Name', 'x'");
    expect(failure.hint).toContain('2-256 characters matching (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*');
    expect(failure.hint).toContain('nothing was changed');
  });
});
