import type { Context } from '../context.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { compareVersions } from '../tools/versions.js';
import { countProblems, diagnoseAws, diagnoseRuntime, diagnoseTools, type DoctorReport, type RuntimeReport } from './diagnose.js';
import { TOOL_CATALOG } from './tool-catalog.js';

export async function runDoctor(ctx: Context, options: { aws: boolean }): Promise<DoctorReport> {
  const [runtime, tools, aws] = await Promise.all([
    diagnoseRuntime(ctx.processEnv),
    diagnoseTools(TOOL_CATALOG, ctx.processEnv),
    diagnoseAws(ctx.env, ctx.aws, !options.aws),
  ]);
  return { runtime, tools, aws, problems: countProblems(tools, aws) };
}

/** One line: the Node that runs biomage, where it came from, and (for the pinned one) why. */
export function renderRuntime(runtime: RuntimeReport): string {
  const head = `Node.js: biomage runs on ${runtime.node}`;
  if (runtime.source !== 'project') return `${head}, the machine's (${runtime.path})`;
  const pinned = `${head} from .tools/node (${runtime.path}), the pinned NODE_VERSION ${runtime.pinned ?? '?'}`;
  const { machine } = runtime;
  if (!machine) return `${pinned}; the machine has no node on PATH`;
  if (!machine.version) return `${pinned}; the machine's ${machine.path} does not say its version`;
  if (compareVersions(machine.version, runtime.minimum) < 0) {
    return `${pinned}, because the machine's ${machine.path} is ${machine.version}, older than NODE_MIN ${runtime.minimum}`;
  }
  return `${pinned}; the machine's ${machine.path} (${machine.version}) would do too: remove .tools/node to run on it`;
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
  const lines = [renderTable(['tool', 'status', 'version', 'pinned', 'from'], rows), '', renderRuntime(report.runtime)];

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
