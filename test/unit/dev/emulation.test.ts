import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../../src/cf/template.js';
import { EMULATED, NOT_EMULATED } from '../../../src/dev/emulation.js';
import { repoRoot } from '../../../src/paths.js';

const cfDir = join(repoRoot, 'cf');
const templates = readdirSync(cfDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => loadTemplate(join(cfDir, f), repoRoot));

describe('the emulation lists', () => {
  it('cf/ has templates to check', () => {
    expect(templates.length).toBeGreaterThan(0);
  });

  it.each(templates.map((t) => [t.file, t] as const))('every resource type of %s is emulated or listed as not emulated', (_file, template) => {
    const unlisted = Object.values(template.doc.Resources)
      .map((r) => r.Type)
      .filter((type) => !(type in EMULATED) && !(type in NOT_EMULATED));
    expect(unlisted, 'add each type to EMULATED (with its presence check) or NOT_EMULATED (with the reason) in src/dev/emulation.ts').toEqual([]);
  });

  it('no type is in both lists, and every reason says something', () => {
    expect(Object.keys(NOT_EMULATED).filter((t) => t in EMULATED)).toEqual([]);
    for (const reason of Object.values(NOT_EMULATED)) expect(reason.length).toBeGreaterThan(10);
  });
});
