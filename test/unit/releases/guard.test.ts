import { describe, expect, it } from 'vitest';
import { forbiddenReleaseChanges } from '../../../src/releases/guard.js';

describe('the releases/ guard', () => {
  it('allows documentation and everything outside releases/', () => {
    expect(forbiddenReleaseChanges(['releases/README.md', 'releases/staging/README.md', 'releases/production/NOTES.MD', 'charts/nodejs/values.yaml', 'docs/releases/x.yaml'])).toEqual([]);
  });

  it('refuses any other file under releases/, whatever the change, each named once', () => {
    expect(forbiddenReleaseChanges(['releases/staging/api.yaml', 'releases/production/ui.yml', 'releases/staging/api.yaml', 'releases/kustomization.yaml', 'releases/staging/.keep'])).toEqual([
      'releases/kustomization.yaml',
      'releases/production/ui.yml',
      'releases/staging/.keep',
      'releases/staging/api.yaml',
    ]);
  });
});
