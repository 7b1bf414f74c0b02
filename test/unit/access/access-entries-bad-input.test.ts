import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { desiredAccessEntries, planAccessEntries, type LiveAccessEntry } from '../../../src/access/access-entries.js';
import { desiredEntries, readAccessLists } from '../../../src/access/mapping.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { BiomageError } from '../../../src/ui/errors.js';
import { knownNames } from './known-names.js';

/**
 * Each case is a folder under test/fixtures/access-entries/: its own infra/cluster_admins and
 * infra/cluster_users, the cluster's access entries (access-entries.yaml, as DescribeAccessEntry
 * and ListAssociatedAccessPolicies report them), and the exact error in expected.txt.
 * Regenerate the golden files with: UPDATE_GOLDEN=1 npx vitest run test/unit/access/access-entries-bad-input.test.ts
 */
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'access-entries');
const CASES = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

describe('access lists that clash with access entries biomage did not make are refused before anything changes', () => {
  it('has cases', () => expect(CASES.length).toBeGreaterThanOrEqual(3));

  it.each(CASES)('%s', async (name) => {
    const root = join(FIXTURES, name);
    const live = parse(readFileSync(join(root, 'access-entries.yaml'), 'utf8')) as LiveAccessEntry[];
    const error = await (async () => planAccessEntries(live, desiredAccessEntries(await desiredEntries(readAccessLists(root), knownNames()), 'aws'), 'biomage-staging'))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BiomageError);
    const failure = error as BiomageError;
    const actual = [`exit ${failure.exitCode}: ${failure.message}`, `  where: ${failure.where ?? ''}`, `  next:  ${failure.hint ?? ''}`, ''].join('\n');
    const golden = join(root, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
  });
});
