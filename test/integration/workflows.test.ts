import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { installRoot as repoRoot } from '../../src/paths.js';
import { locate } from '../../src/tools/locate.js';
import { pinned } from '../../src/tools/versions.js';

const workflowsDir = join(repoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface Concurrency {
  group: string;
  'cancel-in-progress'?: boolean;
}

interface Job {
  environment?: string | { name: string };
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency | string;
  'timeout-minutes'?: number;
  outputs?: Record<string, string>;
  steps: Step[];
}

interface Input {
  type?: string;
  required?: boolean;
  default?: unknown;
  options?: string[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: Concurrency | string;
  jobs: Record<string, Job>;
}

const load = (file: string) => parse(readFileSync(join(workflowsDir, file), 'utf8')) as Workflow;
const all = workflows.map((file) => ({ file, doc: load(file) }));
const jobsOf = (doc: Workflow) => Object.entries(doc.jobs);

const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials@';
const assumesRole = (job: Job) => job.steps.some((step) => step.uses?.startsWith(CONFIGURE_AWS));
const environmentOf = (job: Job) => (typeof job.environment === 'object' ? job.environment.name : job.environment);
const concurrencyOf = (doc: Workflow, job: Job): Concurrency | undefined => {
  const value = job.concurrency ?? doc.concurrency;
  return typeof value === 'string' ? { group: value } : value;
};

/** Run a step's script as GitHub would (bash -e), with its env filled in by `values`. */
function runStep(step: Step, values: Record<string, string>, cwd: string) {
  const env = Object.fromEntries(Object.keys(step.env ?? {}).map((key) => [key, values[key] ?? '']));
  const output = join(cwd, 'github-output');
  writeFileSync(output, '');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd,
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: readFileSync(output, 'utf8') };
}

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
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)].map((m) => ({ ref: m[1]!, comment: m[2]! }));
    for (const { ref, comment } of uses) {
      if (ref.startsWith('./')) continue;
      expect(ref, `${file}: ${ref}`).toMatch(/@[0-9a-f]{40}$/);
      expect(comment, `${file}: ${ref} names its version in a comment`).toMatch(/^\s+# v\d+(\.\d+)*$/);
    }
    const doc = parse(text) as { permissions?: unknown };
    expect(doc.permissions, `${file} must declare top-level permissions`).toBeDefined();
    // contents: read at most; anything more is granted per job.
    expect([{}, { contents: 'read' }], `${file}: top-level permissions`).toContainEqual(doc.permissions);
  });

  it.each(all)('$file: jobs have timeouts, checkouts that do not push keep no credentials, scripts take ${{ }} through env', ({ file, doc }) => {
    for (const [id, job] of jobsOf(doc)) {
      expect(job['timeout-minutes'], `${file} job ${id} needs timeout-minutes`).toEqual(expect.any(Number));
      for (const step of job.steps) {
        if (step.uses?.startsWith('actions/checkout@') && !step.with?.['ssh-key']) {
          expect(step.with?.['persist-credentials'], `${file} job ${id}: checkout without persist-credentials: false`).toBe(false);
        }
        if (step.run) expect(step.run, `${file} job ${id}: an expression inline in a script can inject shell`).not.toContain('${{');
      }
    }
  });

  it.each(all)('$file: id-token: write only on jobs that assume an AWS role, and only in a GitHub environment', ({ file, doc }) => {
    expect(typeof doc.permissions === 'object' ? doc.permissions['id-token'] : undefined, `${file}: id-token at the top level`).toBeUndefined();
    for (const [id, job] of jobsOf(doc)) {
      const permissions = typeof job.permissions === 'object' ? job.permissions : {};
      const idToken = permissions['id-token'] === 'write';
      expect(idToken, `${file} job ${id}: id-token: write if and only if it assumes a role`).toBe(assumesRole(job));
      if (idToken) {
        // The role's trust names the environment: without one the token cannot assume it.
        expect(environmentOf(job), `${file} job ${id} assumes a role outside a GitHub environment`).toBeTruthy();
        expect(Object.keys(permissions).sort(), `${file} job ${id}: nothing beyond contents: read and id-token`).toEqual(['contents', 'id-token']);
        const configure = job.steps.find((step) => step.uses?.startsWith(CONFIGURE_AWS))!;
        expect(configure.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_CI_ROLE_ARN }}', 'aws-region': '${{ vars.AWS_REGION }}' });
      }
    }
  });

  it('deploy jobs queue per environment and are never cancelled half-way', () => {
    const deploys = all.filter(({ file }) => ['deploy-infra.yaml', 'deploy-changed-cf.yaml', 'push-helmrelease.yaml'].includes(file));
    expect(deploys).toHaveLength(3);
    for (const { file, doc } of deploys) {
      for (const [id, job] of jobsOf(doc)) {
        const concurrency = concurrencyOf(doc, job);
        expect(concurrency?.['cancel-in-progress'], `${file} job ${id}`).toBe(false);
        const environment = environmentOf(job);
        const names = ['${{ inputs.environment }}', ...(environment ? [environment] : [])];
        expect(
          names.some((name) => concurrency!.group.includes(name)),
          `${file} job ${id}: concurrency group ${concurrency?.group} does not name the environment`,
        ).toBe(true);
      }
    }
  });

  describe('deploy-infra', () => {
    const doc = load('deploy-infra.yaml');
    const dispatch = doc.on.workflow_dispatch as { inputs: Record<string, Input> };
    const job = doc.jobs.deploy!;

    it('is started by hand with the environment and the action to choose', () => {
      expect(Object.keys(doc.on)).toEqual(['workflow_dispatch']);
      expect(dispatch.inputs.environment).toMatchObject({ type: 'choice', options: ['staging', 'production'], required: true });
      expect(dispatch.inputs.action).toMatchObject({ type: 'choice', options: ['deploy-and-configure', 'configure'], required: true });
      // production's required reviewers come from the environment.
      expect(job.environment).toBe('${{ inputs.environment }}');
    });

    it('refuses, in its first step, to run from a branch other than the default one', () => {
      const first = job.steps[0]!;
      expect(first.env).toEqual({ REF: '${{ github.ref }}', DEFAULT_REF: 'refs/heads/${{ github.event.repository.default_branch }}' });
      const cwd = mkdtempSync(join(tmpdir(), 'biomage-workflow-'));
      const refused = runStep(first, { REF: 'refs/heads/feature', DEFAULT_REF: 'refs/heads/main' }, cwd);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toMatch(/^::error::.*refs\/heads\/feature.*refs\/heads\/main/);
      expect(runStep(first, { REF: 'refs/tags/v1', DEFAULT_REF: 'refs/heads/main' }, cwd).status).toBe(1);
      expect(runStep(first, { REF: 'refs/heads/main', DEFAULT_REF: 'refs/heads/main' }, cwd).status).toBe(0);
    });

    it('assumes the role, then runs deploy-infra with the chosen action (it configures itself)', () => {
      const index = (pattern: RegExp) => job.steps.findIndex((step) => pattern.test(step.run ?? step.uses ?? ''));
      const credentials = index(/^aws-actions\/configure-aws-credentials@/);
      const deploy = job.steps[index(/biomage deploy-infra/)]!;
      expect(index(/^make build tools$/)).toBeLessThan(credentials);
      expect(credentials).toBeLessThan(job.steps.indexOf(deploy));
      expect(deploy.if).toBeUndefined();
      expect(deploy.run).toBe('bin/biomage deploy-infra --env "$ENVIRONMENT" --action "$ACTION" --yes');
      expect(deploy.env).toEqual({ ENVIRONMENT: '${{ inputs.environment }}', ACTION: '${{ inputs.action }}', GITHUB_TOKEN: '${{ secrets.DEPLOY_KEY_ADMIN_TOKEN }}' });
      expect(index(/biomage configure/)).toBe(-1);
    });

    it('installs the flux CLI at the version tools/versions.env pins, before deploy-infra (configure installs Flux with it)', () => {
      const index = (pattern: RegExp) => job.steps.findIndex((step) => pattern.test(step.run ?? step.uses ?? ''));
      const pins = job.steps.find((step) => step.id === 'pins')!;
      const action = job.steps[index(/^fluxcd\/flux2\/action@/)]!;
      expect(action.with).toEqual({ version: '${{ steps.pins.outputs.flux }}' });
      expect(index(/^fluxcd\/flux2\/action@/)).toBeLessThan(index(/biomage deploy-infra/));
      // The pin step, run for real on a copy of tools/versions.env: it gives the version without its v.
      const cwd = mkdtempSync(join(tmpdir(), 'biomage-pins-'));
      mkdirSync(join(cwd, 'tools'));
      copyFileSync(join(repoRoot, 'tools', 'versions.env'), join(cwd, 'tools', 'versions.env'));
      const run = runStep(pins, {}, cwd);
      expect(run.status, run.stderr).toBe(0);
      expect(run.output).toBe(`flux=${pinned('FLUX_VERSION').replace(/^v/, '')}\n`);
    });
  });

  describe('deploy-changed-cf', () => {
    const doc = load('deploy-changed-cf.yaml');
    const { staging, production } = doc.jobs;

    it('runs on pushes to main that change cf/', () => {
      expect(doc.on).toEqual({ push: { branches: ['main'], paths: ['cf/**'] } });
    });

    it('deploys staging, then production after its approval, with the same base', () => {
      expect(staging!.environment).toBe('staging');
      expect(production!.needs).toBe('staging');
      expect(production!.environment).toBe('production');
      const deployStep = (job: Job) => job.steps.find((step) => step.run?.includes('biomage deploy-cf'))!;
      expect(deployStep(staging!).run).toBe('bin/biomage deploy-cf --env staging --changed-since "$BEFORE" --yes');
      expect(deployStep(production!).run).toBe('bin/biomage deploy-cf --env production --changed-since "$BEFORE" --yes');
      expect(deployStep(staging!).env).toEqual({ BEFORE: '${{ steps.base.outputs.before }}' });
      expect(staging!.outputs).toEqual({ before: '${{ steps.base.outputs.before }}' });
      expect(deployStep(production!).env).toEqual({ BEFORE: '${{ needs.staging.outputs.before }}' });
      for (const job of [staging!, production!]) {
        expect(job.steps.find((step) => step.uses?.startsWith('actions/checkout@'))!.with?.['fetch-depth']).toBe(0);
      }
    });

    it('falls back to HEAD~1 when the push has no usable "before" commit', () => {
      const step = staging!.steps.find((s) => s.id === 'base')!;
      expect(step.env).toEqual({ BEFORE: '${{ github.event.before }}' });
      const cwd = mkdtempSync(join(tmpdir(), 'biomage-workflow-'));
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', 'main');
      git('commit', '-q', '--allow-empty', '-m', 'one');
      const first = git('rev-parse', 'HEAD');
      git('commit', '-q', '--allow-empty', '-m', 'two');
      git('commit', '-q', '--allow-empty', '-m', 'three');
      const parent = git('rev-parse', 'HEAD~1');
      const before = (value: string) => {
        const result = runStep(step, { BEFORE: value }, cwd);
        expect(result.status, result.stderr).toBe(0);
        return result.output;
      };
      expect(before(first)).toBe(`before=${first}\n`);
      expect(before('0'.repeat(40))).toBe(`before=${parent}\n`);
      expect(before('1'.repeat(40))).toBe(`before=${parent}\n`);
    });
  });

  describe('push-helmrelease', () => {
    const doc = load('push-helmrelease.yaml');
    const call = doc.on.workflow_call as { inputs: Record<string, Input>; secrets: Record<string, { required?: boolean }> };
    const job = doc.jobs.push!;

    it('is a reusable workflow with the inputs and the deploy key a service repository passes', () => {
      expect(Object.keys(doc.on)).toEqual(['workflow_call']);
      expect(call.inputs).toMatchObject({
        environment: { type: 'string', required: true },
        image: { type: 'string', required: true },
        template: { type: 'string', default: '.flux.ci' },
        'iac-repository': { type: 'string', required: true },
        'iac-ref': { type: 'string', default: 'main' },
        set: { type: 'string', default: '' },
      });
      expect(Object.keys(call.inputs).sort()).toEqual(['environment', 'iac-ref', 'iac-repository', 'image', 'set', 'template']);
      expect(call.secrets).toEqual({ 'iac-deploy-key': expect.objectContaining({ required: true }) });
    });

    it('renders from the caller checkout and pushes through the deploy key only', () => {
      expect(job.permissions).toEqual({ contents: 'read' });
      expect(job.concurrency).toEqual({ group: 'push-helmrelease-${{ inputs.environment }}', 'cancel-in-progress': false });
      const checkouts = job.steps.filter((step) => step.uses?.startsWith('actions/checkout@'));
      expect(checkouts.map((step) => step.with)).toEqual([
        { path: 'service', 'persist-credentials': false },
        {
          repository: '${{ inputs.iac-repository }}',
          ref: '${{ inputs.iac-ref }}',
          path: 'iac',
          'ssh-key': '${{ secrets.iac-deploy-key }}',
          'fetch-depth': 0,
        },
      ]);
      const release = job.steps.find((step) => step.run?.includes('biomage release render'))!;
      expect(release['working-directory']).toBe('iac');
      expect(release.env).toEqual({
        ENVIRONMENT: '${{ inputs.environment }}',
        TEMPLATE: '${{ inputs.template }}',
        IMAGE: '${{ inputs.image }}',
        SOURCE_SHA: '${{ github.sha }}',
        SOURCE_REPOSITORY: '${{ github.repository }}',
        SET: '${{ inputs.set }}',
      });
      expect(release.run!.replace(/\\\n\s*/g, '')).toContain(
        'bin/biomage release render --env "$ENVIRONMENT" --template "$GITHUB_WORKSPACE/service/$TEMPLATE" --image "$IMAGE" --sha "$SOURCE_SHA" --source "$SOURCE_REPOSITORY" "${set_args[@]}"',
      );
      expect(release.run).toMatch(/^bin\/biomage release push --env "\$ENVIRONMENT" --yes$/m);
    });
  });

  describe('check: release diff', () => {
    const job = load('check.yaml').jobs['release-diff']!;
    const touched = job.steps.find((step) => step.id === 'touched')!;

    it('runs on pull requests only, and renders only when the pull request touches charts/ or releases/ (the real step on a scratch clone)', () => {
      expect((job as Job & { if?: string }).if).toBe("github.event_name == 'pull_request'");
      const later = job.steps.slice(job.steps.indexOf(touched) + 1);
      expect(later.every((step) => step.if === "steps.touched.outputs.changed == 'true'")).toBe(true);
      const cwd = mkdtempSync(join(tmpdir(), 'biomage-touched-'));
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd, encoding: 'utf8' });
      git('init', '--quiet', '--initial-branch=main');
      mkdirSync(join(cwd, 'charts'));
      writeFileSync(join(cwd, 'charts', 'values.yaml'), 'a: 1\n');
      writeFileSync(join(cwd, 'README.md'), 'x\n');
      git('add', '--all');
      git('commit', '--quiet', '-m', 'base');
      git('update-ref', 'refs/remotes/origin/main', 'HEAD');
      const outcome = () => runStep(touched, { BASE_REF: 'main' }, cwd).output;
      writeFileSync(join(cwd, 'README.md'), 'y\n');
      git('commit', '--quiet', '-am', 'docs only');
      expect(outcome()).toBe('changed=false\n');
      writeFileSync(join(cwd, 'charts', 'values.yaml'), 'a: 2\n');
      git('commit', '--quiet', '-am', 'a chart');
      expect(outcome()).toBe('changed=true\n');
    });

    it('puts each environment’s offline diff against the pull request base in the job summary', () => {
      const summary = job.steps.at(-1)!;
      expect(summary.env).toEqual({ BASE_REF: '${{ github.base_ref }}' });
      expect(summary.run).toMatch(/^for env in staging production; do$/m);
      expect(summary.run).toContain('bin/biomage release diff --env "$env" --base "origin/$BASE_REF"');
      expect(summary.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
      expect(job.steps.find((step) => step.uses?.startsWith('actions/checkout@'))!.with?.['fetch-depth']).toBe(0);
    });
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
