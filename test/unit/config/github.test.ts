import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GITHUB_CONFIG_FILE, loadGithubConfig, repositorySshUrl } from '../../../src/config/github.js';
import { InputError } from '../../../src/ui/errors.js';

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A checkout holding infra/github.yaml with this text (none when undefined). */
function checkout(text: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'biomage-github-config-'));
  roots.push(root);
  if (text !== undefined) {
    mkdirSync(join(root, 'infra'));
    writeFileSync(join(root, 'infra', 'github.yaml'), text);
  }
  return root;
}

/** The InputError loadGithubConfig throws for this checkout. */
function failure(root: string): InputError {
  try {
    loadGithubConfig(root);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('loadGithubConfig accepted the file');
}

describe('loadGithubConfig', () => {
  it('reads a valid file, with defaultBranch main when it is not given', () => {
    const root = checkout('# where this repository lives\norganisation: hms-dbmi-cellenics\nrepository: iac\n');
    const config = loadGithubConfig(root);
    expect(config).toEqual({ organisation: 'hms-dbmi-cellenics', repository: 'iac', defaultBranch: 'main' });
    expect(repositorySshUrl(config)).toBe('ssh://git@github.com/hms-dbmi-cellenics/iac.git');
  });

  it('keeps a defaultBranch that is given', () => {
    expect(loadGithubConfig(checkout('organisation: org\nrepository: my.repo_1\ndefaultBranch: release/v2\n'))).toEqual({
      organisation: 'org',
      repository: 'my.repo_1',
      defaultBranch: 'release/v2',
    });
  });

  it('says the file is missing', () => {
    const error = failure(checkout(undefined));
    expect(error.message).toBe(`${GITHUB_CONFIG_FILE} is missing`);
    expect(error.message).toContain('infra/github.yaml');
    expect(error.hint).toContain('organisation');
  });

  it('reports invalid YAML at its line', () => {
    const error = failure(checkout('# where this repository lives\norganisation: org\nrepository: iac: x\n'));
    expect(error.message).toMatch(/^infra\/github\.yaml is not valid YAML: .*line 3/);
    expect(error.where).toBe('infra/github.yaml:3');
  });

  it('reports an empty file on line 1', () => {
    const error = failure(checkout(''));
    expect(error.message).toBe('infra/github.yaml is not valid YAML: empty file');
    expect(error.where).toBe('infra/github.yaml:1');
  });

  it('reports an unknown key at its line', () => {
    const error = failure(checkout('organisation: org\nrepository: iac\n\nbranch: main\n'));
    expect(error.message).toBe('infra/github.yaml: branch is not a known field');
    expect(error.where).toBe('infra/github.yaml:4');
  });

  it('reports an organisation that is not a GitHub login at its line, with the value found', () => {
    for (const organisation of ['-org', 'org-', 'my--org', 'my_org', 'a'.repeat(40)]) {
      const error = failure(checkout(`# where this repository lives\n\norganisation: ${organisation}\nrepository: iac\n`));
      expect(error.message, organisation).toBe(`infra/github.yaml: organisation must be a GitHub organisation login (found "${organisation}")`);
      expect(error.where, organisation).toBe('infra/github.yaml:3');
    }
  });

  it('reports a missing field and a bad branch, each with the file', () => {
    const missing = failure(checkout('organisation: org\n'));
    expect(missing.message).toMatch(/^infra\/github\.yaml: .*repository/);
    expect(missing.where).toMatch(/^infra\/github\.yaml:\d+$/);

    const branch = failure(checkout('organisation: org\nrepository: iac\ndefaultBranch: "a b"\n'));
    expect(branch.message).toBe('infra/github.yaml: defaultBranch must be a git branch name (found "a b")');
    expect(branch.where).toBe('infra/github.yaml:3');
  });
});
