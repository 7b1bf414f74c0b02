import { describe, expect, it } from 'vitest';
import { InputError, OperationError } from '../../../src/ui/errors.js';
import { Output, renderTable } from '../../../src/ui/output.js';
import { colorWanted } from '../../../src/ui/style.js';

function capture(json: boolean, verbose = false) {
  const streams = { stdout: '', stderr: '' };
  const out = new Output({
    json,
    verbose,
    color: false,
    stdout: { write: (s: string) => (streams.stdout += s) },
    stderr: { write: (s: string) => (streams.stderr += s) },
  });
  return { out, streams };
}

describe('Output', () => {
  it('human results and progress go to stderr; stdout stays empty', () => {
    const { out, streams } = capture(false);
    out.step('deploying');
    out.result('x', { n: 1 }, (d) => `n is ${d.n}`);
    expect(streams.stdout).toBe('');
    expect(streams.stderr).toBe('› deploying\nn is 1\n');
  });

  it('--json puts the result document on stdout, progress on stderr', () => {
    const { out, streams } = capture(true);
    out.step('deploying');
    out.result('x', { n: 1 }, () => 'unused', 3);
    expect(JSON.parse(streams.stdout)).toEqual({ ok: false, command: 'x', exitCode: 3, result: { n: 1 } });
    expect(streams.stderr).toBe('› deploying\n');
  });

  it('a failure says what, where and the next step; no stack unless verbose', () => {
    const { out, streams } = capture(false);
    out.failure('deploy-cf', new InputError('bad YAML', { where: 'cf/s3.yaml:12', hint: 'fix the indentation' }));
    expect(streams.stderr).toBe('error: bad YAML\n  where: cf/s3.yaml:12\n  next:  fix the indentation\n');
  });

  it('--verbose adds the stack and its causes', () => {
    const { out, streams } = capture(false, true);
    out.failure('x', new OperationError('outer', { cause: new Error('inner') }));
    expect(streams.stderr).toContain('caused by: Error: inner');
  });

  it('registered secrets are masked on every path', () => {
    const { out, streams } = capture(true);
    out.secret('AKIAEXAMPLESECRET');
    out.info('key AKIAEXAMPLESECRET created');
    out.result('x', { key: 'AKIAEXAMPLESECRET' }, () => '');
    out.failure('x', new OperationError('upload of AKIAEXAMPLESECRET failed'));
    expect(streams.stdout + streams.stderr).not.toContain('AKIAEXAMPLESECRET');
    expect(streams.stderr).toContain('key **** created');
  });

  it('debug lines appear only with --verbose', () => {
    const quiet = capture(false);
    quiet.out.debug('detail');
    expect(quiet.streams.stderr).toBe('');
    const loud = capture(false, true);
    loud.out.debug('detail');
    expect(loud.streams.stderr).toBe('detail\n');
  });
});

describe('renderTable', () => {
  it('pads columns to the widest cell and ignores colour codes when measuring', () => {
    expect(renderTable(['a', 'bb'], [['xxx', '\u001b[32mok\u001b[0m'], ['y', 'no']])).toBe(
      ['a    bb', '---  --', 'xxx  \u001b[32mok\u001b[0m', 'y    no'].join('\n'),
    );
  });
});

describe('colour', () => {
  it('is off with NO_COLOR, with --no-color, and when stderr is not a terminal', () => {
    expect(colorWanted(true, {}, true)).toBe(true);
    expect(colorWanted(true, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted(false, {}, true)).toBe(false);
    expect(colorWanted(true, {}, false)).toBe(false);
  });
});
