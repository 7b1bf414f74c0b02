import { lintTemplates } from '../../tools/cfn-lint.js';
import type { Repository } from '../context.js';
import type { Finding } from '../finding.js';

/** cfn-lint over every template (cf/ and infra/cf-*), in one process. */
export async function cfnLintFindings(repo: Repository, options: { regions: string[]; env?: NodeJS.ProcessEnv }): Promise<Finding[]> {
  const matches = await lintTemplates(
    repo.templates.map((t) => t.file),
    { cwd: repo.root, regions: options.regions, env: options.env },
  );
  return matches
    .filter((m) => m.level !== 'Informational')
    .map((m) => ({ file: m.file, line: m.line, column: m.column, rule: `cfn-lint/${m.rule}`, message: shortened(m.message) }));
}

/** cfn-lint lists every allowed value (`'x' is not one of [… 80 actions …]`): keep the point, drop the list. */
function shortened(message: string): string {
  return message.replace(/ is not one of \[[^\]]{120,}\]/, ' is not one of the allowed values');
}
