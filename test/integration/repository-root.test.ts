import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/diagnose.js';
import { installRoot } from '../../src/paths.js';
import { BIN, cleanEnv, spawnCli, type CliRun } from '../helpers/cli.js';

/**
 * biomage works on the repository it is run in, not on the checkout its code lives in. A second
 * clone of this repository, whose cf/ and infra/github.yaml differ from this checkout's, is worked
 * on by this checkout's biomage run inside it, through a link on PATH as `npm link` makes.
 */
describe('the repository biomage works on', () => {
  let scratch: string;
  let clone: string;
  let linked: (argv: string[], cwd: string, env?: NodeJS.ProcessEnv) => Promise<CliRun>;

  beforeAll(() => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), 'biomage-second-clone-')));
    clone = join(scratch, 'iac');
    execFileSync('git', ['clone', '--quiet', '--depth', '1', `file://${installRoot}`, clone]);
    // What only the clone has: a broken template, and another repository name for Flux.
    writeFileSync(join(clone, 'cf', 'zz-second-clone.yaml'), 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [unclosed\n');
    const github = join(clone, 'infra', 'github.yaml');
    writeFileSync(github, readFileSync(github, 'utf8').replace(/^repository: .*$/m, 'repository: second-clone'));

    const bin = join(scratch, 'bin');
    mkdirSync(bin);
    symlinkSync(BIN, join(bin, 'biomage'));
    linked = (argv, cwd, env = {}) =>
      new Promise((resolve) => {
        const options = { cwd, env: cleanEnv({ PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, CI: 'true', ...env }), timeout: 120_000 };
        execFile('biomage', argv, options, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      });
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("a linked biomage run inside a second clone checks that clone's cf/, with the installation's toolchain", async () => {
    const run = await linked(['check', '--json'], clone);
    expect(run.code, run.stderr).toBe(3);
    const { findings } = (JSON.parse(run.stdout) as { result: { findings: { file: string; rule: string }[] } }).result;
    expect(findings.map((f) => `${f.file} ${f.rule}`)).toEqual(['cf/zz-second-clone.yaml yaml-syntax']);
  });

  it('from a subfolder of the clone: the clone, its files and its own .biomage/', async () => {
    const sub = join(clone, 'infra', 'charts');
    const sync = await linked(['release', 'flux-sync', '--env', 'staging'], sub);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain('second-clone');

    const doctor = await linked(['doctor', '--json', '--no-aws'], sub);
    const report = (JSON.parse(doctor.stdout) as { result: DoctorReport }).result;
    expect(report.repository).toEqual({ root: clone, source: 'cwd' });
    expect(report.toolchain).toEqual({ dir: join(installRoot, '.tools'), relocated: false, install: installRoot });
    const human = await linked(['doctor', '--no-aws'], sub);
    expect(human.stderr).toContain(`Repository: ${clone} (found from the working directory)`);
    expect(human.stderr).toContain(`Toolchain: ${join(installRoot, '.tools')}, beside biomage installed in ${installRoot}`);

    // A tool missing here is installed by the installation's installer: the clone's would fill the clone's .tools/.
    const empty = mkdtempSync(join(scratch, 'tools-'));
    const missing = (JSON.parse((await linked(['doctor', '--json', '--no-aws'], sub, { BIOMAGE_TOOLS_DIR: empty })).stdout) as { result: DoctorReport }).result;
    expect(missing.toolchain).toEqual({ dir: empty, relocated: true, install: installRoot });
    expect(missing.tools.find((t) => t.tool === 'moto')).toMatchObject({ status: 'missing', fix: `${join(installRoot, 'tools', 'install.sh')} venv` });

    const status = await linked(['dev', 'status', '--json'], sub);
    const { files } = (JSON.parse(status.stdout) as { result: { files: { record: string } } }).result;
    expect(files.record).toBe(join(clone, '.biomage', 'emulator.json'));
  });

  it('outside any repository: exit 2, naming the folder searched and --root; --root or BIOMAGE_ROOT name one', async () => {
    const elsewhere = realpathSync(mkdtempSync(join(tmpdir(), 'biomage-no-repository-')));
    const run = await spawnCli(['release', 'flux-sync', '--env', 'staging'], cleanEnv(), elsewhere);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`error: ${elsewhere} is not inside a Cellenics infrastructure repository: no folder from there up to / holds cf/ and infra/cluster.yaml`);
    expect(run.stderr).toContain('--root <dir> (or BIOMAGE_ROOT)');

    const flag = await spawnCli(['release', 'flux-sync', '--env', 'staging', '--root', clone], cleanEnv(), elsewhere);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toContain('second-clone');
    const variable = await spawnCli(['release', 'flux-sync', '--env', 'staging'], cleanEnv({ BIOMAGE_ROOT: clone }), elsewhere);
    expect(variable.stdout).toContain('second-clone');
    // The flag beats the variable, as for every global option.
    const both = await spawnCli(['release', 'flux-sync', '--env', 'staging', '--root', installRoot], cleanEnv({ BIOMAGE_ROOT: clone }), elsewhere);
    expect(both.stdout).not.toContain('second-clone');

    const missing = await spawnCli(['check'], cleanEnv({ BIOMAGE_ROOT: join(elsewhere, 'nope') }), elsewhere);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`BIOMAGE_ROOT=${join(elsewhere, 'nope')} is not a folder`);

    // doctor needs no repository: it says there is none, and how to name one.
    const doctor = await spawnCli(['doctor', '--no-aws'], cleanEnv(), elsewhere);
    expect(doctor.stderr).toContain(`Repository: none  ${elsewhere} is not inside`);
    expect(doctor.stderr).toContain('fix: run biomage inside a clone of the repository, or name one with --root <dir>');
  });

  it('--help names --root and BIOMAGE_ROOT', async () => {
    const run = await spawnCli(['--help'], cleanEnv(), tmpdir());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--root <dir>\s+the repository to work on/);
    expect(run.stdout).toContain('BIOMAGE_ROOT');
  });
});
