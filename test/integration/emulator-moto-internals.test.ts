import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locate } from '../../src/tools/locate.js';

describe('the moto internals the emulator extensions rely on (tools/emulator/moto_internals.py)', () => {
  it('are all in the pinned moto, listed completely, and a missing one stops launch.py naming it', () => {
    const python = locate('python', process.env, 'project');
    expect(python, 'the tools venv is missing: tools/install.sh venv').toBeDefined();
    const output = execFileSync(python!.path, [fileURLToPath(new URL('../../tools/emulator/test_moto_internals.py', import.meta.url))], { encoding: 'utf8', timeout: 120_000 });
    expect(output).toContain('moto internals check: ok');
  });
});
