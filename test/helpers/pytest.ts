import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installRoot as repoRoot } from '../../src/paths.js';
import { locate } from '../../src/tools/locate.js';

export interface PytestRun {
  /** pytest's exit code: 0 all passed, 1 some failed, 5 none collected, other: pytest itself failed. */
  code: number;
  passed: string[];
  /** Every test that did not pass (failed, errored in a fixture, or skipped), with pytest's message. */
  notPassed: { test: string; outcome: 'failed' | 'error' | 'skipped'; message: string }[];
  /** pytest's own output, for when it could not run the tests at all. */
  output: string;
}

const xmlText = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * Run a Python test file (relative to the repository) under pytest with the tools venv's python,
 * and read each test's outcome from pytest's JUnit XML report.
 */
export async function runPytest(file: string, timeoutMs = 240_000): Promise<PytestRun> {
  const python = locate('python', process.env, 'project');
  if (!python) throw new Error('the tools venv is missing: tools/install.sh venv');
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-pytest-'));
  const report = join(scratch, 'report.xml');
  try {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        python.path,
        ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junit-xml', report, file],
        { cwd: repoRoot, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout + stderr }),
      );
    });
    const run: PytestRun = { code, passed: [], notPassed: [], output };
    let xml = '';
    try {
      xml = readFileSync(report, 'utf8');
    } catch {
      return run; // pytest did not get as far as a report: the output says why
    }
    for (const [, attributes, body = ''] of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const test = xmlText(/\bname="([^"]*)"/.exec(attributes!)?.[1] ?? '?');
      const outcome = /<(failure|error|skipped)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
      if (!outcome) run.passed.push(test);
      else {
        const message = xmlText(/\bmessage="([^"]*)"/.exec(outcome[2]!)?.[1] ?? '');
        const detail = xmlText(outcome[3] ?? '').trim();
        const kind = ({ failure: 'failed', error: 'error', skipped: 'skipped' } as const)[outcome[1] as 'failure' | 'error' | 'skipped'];
        run.notPassed.push({ test, outcome: kind, message: detail ? `${message}\n${detail}` : message });
      }
    }
    return run;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One paragraph per test that did not pass, for an assertion message. */
export function describeNotPassed(run: PytestRun): string {
  if (!run.passed.length && !run.notPassed.length) return `pytest ran no tests (exit ${run.code}):\n${run.output}`;
  return run.notPassed.map((t) => `${t.test} (${t.outcome}): ${t.message}`).join('\n\n');
}
