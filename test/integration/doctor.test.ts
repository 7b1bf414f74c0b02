import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/diagnose.js';
import { toolsDir } from '../../src/paths.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

/** A tools folder holding the real pinned tools, minus the ones named. */
function partialToolsDir(without: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'biomage-tools-'));
  mkdirSync(join(dir, 'bin'));
  for (const tool of ['helm', 'kubeconform', 'actionlint', 'eksctl']) {
    if (!without.includes(tool)) symlinkSync(join(toolsDir(), 'bin', tool), join(dir, 'bin', tool));
  }
  if (!without.includes('venv')) symlinkSync(join(toolsDir(), 'venv'), join(dir, 'venv'));
  return dir;
}

/** PATH with only the machine's base tools: nothing of .tools/ leaks in through it. */
const basePath = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');

async function doctor(args: string[], env: NodeJS.ProcessEnv) {
  const run = await spawnCli(['doctor', '--json', ...args], cleanEnv({ PATH: basePath, ...env }));
  return { ...run, report: (JSON.parse(run.stdout) as { result: DoctorReport }).result };
}

describe('biomage doctor', () => {
  const { emulator } = useEmulator();

  it('with the full toolchain and the twin answering: every required tool ok, exit 0', async () => {
    const { code, report, stderr } = await doctor(['--endpoint-url', emulator().endpoint], { BIOMAGE_TOOLS_DIR: partialToolsDir([]) });
    const notOk = report.tools.filter((t) => t.required && t.status !== 'ok');
    expect(notOk, stderr).toEqual([]);
    expect(report.aws).toMatchObject({ env: 'development', status: 'ok', endpoint: emulator().endpoint, region: 'eu-west-1' });
    expect(report.aws.account).toMatch(/^\d{12}$/);
    expect(code).toBe(0);
    const helm = report.tools.find((t) => t.tool === 'helm')!;
    expect(helm.source).toBe('project');
  });

  it('with a tool missing from the PATH and .tools/: exit 3, the tool named with the command that installs it', async () => {
    const env = { BIOMAGE_TOOLS_DIR: partialToolsDir(['kubeconform']) };
    const { code, report } = await doctor(['--no-aws'], env);
    expect(code).toBe(3);
    expect(report.problems).toBe(1);
    expect(report.tools.find((t) => t.tool === 'kubeconform')).toMatchObject({
      status: 'missing',
      fix: 'tools/install.sh kubeconform',
    });

    const human = await spawnCli(['doctor', '--no-aws'], cleanEnv({ PATH: basePath, ...env }));
    expect(human.code).toBe(3);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(/^kubeconform\s+missing/m);
    expect(human.stderr).toContain('To fix:');
    expect(human.stderr).toMatch(/^ {2}kubeconform: tools\/install.sh kubeconform$/m);
    expect(human.stderr).toContain('1 problem(s) found.');
  });

  it('without the venv: moto and cfn-lint are missing, never taken from the system PATH', async () => {
    const { code, report } = await doctor(['--no-aws'], { BIOMAGE_TOOLS_DIR: partialToolsDir(['venv']) });
    expect(code).toBe(3);
    for (const tool of ['moto', 'cfn-lint']) {
      expect(report.tools.find((t) => t.tool === tool)).toMatchObject({ status: 'missing', fix: 'tools/install.sh venv' });
    }
  });

  it('region precedence through the CLI: --region beats AWS_REGION, which beats the default', async () => {
    const tools = partialToolsDir([]);
    const endpoint = emulator().endpoint;
    const fromEnv = await doctor(['--endpoint-url', endpoint], { BIOMAGE_TOOLS_DIR: tools, AWS_REGION: 'eu-central-1' });
    expect(fromEnv.report.aws.region).toBe('eu-central-1');
    const fromFlag = await doctor(['--endpoint-url', endpoint, '--region', 'us-east-1'], { BIOMAGE_TOOLS_DIR: tools, AWS_REGION: 'eu-central-1' });
    expect(fromFlag.report.aws.region).toBe('us-east-1');
  });

  it('an unreachable twin is a problem with the next step', async () => {
    const { code, report } = await doctor([], {
      BIOMAGE_TOOLS_DIR: partialToolsDir([]),
      BIOMAGE_STATE_DIR: mkdtempSync(join(tmpdir(), 'biomage-state-')),
    });
    expect(code).toBe(3);
    expect(report.aws).toMatchObject({ status: 'unreachable', fix: expect.stringContaining('make dev') });
  });
});
