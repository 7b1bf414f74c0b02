import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectTemplates } from '../../../src/cf/selection.js';
import { loadRepository } from '../../../src/checks/repository.js';

const root = mkdtempSync(join(tmpdir(), 'biomage-selection-'));
mkdirSync(join(root, 'cf'));
writeFileSync(join(root, 'cf', 'topic.yaml'), 'Parameters:\n  Environment:\n    Type: String\nResources: {}\n');
writeFileSync(join(root, 'cf', 'parameters.yaml'), 'topic:\n  Name: jobs\n');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('cf/parameters.yaml is not a template', () => {
  it('deploy-cf selects every template but it', async () => {
    expect(await selectTemplates(root, { paths: [] })).toEqual([join(root, 'cf', 'topic.yaml')]);
  });

  it('naming it is bad input', async () => {
    await expect(selectTemplates(root, { paths: [join(root, 'cf', 'parameters.yaml')] })).rejects.toThrow(
      'cf/parameters.yaml is not a template: it holds the templates\' parameter values',
    );
  });

  it('biomage check does not read it as a template', () => {
    expect(loadRepository(root).repo.templates.map((t) => t.file)).toEqual(['cf/topic.yaml']);
  });
});
