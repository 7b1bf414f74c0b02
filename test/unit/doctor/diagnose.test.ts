import { describe, expect, it } from 'vitest';
import { countProblems, diagnoseTools } from '../../../src/doctor/diagnose.js';
import type { ToolSpec } from '../../../src/tools/spec.js';
import { pinnedVersions } from '../../../src/tools/versions.js';

/** In-memory specs: the version comparison is tested without any binary. */
function spec(over: Partial<ToolSpec> & { reports?: string | undefined }): ToolSpec {
  return {
    name: 'node',
    install: 'tools/install.sh thing',
    purpose: 'testing',
    required: true,
    where: () => ({ path: '/opt/thing', source: 'project' }),
    version: async () => over.reports,
    ...over,
  };
}

describe('diagnoseTools', () => {
  const helmPin = pinnedVersions().HELM_VERSION!;

  it('an exact pin must match exactly', async () => {
    const [ok, wrong] = await diagnoseTools(
      [spec({ pin: { key: 'HELM_VERSION', kind: 'exact' }, reports: helmPin }), spec({ pin: { key: 'HELM_VERSION', kind: 'exact' }, reports: 'v3.20.0' })],
      {},
    );
    expect(ok).toMatchObject({ status: 'ok', found: helmPin, wanted: helmPin });
    expect(wrong).toMatchObject({ status: 'wrong-version', found: 'v3.20.0', fix: 'tools/install.sh thing' });
  });

  it('a minimum accepts anything newer', async () => {
    const [newer, older] = await diagnoseTools(
      [spec({ pin: { key: 'GO_MIN', kind: 'minimum' }, reports: '9.0.0' }), spec({ pin: { key: 'GO_MIN', kind: 'minimum' }, reports: '1.0.0' })],
      {},
    );
    expect(newer).toMatchObject({ status: 'ok', wanted: `>=${pinnedVersions().GO_MIN}` });
    expect(older).toMatchObject({ status: 'wrong-version' });
  });

  it('a tool that cannot say its version is a problem only when pinned', async () => {
    const [pinnedSilent, unpinnedSilent] = await diagnoseTools(
      [spec({ pin: { key: 'HELM_VERSION', kind: 'exact' } }), spec({ version: async () => { throw new Error('boom'); } })],
      {},
    );
    expect(pinnedSilent).toMatchObject({ status: 'unknown-version', fix: 'tools/install.sh thing' });
    expect(unpinnedSilent).toMatchObject({ status: 'unknown-version' });
  });

  it('a missing tool names the command that installs it; optional ones are not problems', async () => {
    const tools = await diagnoseTools(
      [
        { ...spec({}), where: undefined, name: 'no-such-binary-here', required: true },
        { ...spec({}), where: undefined, name: 'no-such-binary-either', required: false },
      ],
      { PATH: '/nonexistent' },
    );
    expect(tools.map((t) => t.status)).toEqual(['missing', 'missing']);
    expect(tools[0]!.fix).toBe('tools/install.sh thing');
    expect(countProblems(tools, { env: 'development', status: 'skipped' })).toBe(1);
  });
});
