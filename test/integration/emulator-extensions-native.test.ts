import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/paths.js';
import { locate } from '../../src/tools/locate.js';

describe("the emulator extensions that mend moto's own models (tools/emulator/extensions)", () => {
  it('Lambda, Logs, KMS, EC2, RDS, Batch, IAM managed policies and Route 53 record set groups: create, update, delete, checked through the service APIs', () => {
    // The smoke script starts its own emulator, deploys, updates and deletes a stack through change
    // sets, and asserts each step with boto3 against the service APIs.
    const python = locate('python', process.env, 'project');
    expect(python, 'the tools venv is missing: tools/install.sh venv').toBeDefined();
    const output = execFileSync(python!.path, [join(repoRoot, 'tools', 'emulator', 'test_extensions_native.py')], { encoding: 'utf8', timeout: 120_000 });
    expect(output).toContain('native extensions smoke test: ok');
  });
});
