import { describe, expect, it } from 'vitest';
import { describeNotPassed, runPytest } from '../helpers/pytest.js';

describe('the emulator extensions (tools/emulator/extensions)', () => {
  it('create, update and delete every added resource type, checked through the service APIs (pytest, one test each)', async () => {
    // tools/emulator/test_extensions.py starts its own emulator, deploys, updates and deletes
    // stacks using every added type, and checks each step with boto3 against the service APIs.
    const run = await runPytest('tools/emulator/test_extensions.py');
    expect(run.notPassed, describeNotPassed(run)).toEqual([]);
    expect(run.passed.length, describeNotPassed(run)).toBeGreaterThanOrEqual(40);
    expect(run.code).toBe(0);
  });
});
