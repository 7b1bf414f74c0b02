import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding } from '../../src/checks/report/text.js';
import { RULES, ruleOf, runCheck } from '../../src/checks/run-check.js';
import { DEFAULT_REGION } from '../../src/config/environments.js';
import { installRoot as repoRoot } from '../../src/paths.js';

/**
 * One folder per rule under test/fixtures/check/<rule-id>/: `bad/` is a minimal repository that
 * breaks the rule, with its exact findings in expected.txt; `good/` is its fixed twin and must
 * produce no finding at all (no false positives is part of the contract). A `.base/` folder
 * stands for the file versions at --base. Everything runs for real: linters, helm, kubeconform.
 * Regenerate the golden files with: UPDATE_GOLDEN=1 npx vitest run test/integration/check-fixtures.test.ts
 */
const FIXTURES = join(repoRoot, 'test', 'fixtures', 'check');
const RULE_DIRS = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

async function check(root: string) {
  return runCheck({
    root,
    paths: [],
    cwd: root,
    region: DEFAULT_REGION,
    base: {
      name: '.base',
      read: async (file) => (existsSync(join(root, '.base', file)) ? readFileSync(join(root, '.base', file), 'utf8') : undefined),
    },
  });
}

describe.concurrent('biomage check fixtures: each rule, a bad case with golden findings and a good twin with none', () => {
  it.each(RULE_DIRS)('%s', async (rule) => {
    expect(ruleOf(rule), `${rule} is not a rule id`).toBeDefined();
    const bad = await check(join(FIXTURES, rule, 'bad'));
    const actual = bad.findings.map((f) => formatFinding(f, ruleOf)).join('\n') + '\n';
    const expectedFile = join(FIXTURES, rule, 'expected.txt');
    if (process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, actual);
    expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
    expect(bad.findings.map((f) => f.rule.split('/')[0]), 'the bad case must break its own rule').toContain(rule);

    const good = await check(join(FIXTURES, rule, 'good'));
    expect(good.findings.map((f) => formatFinding(f, ruleOf))).toEqual([]);
  });
});

it('every rule has its fixture pair', () => {
  expect([...RULES.keys()].filter((id) => !RULE_DIRS.includes(id))).toEqual([]);
});
