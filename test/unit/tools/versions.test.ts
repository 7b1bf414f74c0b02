import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersionsEnv, pinnedVersions } from '../../../src/tools/versions.js';

describe('versions.env', () => {
  it('parses KEY=VALUE lines and ignores comments', () => {
    expect(parseVersionsEnv('# c\nHELM_VERSION=v3.21.4  # pinned\n\nX=1\n')).toEqual({ HELM_VERSION: 'v3.21.4', X: '1' });
  });

  it('pins every tool the installer builds, exactly (no ranges, no latest)', () => {
    const pins = pinnedVersions();
    for (const key of ['HELM_VERSION', 'KUBECONFORM_VERSION', 'ACTIONLINT_VERSION', 'EKSCTL_VERSION', 'MOTO_VERSION', 'CFN_LINT_VERSION']) {
      expect(pins[key], key).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
  });
});

describe('compareVersions', () => {
  it('compares dotted versions numerically, ignoring a leading v and pre-release suffixes', () => {
    expect(compareVersions('v3.21.4', '3.21.4')).toBe(0);
    expect(compareVersions('1.26.10', '1.26.5')).toBe(1);
    expect(compareVersions('3.11', '3.11.7')).toBe(-1);
    expect(compareVersions('1.32.4-dispatcher', '1.32.4')).toBe(0);
  });
});

describe('python-requirements.txt', () => {
  it('pins every package exactly and agrees with versions.env on moto and cfn-lint', async () => {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { installRoot } = await import('../../../src/paths.js');
    const lines = readFileSync(path.join(installRoot, 'tools', 'python-requirements.txt'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9_.-]+==[^=\s]+$/);
    const pins = pinnedVersions();
    expect(lines).toContain(`moto==${pins.MOTO_VERSION}`);
    expect(lines).toContain(`cfn-lint==${pins.CFN_LINT_VERSION}`);
  });
});
