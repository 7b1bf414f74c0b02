import { InputError } from '../ui/errors.js';
import { ENVIRONMENT_TAG, type DeployedStack } from './inspect.js';
import type { BlockingImport } from './order.js';
import type { ProtectedResource } from './protection.js';

/** Everything that makes the run impossible or unsafe, all at once, before anything is deleted (exit 2). */
export function assertDeletable(env: string, stacks: DeployedStack[], blocking: BlockingImport[], protectedOnes: ProtectedResource[] = []): void {
  const problems: { where: string; message: string; hint: string }[] = [];
  for (const s of stacks) {
    if (s.madeFor?.environment !== env) {
      problems.push({
        where: s.name,
        message: `${s.name} was not made by biomage deploy-cf for ${env} (its ${ENVIRONMENT_TAG} tag is ${s.madeFor?.environment ?? 'missing'})`,
        hint: 'destroy deletes only the stacks deploy-cf made; delete this one by hand if it really must go',
      });
    }
    if (s.terminationProtection) {
      problems.push({
        where: s.name,
        message: `${s.name} has termination protection`,
        hint: `if it really must go: aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${s.name}`,
      });
    }
    if (s.status.endsWith('_IN_PROGRESS') && s.status !== 'DELETE_IN_PROGRESS' && s.status !== 'REVIEW_IN_PROGRESS') {
      problems.push({ where: s.name, message: `${s.name} is busy (${s.status})`, hint: 'wait for it to settle, then rerun' });
    }
  }
  for (const b of blocking) {
    problems.push({
      where: b.exporter,
      message: `${b.exporter} exports ${b.exportName}, which ${b.importer} imports${b.importerHasTemplate ? '' : ' (a stack with no template in cf/)'}, and this run does not delete ${b.importer}`,
      hint: b.importerHasTemplate
        ? `destroy ${b.importer} in the same run (name its template too), or first deploy it without the import`
        : `delete ${b.importer} or remove its import first`,
    });
  }
  for (const p of protectedOnes) {
    problems.push({
      where: `${p.stack} ${p.logicalId}`,
      message: `${p.stack}: ${p.logicalId} (${p.type} ${p.physicalId}) has deletion protection on, and its DeletionPolicy deletes it: CloudFormation would fail there`,
      hint: `if it really must go: ${p.lift}`,
    });
  }
  const [first] = problems;
  if (!first) return;
  if (problems.length === 1) throw new InputError(`destroy refused, nothing was deleted: ${first.message}`, { where: first.where, hint: first.hint });
  throw new InputError(
    [`destroy refused, nothing was deleted (${problems.length} problems):`, ...problems.map((p) => `  - ${p.message}\n    next: ${p.hint}`)].join('\n'),
    { where: first.where, hint: 'deal with each problem above, then rerun' },
  );
}
