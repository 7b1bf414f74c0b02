import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planStacks } from '../../../src/cf/plan.js';
import { loadTemplate } from '../../../src/cf/template.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { InputError } from '../../../src/ui/errors.js';

function plan(fixture: string) {
  const root = join(repoRoot, 'test', 'fixtures', 'bad-plan', fixture);
  const templates = readdirSync(join(root, 'cf'))
    .sort()
    .map((f) => loadTemplate(join(root, 'cf', f), root));
  return () => planStacks(templates, { env: 'staging', region: 'eu-west-1' });
}

describe('planStacks refuses an unusable import/export graph (exit 2, before anything deploys)', () => {
  it('two templates declaring the same export', () => {
    expect(plan('duplicate-export')).toThrow(InputError);
    expect(plan('duplicate-export')).toThrow('export fixture-shared-arn-staging is declared by both cf/first.yaml and cf/second.yaml');
  });

  it('templates importing from each other in a cycle', () => {
    expect(plan('import-cycle')).toThrow(InputError);
    expect(plan('import-cycle')).toThrow(
      "templates import each other's exports in a cycle: biomage-a-staging → biomage-b-staging → biomage-a-staging",
    );
  });

  it('orders an importer after its exporter and resolves names for the environment', () => {
    const root = join(repoRoot, 'test', 'fixtures', 'deploy');
    const templates = ['queues.yaml', 'reader-role.yaml'].map((f) => loadTemplate(join(root, 'cf', f), root));
    const [queues, reader] = planStacks(templates, { env: 'production', region: 'eu-west-1' });
    expect(queues).toMatchObject({ stackName: 'biomage-queues-production', exports: ['fixture-jobs-arn-production'], dependsOn: [] });
    expect(reader).toMatchObject({ imports: ['fixture-jobs-arn-production'], dependsOn: ['biomage-queues-production'] });
  });
});
