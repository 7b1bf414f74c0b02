import { describe, expect, it } from 'vitest';
import { describeNotPassed, runPytest } from '../helpers/pytest.js';

describe('the emulator extensions for the data tier (tools/emulator/extensions)', () => {
  it('Aurora, Secrets Manager (with the AWS::SecretsManager transform), SES and identity pools: create, update, delete, checked through the service APIs (pytest, one test each)', async () => {
    // tools/emulator/test_extensions_data.py starts its own emulator, deploys, updates and deletes
    // stacks through change sets, and checks each step with boto3 against the service APIs.
    const run = await runPytest('tools/emulator/test_extensions_data.py');
    expect(run.notPassed, describeNotPassed(run)).toEqual([]);
    expect(run.passed.length, describeNotPassed(run)).toBeGreaterThanOrEqual(31);
    expect(run.code).toBe(0);
  });
});
