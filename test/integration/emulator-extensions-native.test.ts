import { describe, expect, it } from 'vitest';
import { describeNotPassed, runPytest } from '../helpers/pytest.js';

describe("the emulator extensions that mend moto's own models (tools/emulator/extensions)", () => {
  it('Lambda, Logs, KMS, EC2, RDS, Batch, IAM managed policies and Route 53 record set groups: create, update, delete, checked through the service APIs (pytest, one test each)', async () => {
    // tools/emulator/test_extensions_native.py starts its own emulator, deploys, updates and
    // deletes a stack through change sets, and checks each step with boto3 against the service APIs.
    const run = await runPytest('tools/emulator/test_extensions_native.py');
    expect(run.notPassed, describeNotPassed(run)).toEqual([]);
    expect(run.passed.length, describeNotPassed(run)).toBeGreaterThanOrEqual(55);
    expect(run.code).toBe(0);
  });
});
