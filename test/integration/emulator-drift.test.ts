import { describe, expect, it } from 'vitest';
import { describeNotPassed, runPytest } from '../helpers/pytest.js';

describe('stack drift detection in the emulator (tools/emulator/drift_detection.py)', () => {
  it('DetectStackDrift and its companions: in sync after a deploy, then each change made through a service API found at its property path, deleted resources DELETED (pytest, one test each)', async () => {
    // tools/emulator/test_drift.py starts its own emulator, deploys a stack through a change set,
    // changes its resources with boto3 through S3, DynamoDB, SQS, SNS, IAM, Lambda, EC2 and Logs,
    // and checks what the CloudFormation drift API reports after each change.
    const run = await runPytest('tools/emulator/test_drift.py');
    expect(run.notPassed, describeNotPassed(run)).toEqual([]);
    expect(run.passed.length, describeNotPassed(run)).toBeGreaterThanOrEqual(67);
    expect(run.code).toBe(0);
  });
});
