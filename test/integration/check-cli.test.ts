import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installRoot as repoRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';

const fixture = (rule: string, variant: 'bad' | 'good') => join(repoRoot, 'test', 'fixtures', 'check', rule, variant);

describe('biomage check (the command)', () => {
  it('exits 3 with findings, printed as file:line rule-id message (fix: …) and counted', async () => {
    const run = await runCli(['check', '--root', fixture('workflow-action-pinned', 'bad')]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('.github/workflows/ci.yaml:9 workflow-action-pinned actions/checkout@v5 is not pinned to a commit SHA (fix: ');
    expect(run.stderr).toContain('1 finding in 1 file');
    expect(run.stdout).toBe('');
  });

  it('exits 0 on a clean repository and lists what it silenced, with the reasons', async () => {
    const run = await runCli(['check', '--root', fixture('check-suppression', 'good')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('no findings');
    expect(run.stderr).toMatch(/1 finding suppressed:\n {2}\.github\/workflows\/ci\.yaml:10 workflow-action-pinned: our own action/);
  });

  it('--format sarif prints SARIF 2.1.0 on stdout, one result per finding, rules described', async () => {
    const run = await runCli(['check', '--root', fixture('check-suppression', 'bad'), '--format', 'sarif']);
    expect(run.code).toBe(3);
    const sarif = JSON.parse(run.stdout) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string; shortDescription: { text: string } }[] } }; results: { ruleId: string; ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const [sarifRun] = sarif.runs;
    expect(sarifRun!.results).toHaveLength(5);
    for (const result of sarifRun!.results) {
      expect(sarifRun!.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe('.github/workflows/ci.yaml');
    }
    expect(sarifRun!.tool.driver.rules.every((r) => r.shortDescription.text.length > 10)).toBe(true);
  });

  it('--format json is the --json envelope: findings with their fix, suppressions and counts', async () => {
    const run = await runCli(['check', '--root', fixture('workflow-permissions', 'bad'), '--format', 'json']);
    expect(run.code).toBe(3);
    const envelope = JSON.parse(run.stdout) as { ok: boolean; exitCode: number; result: { findings: { rule: string; file: string; line: number; fix: string }[]; suppressed: unknown[] } };
    expect(envelope).toMatchObject({ ok: false, exitCode: 3 });
    expect(envelope.result.findings).toEqual([expect.objectContaining({ rule: 'workflow-permissions', file: '.github/workflows/ci.yaml', line: 1, fix: expect.stringContaining('permissions') })]);
  });

  it('reports only the named paths, while still reading the whole repository', async () => {
    const root = join(repoRoot, 'test', 'fixtures', 'check-scope');
    const all = await runCli(['check', '--root', root]);
    expect(all.stderr).toContain('cf/queue.yaml:12 cfn-lint/E3002');
    expect(all.stderr).toContain('ci.yaml:9 workflow-action-pinned');
    const named = await runCli(['check', '--root', root, join(root, '.github')]);
    expect(named.code).toBe(3);
    expect(named.stderr).toContain('ci.yaml:9 workflow-action-pinned');
    expect(named.stderr).not.toContain('cfn-lint');
    const outside = await runCli(['check', '--root', root, tmpdir()]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('is outside the repository being checked');
  });

  it('a path that does not exist is bad input: exit 2, nothing checked', async () => {
    const run = await runCli(['check', '--root', fixture('cfn-lint', 'good'), join(fixture('cfn-lint', 'good'), 'nope.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope.yaml does not exist');
  });

  it('a missing linter is exit 2, naming the tool and how to install it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'biomage-no-tools-'));
    const run = await runCli(['check', '--root', fixture('cfn-lint', 'good')], { BIOMAGE_TOOLS_DIR: empty });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cfn-lint is not installed[\s\S]*tools\/install\.sh venv/);
  });

  it('--list-rules prints every rule with why and how to fix', async () => {
    const run = await runCli(['check', '--list-rules']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^workflow-action-pinned\n {2}why: .+\n {2}fix: .+$/m);
  });

  it('compares node groups with the merge base of main by default, and refuses a --base that is not a revision', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'biomage-check-git-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: repo });
    git('init', '-q', '-b', 'main');
    mkdirSync(join(repo, 'infra'));
    copyFileSync(join(fixture('kubeconform', 'good'), 'infra', 'cluster.yaml'), join(repo, 'infra', 'cluster.yaml'));
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-qb', 'feature');
    const config = join(repo, 'infra', 'cluster.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('m6i.large', 'm6i.xlarge').replace('maxSize: 3', 'maxSize: 5'));

    const run = await runCli(['check', '--root', repo]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/infra\/cluster\.yaml:8 node-group-immutable node group general-1 keeps its name but changes instanceType since main \([0-9a-f]{12}\)/);
    expect(run.stderr).not.toContain('maxSize');

    const bad = await runCli(['check', '--root', repo, '--base', 'no-such-branch']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--base no-such-branch is not a revision of this clone');
  });
});
