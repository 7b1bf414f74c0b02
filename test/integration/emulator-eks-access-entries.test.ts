import { describe, expect, it } from 'vitest';
import { describeNotPassed, runPytest } from '../helpers/pytest.js';

describe('the emulator EKS access entries (tools/emulator/eks_access_entries.py)', () => {
  it('entries, tags, policy associations, the one-way authentication mode and node entries, with EKS validation errors, through the EKS API (pytest, one test each)', async () => {
    // tools/emulator/test_eks_access_entries.py starts its own emulator and checks each call with boto3.
    const run = await runPytest('tools/emulator/test_eks_access_entries.py');
    expect(run.notPassed, describeNotPassed(run)).toEqual([]);
    expect(run.passed.length, describeNotPassed(run)).toBeGreaterThanOrEqual(7);
    expect(run.code).toBe(0);
  });
});
