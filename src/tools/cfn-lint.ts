import { runTool, runToolOk, ToolFailedError } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** cfn-lint: lints every CloudFormation template, in one run over all of them. */
export const cfnLint: ToolSpec = {
  name: 'cfn-lint',
  install: 'tools/install.sh venv',
  purpose: 'lint CloudFormation templates',
  pin: { key: 'CFN_LINT_VERSION', kind: 'exact' },
  required: true,
  scope: 'project',
  async version(env) {
    return firstLine((await runToolOk(cfnLint, ['--version'], { env })).stdout, /^cfn-lint\s+/);
  },
};

/** One cfn-lint match, from its JSON output. */
export interface CfnLintMatch {
  file: string;
  line: number;
  column: number;
  rule: string;
  level: 'Error' | 'Warning' | 'Informational';
  message: string;
}

/**
 * Lint templates in one cfn-lint process: its start-up (~1 s) dominates, so one run over all
 * templates costs about what one template costs. cfn-lint exits non-zero when it finds anything,
 * so the JSON on stdout, not the exit code, says whether it ran.
 */
export async function lintTemplates(
  files: string[],
  options: { cwd: string; regions: string[]; env?: NodeJS.ProcessEnv },
): Promise<CfnLintMatch[]> {
  if (!files.length) return [];
  const result = await runTool(cfnLint, ['--format', 'json', '--regions', ...options.regions, '--', ...files], {
    cwd: options.cwd,
    env: options.env,
  });
  let matches: unknown;
  try {
    matches = JSON.parse(result.stdout || 'null');
  } catch {
    matches = null;
  }
  if (!Array.isArray(matches)) throw new ToolFailedError('cfn-lint', result.exitCode, result.stderr || result.stdout);
  return (matches as RawMatch[]).map((m) => ({
    file: m.Filename,
    line: m.Location.Start.LineNumber,
    column: m.Location.Start.ColumnNumber,
    rule: m.Rule.Id,
    level: m.Level,
    message: m.Message,
  }));
}

interface RawMatch {
  Filename: string;
  Level: CfnLintMatch['level'];
  Location: { Start: { LineNumber: number; ColumnNumber: number } };
  Message: string;
  Rule: { Id: string };
}
