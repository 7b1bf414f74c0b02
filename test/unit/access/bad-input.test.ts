import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAwsAuth, planAwsAuth } from '../../../src/access/aws-auth.js';
import { desiredEntries, readAccessLists } from '../../../src/access/mapping.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { BiomageError } from '../../../src/ui/errors.js';
import { knownNames } from './known-names.js';

/**
 * Each case is a folder under test/fixtures/access/: its own infra/cluster_admins and
 * infra/cluster_users, the cluster's aws-auth ConfigMap (aws-auth.yaml, as `kubectl get -o yaml`
 * prints it), and the exact error in expected.txt. Names resolve as known-names.ts says.
 * Regenerate the golden files with: UPDATE_GOLDEN=1 npx vitest run test/unit/access/bad-input.test.ts
 */
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'access');
const CASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe('bad access lists and a bad aws-auth are refused before anything is written', () => {
  it('has cases', () => expect(CASES.length).toBeGreaterThan(5));

  it.each(CASES)('%s', async (name) => {
    const root = join(FIXTURES, name);
    const configMap = parse(readFileSync(join(root, 'aws-auth.yaml'), 'utf8')) as { data?: Record<string, string> };
    const error = await (async () => planAwsAuth(parseAwsAuth(configMap.data), await desiredEntries(readAccessLists(root), knownNames())))().catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BiomageError);
    const failure = error as BiomageError;
    const actual = [`exit ${failure.exitCode}: ${failure.message}`, `  where: ${failure.where ?? ''}`, `  next:  ${failure.hint ?? ''}`, '']
      .join('\n')
      .split(root)
      .join('<fixture>');
    const golden = join(root, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
  });
});
