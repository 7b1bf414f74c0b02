import { InputError } from '../ui/errors.js';

/** ECR's own rule for repository names (CreateRepository's repositoryName pattern), anchored. */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const REPOSITORY_NAME_LENGTH = { min: 2, max: 256 } as const;

export const REPOSITORY_NAME_RULE =
  `${REPOSITORY_NAME_LENGTH.min}-${REPOSITORY_NAME_LENGTH.max} characters matching ` +
  '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*: lower-case letters and digits, ' +
  'single . _ - between them, / between path parts (e.g. biomage/api)';

export function isRepositoryName(name: string): boolean {
  return name.length >= REPOSITORY_NAME_LENGTH.min && name.length <= REPOSITORY_NAME_LENGTH.max && REPOSITORY_NAME_PATTERN.test(name);
}

/**
 * The names to ensure, each once, in the order given; every name is checked before any AWS call
 * so a typo in one of several names changes nothing at all.
 */
export function checkRepositoryNames(names: readonly string[]): string[] {
  const bad = names.filter((name) => !isRepositoryName(name));
  if (bad.length) {
    const list = bad.map((name) => `'${name}'`).join(', ');
    throw new InputError(`${bad.length === 1 ? 'not an ECR repository name' : 'not ECR repository names'}: ${list}`, {
      where: 'argument <repository...>',
      hint: `a repository name is ${REPOSITORY_NAME_RULE}; nothing was changed`,
    });
  }
  return [...new Set(names)];
}
