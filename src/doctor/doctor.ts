import { join } from 'node:path';
import type { Context } from '../context.js';
import { renderTable } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { compareVersions } from '../tools/versions.js';
import {
  countProblems,
  diagnoseAws,
  diagnoseRepository,
  diagnoseRuntime,
  diagnoseToolchain,
  diagnoseTools,
  type DoctorReport,
  type RepositoryReport,
  type RuntimeReport,
  type ToolchainReport,
  type ToolReport,
} from './diagnose.js';
import { TOOL_CATALOG } from './tool-catalog.js';

export async function runDoctor(ctx: Context, options: { aws: boolean }): Promise<DoctorReport> {
  const [runtime, tools, aws] = await Promise.all([
    diagnoseRuntime(ctx.processEnv),
    diagnoseTools(TOOL_CATALOG, ctx.processEnv),
    diagnoseAws(ctx.env, ctx.aws, !options.aws),
  ]);
  const repository = diagnoseRepository(() => ctx.root, ctx.rootSource);
  const toolchain = diagnoseToolchain(ctx.processEnv);
  const fixed = repository.root === toolchain.install ? tools : tools.map((t) => installerOf(t, toolchain.install));
  return { repository, toolchain, runtime, tools: fixed, aws, problems: countProblems(fixed, aws) };
}

/**
 * Run from another clone, that clone's tools/install.sh would fill its own .tools/, which this
 * biomage does not use: the fix names the installation's installer instead.
 */
function installerOf(tool: ToolReport, install: string): ToolReport {
  return tool.fix?.startsWith('tools/') ? { ...tool, fix: join(install, tool.fix) } : tool;
}

const ROOT_SOURCES = { flag: '--root', env: 'BIOMAGE_ROOT', cwd: 'found from the working directory' } as const;

/** The repository commands work on from here, and where it came from; outside one, the fix. */
export function renderRepository(repository: RepositoryReport, paint: Paint): string {
  if (repository.root) return `Repository: ${repository.root} (${ROOT_SOURCES[repository.source]})`;
  return [`Repository: ${paint('yellow', 'none')}  ${repository.error ?? ''}`, ...(repository.fix ? [`  fix: ${repository.fix}`] : [])].join('\n');
}

/** The toolchain in use: the installation's .tools/, or where BIOMAGE_TOOLS_DIR moved it. */
export function renderToolchain(toolchain: ToolchainReport): string {
  return toolchain.relocated
    ? `Toolchain: ${toolchain.dir} (BIOMAGE_TOOLS_DIR), for biomage installed in ${toolchain.install}`
    : `Toolchain: ${toolchain.dir}, beside biomage installed in ${toolchain.install}`;
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
  const lines = [
    renderTable(['tool', 'status', 'version', 'pinned', 'from'], rows),
    '',
    renderRepository(report.repository, paint),
    renderToolchain(report.toolchain),
    renderRuntime(report.runtime),
  ];

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
