import type { CloudFormationClient, StackResourceDrift } from '@aws-sdk/client-cloudformation';
import { setTimeout as sleep } from 'node:timers/promises';
import { cloudFormationSdk } from '../aws/sdk.js';

const { DescribeStackDriftDetectionStatusCommand, DescribeStackResourceDriftsCommand, DetectStackDriftCommand } = cloudFormationSdk();

/** What CloudFormation's drift detection found for one stack. */
export interface StackDetection {
  stack: string;
  /** DETECTION_COMPLETE, or DETECTION_FAILED (some resources could not be checked: see reason). */
  detectionStatus: string;
  /** DRIFTED, IN_SYNC, NOT_CHECKED or UNKNOWN. */
  stackDriftStatus?: string;
  reason?: string;
  /** The resources that are MODIFIED or DELETED. */
  drifts: StackResourceDrift[];
}

export interface DetectOptions {
  /** How often to ask whether the detection finished: short for the emulator, seconds on AWS. */
  pollMs: number;
  /** Give up waiting after this long (a detection of a large stack takes minutes on AWS). */
  timeoutMs: number;
}

/**
 * Start CloudFormation's drift detection on the stack, wait for it, and read the resources that
 * drifted. A detection that fails for some resources (DETECTION_FAILED: a type it cannot check,
 * a permission missing) still reports the ones it checked. Throws when CloudFormation refuses to
 * start (a stack that is busy, say): the caller records that per stack.
 */
export async function detectStackDrift(cfn: CloudFormationClient, stack: string, options: DetectOptions): Promise<StackDetection> {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
  if (!StackDriftDetectionId) throw new Error(`CloudFormation started no drift detection for ${stack} (no detection id)`);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const status = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (status.DetectionStatus !== 'DETECTION_IN_PROGRESS') {
      const drifts = await resourceDrifts(cfn, stack);
      return {
        stack,
        detectionStatus: status.DetectionStatus ?? 'UNKNOWN',
        ...(status.StackDriftStatus ? { stackDriftStatus: status.StackDriftStatus } : {}),
        ...(status.DetectionStatusReason ? { reason: status.DetectionStatusReason } : {}),
        drifts,
      };
    }
    if (Date.now() > deadline) throw new Error(`drift detection ${StackDriftDetectionId} of ${stack} did not finish within ${Math.round(options.timeoutMs / 1000)} s`);
    await sleep(options.pollMs);
  }
}

/** The stack's MODIFIED and DELETED resources from its latest detection, every page. */
async function resourceDrifts(cfn: CloudFormationClient, stack: string): Promise<StackResourceDrift[]> {
  const drifts: StackResourceDrift[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: stack, StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'], NextToken }));
    drifts.push(...(page.StackResourceDrifts ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return drifts;
}
