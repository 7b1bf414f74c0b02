import { describe, expect, it } from 'vitest';
import type { DeployedStack } from '../../../src/destroy/inspect.js';
import { assertDeletable } from '../../../src/destroy/refusals.js';
import { ExitCode, InputError } from '../../../src/ui/errors.js';

const stack = (name: string, over: Partial<DeployedStack> = {}): DeployedStack => ({
  name,
  id: `arn:aws:cloudformation:eu-west-1:1:stack/${name}/x`,
  status: 'UPDATE_COMPLETE',
  terminationProtection: false,
  madeFor: { environment: 'production', template: `cf/${name}.yaml` },
  retained: [],
  resources: [],
  imports: [],
  ...over,
});

describe('assertDeletable: everything that stops a destroy, before anything is deleted', () => {
  it('passes stacks deploy-cf made, settled, unprotected, imported by nothing outside the run', () => {
    expect(() => assertDeletable('production', [stack('a'), stack('b', { status: 'DELETE_FAILED' }), stack('c', { status: 'REVIEW_IN_PROGRESS' })], [])).not.toThrow();
  });

  it('lists every problem at once, each with its next step (exit 2)', () => {
    const error = (() => {
      try {
        assertDeletable(
          'production',
          [
            stack('biomage-s3-production', { terminationProtection: true }),
            stack('biomage-sns-production', { status: 'UPDATE_IN_PROGRESS' }),
            stack('biomage-old-production', { madeFor: { environment: 'staging' } }),
          ],
          [{ exporter: 'biomage-s3-production', exportName: 'uploads-arn', importer: 'legacy-worker', importerHasTemplate: false }],
          [{ stack: 'biomage-rds-production', logicalId: 'DatabaseCluster', type: 'AWS::RDS::DBCluster', physicalId: 'biomage-aurora-production', lift: 'aws rds modify-db-cluster --db-cluster-identifier biomage-aurora-production --no-deletion-protection --apply-immediately' }],
        );
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(ExitCode.BadInput);
    expect((error as InputError).message).toBe(
      [
        'destroy refused, nothing was deleted (5 problems):',
        '  - biomage-s3-production has termination protection',
        '    next: if it really must go: aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name biomage-s3-production',
        '  - biomage-sns-production is busy (UPDATE_IN_PROGRESS)',
        '    next: wait for it to settle, then rerun',
        '  - biomage-old-production was not made by biomage deploy-cf for production (its biomage:environment tag is staging)',
        "    next: destroy deletes only the stacks deploy-cf made; delete this one by hand if it really must go",
        '  - biomage-s3-production exports uploads-arn, which legacy-worker imports (a stack with no template in cf/), and this run does not delete legacy-worker',
        '    next: delete legacy-worker or remove its import first',
        '  - biomage-rds-production: DatabaseCluster (AWS::RDS::DBCluster biomage-aurora-production) has deletion protection on, and its DeletionPolicy deletes it: CloudFormation would fail there',
        '    next: if it really must go: aws rds modify-db-cluster --db-cluster-identifier biomage-aurora-production --no-deletion-protection --apply-immediately',
      ].join('\n'),
    );
  });
});
