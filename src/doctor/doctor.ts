import type { Context } from '../context.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { countProblems, diagnoseAws, diagnoseTools, type DoctorReport } from './diagnose.js';
import { TOOL_CATALOG } from './tool-catalog.js';

export async function runDoctor(ctx: Context, options: { aws: boolean }): Promise<DoctorReport> {
  const [tools, aws] = await Promise.all([
    diagnoseTools(TOOL_CATALOG, ctx.processEnv),
    diagnoseAws(ctx.env, ctx.aws, !options.aws),
  ]);
  return { tools, aws, problems: countProblems(tools, aws) };
}

export function renderDoctor(report: DoctorReport, paint: Paint): string {
  const status = (s: string, required: boolean) =>
    s === 'ok' ? paint('green', 'ok') : required ? paint('red', s) : paint('yellow', `${s} (optional)`);
  const rows = report.tools.map((t) => [
    t.tool,
    status(t.status, t.required),
    t.found ?? '-',
    t.wanted ?? '-',
    t.path ? `${t.source}: ${t.path}` : '-',
  ]);
  const lines = [renderTable(['tool', 'status', 'version', 'pinned', 'from'], rows)];

  const fixes = report.tools.filter((t) => t.status !== 'ok' && t.fix);
  if (fixes.length) {
    lines.push('', 'To fix:');
    for (const t of fixes) lines.push(`  ${t.tool}: ${t.fix}${t.required ? '' : '   (optional: ' + t.purpose + ')'}`);
  }

  const { aws } = report;
  lines.push('');
  if (aws.status === 'skipped') lines.push(`AWS (${aws.env}): not checked (--no-aws)`);
  else if (aws.status === 'ok') {
    lines.push(`AWS (${aws.env}): ${paint('green', 'ok')}  account ${aws.account}  as ${aws.arn}`);
    lines.push(`  region ${aws.region}${aws.endpoint ? `, endpoint ${aws.endpoint}` : ''}`);
  } else {
    lines.push(`AWS (${aws.env}): ${paint('red', 'unreachable')}  ${aws.error}`);
    if (aws.fix) lines.push(`  fix: ${aws.fix}`);
  }
  lines.push('', report.problems === 0 ? paint('green', 'No problems found.') : paint('red', `${report.problems} problem(s) found.`));
  return lines.join('\n');
}
