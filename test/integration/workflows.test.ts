import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../src/paths.js';
import { locate } from '../../src/tools/locate.js';

const workflowsDir = join(repoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

describe('GitHub workflows', () => {
  it('pass actionlint (the real one, pinned)', () => {
    const actionlint = locate('actionlint');
    expect(actionlint?.source, 'actionlint must come from .tools/').toBe('project');
    const output = execFileSync(actionlint!.path, ['-no-color', ...workflows.map((f) => join(workflowsDir, f))], {
      encoding: 'utf8',
    });
    expect(output).toBe('');
  });

  it.each(workflows)('%s pins every action by commit SHA and sets least permissions', (file) => {
    const text = readFileSync(join(workflowsDir, file), 'utf8');
    const uses = [...text.matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]!);
    for (const ref of uses) {
      if (ref.startsWith('./')) continue;
      expect(ref, `${file}: ${ref}`).toMatch(/@[0-9a-f]{40}$/);
    }
    const doc = parse(text) as { permissions?: unknown };
    expect(doc.permissions, `${file} must declare top-level permissions`).toBeDefined();
  });

  it('check.yaml runs the README test command, as .ci/run does', () => {
    const check = readFileSync(join(workflowsDir, 'check.yaml'), 'utf8');
    const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain('make test');
    expect(check).toMatch(/run: make test/);
    expect(ci).toMatch(/^make test$/m);
  });
});
