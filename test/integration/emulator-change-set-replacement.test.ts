import { describe, expect, it } from 'vitest';
import { describeNotPassed, runPytest } from '../helpers/pytest.js';

describe('change sets that say what replaces, and stack protection, in the emulator (tools/emulator)', () => {
  it('Replacement, Scope, Details and PolicyAction from the resource schemas; termination protection and stack policies enforced; ListChangeSets per stack (pytest, one test each)', async () => {
    // tools/emulator/test_change_set_replacement.py starts its own emulator and reads every
    // outcome through the CloudFormation, DynamoDB, S3, SNS and SQS APIs with boto3.
    const run = await runPytest('tools/emulator/test_change_set_replacement.py');
    expect(run.notPassed, describeNotPassed(run)).toEqual([]);
    expect(run.passed.length, describeNotPassed(run)).toBeGreaterThanOrEqual(9);
    expect(run.code).toBe(0);
  });
});
