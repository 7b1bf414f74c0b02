import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, runToolOk, ToolFailedError } from '../../src/tools/run.js';
import { OperationError, ToolMissingError } from '../../src/ui/errors.js';

/** The one place that spawns processes, with the machine's sh as the tool: what every facade relies on. */
const sh = { name: 'sh', install: 'apt-get install dash', scope: 'system' as const };

describe('runTool', () => {
  it('collects stdout and stderr apart, each without its final line ending, and the exit code', async () => {
    const result = await runTool(sh, ['-c', 'printf "a\\nb\\n\\n"; printf "warning\\r\\n" >&2; exit 4']);
    expect(result).toEqual({ stdout: 'a\nb\n', stderr: 'warning', exitCode: 4 });
  });

  it('gives input on stdin, and closes stdin when there is none (a reader sees the end, never waits)', async () => {
    expect((await runTool(sh, ['-c', 'cat'], { input: 'line one\nline two\n' })).stdout).toBe('line one\nline two');
    expect((await runTool(sh, ['-c', 'cat; echo done'])).stdout).toBe('done');
  });

  it('runs in cwd with exactly the environment given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'biomage-run-tool-'));
    try {
      const result = await runTool(sh, ['-c', 'pwd; echo "${ONLY-unset} ${HOME-unset}"'], { cwd: dir, env: { PATH: process.env.PATH, ONLY: 'set' } });
      expect(result.stdout.split('\n')).toEqual([dir, 'set unset']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps multi-byte characters split across chunks whole', async () => {
    const text = 'é→✓'.repeat(30_000);
    expect((await runTool(sh, ['-c', 'cat'], { input: text })).stdout).toBe(text);
  });

  it('streams each line to onLine as it arrives, the last one without a line ending too', async () => {
    const lines: string[] = [];
    await runTool(sh, ['-c', 'echo one; echo two >&2; printf three'], { onLine: (line) => lines.push(line) });
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
  });

  it('a missing tool, a tool that cannot start, a timeout and a non-zero exit are typed errors', async () => {
    await expect(runTool({ name: 'no-such-tool-biomage', install: 'nothing' }, [])).rejects.toBeInstanceOf(ToolMissingError);
    await expect(runTool(sh, ['-c', 'true'], { cwd: join(tmpdir(), 'no-such-dir-biomage') })).rejects.toThrow(/sh could not be started/);
    await expect(runTool(sh, ['-c', 'sleep 5'], { timeoutMs: 100 })).rejects.toThrow(new OperationError('sh did not finish within 100 ms'));
    const failed = await runToolOk(sh, ['-c', 'echo first >&2; echo why >&2; exit 3']).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ToolFailedError);
    expect(failed).toMatchObject({ toolExitCode: 3, message: 'sh exited with code 3:\n  first\n  why' });
  });
});
