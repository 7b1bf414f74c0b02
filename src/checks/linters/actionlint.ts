import { lintWorkflows } from '../../tools/actionlint.js';
import type { Repository } from '../context.js';
import type { Finding } from '../finding.js';

/** actionlint over every workflow, in one process: catches steps wired to outputs no step produces. */
export async function actionlintFindings(repo: Repository, env?: NodeJS.ProcessEnv): Promise<Finding[]> {
  const errors = await lintWorkflows(
    repo.workflows.map((w) => w.file),
    { cwd: repo.root, env },
  );
  return errors.map((e) => ({ file: e.file, line: e.line, column: e.column, rule: `actionlint/${e.kind}`, message: e.message }));
}
