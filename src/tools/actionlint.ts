import { runTool, runToolOk, ToolFailedError } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** actionlint: lints the GitHub workflows under .github/workflows/. */
export const actionlint: ToolSpec = {
  name: 'actionlint',
  install: 'tools/install.sh actionlint',
  purpose: 'lint GitHub workflows',
  pin: { key: 'ACTIONLINT_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    return firstLine((await runToolOk(actionlint, ['-version'], { env })).stdout);
  },
};

/** One actionlint error, from its JSON output. */
export interface ActionlintError {
  file: string;
  line: number;
  column: number;
  kind: string;
  message: string;
}

/** Lint workflow files in one actionlint run; exit 1 means "found errors", which the JSON carries. */
export async function lintWorkflows(files: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ActionlintError[]> {
  if (!files.length) return [];
  const result = await runTool(actionlint, ['-no-color', '-format', '{{json .}}', ...files], { cwd: options.cwd, env: options.env });
  if (result.exitCode > 1) throw new ToolFailedError('actionlint', result.exitCode, result.stderr || result.stdout);
  const errors = JSON.parse(result.stdout.trim() || '[]') as { filepath: string; line: number; column: number; kind: string; message: string }[];
  return errors.map((e) => ({ file: e.filepath, line: e.line, column: e.column, kind: e.kind, message: e.message }));
}
