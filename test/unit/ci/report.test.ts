import { describe, expect, it } from 'vitest';
import { emptyRepositoryReport, exitCodeOf, renderRotateCiReport, type RotateCiReport } from '../../../src/ci/report.js';
import { painter } from '../../../src/ui/style.js';

const paint = painter(false);

function report(dryRun: boolean): RotateCiReport {
  const api = { ...emptyRepositoryReport('api'), user: 'ci-user-api', policies: 'update' as const, policyChanges: { added: ['a'], updated: ['b'], removed: ['c'] } };
  const docs = { ...emptyRepositoryReport('docs'), result: 'skipped' as const, notes: ['no .ci.yaml or .ci.yml on main'] };
  const ui = { ...emptyRepositoryReport('ui'), user: 'ci-user-ui', result: 'failed' as const, errors: [{ message: 'boom', hint: 'rerun' }] };
  if (dryRun) {
    Object.assign(api, { result: 'planned', secretsUpdated: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], deletedKeys: [{ created: '2025-01-01T00:00:00Z', status: 'Active', why: 'replaced' }] });
  } else {
    Object.assign(api, { keyRotated: true, secretsUpdated: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], deletedKeys: [{ created: '2025-01-01T00:00:00Z', status: 'Active', why: 'replaced' }] });
  }
  return { organisation: 'acme', env: 'staging', region: 'eu-west-1', dryRun, prune: false, stack: { name: 'biomage-ci-users', action: 'update', result: dryRun ? 'planned' : 'ok' }, repositories: [api, docs, ui] };
}

describe('the rotate-ci summary', () => {
  it('a table per repository, then notes and errors with the next step', () => {
    const text = renderRotateCiReport(report(false), paint);
    expect(text.split('\n').slice(0, 7)).toEqual([
      'stack biomage-ci-users: update (ok)',
      '',
      'repository  policies         key          secrets      result',
      '----------  ---------------  -----------  -----------  -------',
      'api         update +a ~b -c  rotated      updated      ok',
      'docs        -                -            -            skipped',
      'ui          -                not rotated  not updated  failed',
    ]);
    expect(text).toContain('api:\n  deleted the active key created 2025-01-01T00:00:00Z (replaced)');
    expect(text).toContain('ui:\n  error: boom\n  next:  rerun');
    expect(text.endsWith('1 repository failed.')).toBe(true);
    expect(exitCodeOf(report(false))).toBe(1);
  });

  it('a dry run says what would happen', () => {
    const text = renderRotateCiReport(report(true), paint);
    expect(text).toMatch(/api\s+would update \+a ~b -c\s+would rotate\s+would update\s+planned/);
    expect(text).toContain('would delete the active key created 2025-01-01T00:00:00Z (replaced)');
  });
});
