import { runTool, runToolOk, ToolFailedError } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** helm: renders and lints the charts under charts/ and infra/charts/. */
export const helm: ToolSpec = {
  name: 'helm',
  install: 'tools/install.sh helm',
  purpose: 'render and lint Helm charts',
  pin: { key: 'HELM_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    return firstLine((await runToolOk(helm, ['version', '--template', '{{.Version}}'], { env })).stdout);
  },
};

/** One problem `helm lint` reported, with the chart file it names (relative to the chart) when it names one. */
export interface HelmLintMessage {
  chartDir: string;
  level: 'ERROR' | 'WARNING';
  /** Relative to the chart folder: `Chart.yaml`, `templates/deployment.yaml`. */
  file?: string;
  line?: number;
  message: string;
}

/** Lint several charts in one helm run; INFO messages (an icon is recommended) are left out. */
export async function lintCharts(chartDirs: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<HelmLintMessage[]> {
  if (!chartDirs.length) return [];
  const result = await runTool(helm, ['lint', '--quiet', ...chartDirs], { cwd: options.cwd, env: options.env });
  const messages: HelmLintMessage[] = [];
  let chartDir: string | undefined;
  for (const line of result.stdout.split('\n')) {
    const header = /^==> Linting (.+)$/.exec(line);
    if (header) chartDir = header[1];
    const match = /^\[(ERROR|WARNING)\] ([^:]*): (.*)$/.exec(line);
    if (!match || chartDir === undefined) continue;
    const [, level, file, message] = match as unknown as [string, HelmLintMessage['level'], string, string];
    // Template errors name `<chart>/templates/x.yaml:line:col` inside the message.
    const where = templatePosition(message);
    messages.push({ chartDir, level, file: where?.file ?? (file.endsWith('/') || !file ? undefined : file), line: where?.line, message });
  }
  if (result.exitCode !== 0 && !messages.length) throw new ToolFailedError('helm', result.exitCode, result.stderr || result.stdout);
  return messages;
}

export type RenderResult =
  | { ok: true; manifests: string }
  | {
      ok: false;
      message: string;
      file?: string;
      line?: number;
      /** For values that fail the chart's values.schema.json: the first value named, as a path. */
      valuesPath?: string[];
    };

/**
 * `helm template` one chart, with values given as YAML on stdin (a release's values); a
 * rendering failure is a result, because for a check it is a finding, not a crash.
 */
export async function renderChart(request: {
  chartDir: string;
  releaseName: string;
  namespace: string;
  values?: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Leave hooks (tests included) out, as a release's stored manifest does: what an install applies as the release itself. */
  skipHooks?: boolean;
}): Promise<RenderResult> {
  const args = ['template', request.releaseName, request.chartDir, '--namespace', request.namespace];
  if (request.skipHooks) args.push('--no-hooks');
  if (request.values !== undefined) args.push('--values', '-');
  const result = await runTool(helm, args, { cwd: request.cwd, env: request.env, input: request.values });
  if (result.exitCode === 0) return { ok: true, manifests: result.stdout };
  const message = result.stderr.replace(/^Error: /, '').replace(/\n+Use --debug flag.*$/s, '').trim();
  if (/values don't meet/.test(message)) return { ok: false, message, valuesPath: valuesPath(message) };
  return { ok: false, message, ...templatePosition(message) };
}

/** The first value a values-schema error names (`at '/image/tag'`), as a path of keys. */
function valuesPath(message: string): string[] {
  const pointer = /at '(\/[^']*)'/.exec(message)?.[1] ?? '';
  return pointer.split('/').filter(Boolean);
}

/** `template: nodejs/templates/x.yaml:12:3: …` → `templates/x.yaml`, line 12 (chart name dropped). */
function templatePosition(message: string): { file: string; line?: number } | undefined {
  const match = /(?:template: |parse error on |YAML parse error on )[^/\s]+\/([^\s:]+)(?::(\d+))?/.exec(message);
  if (!match) return undefined;
  // The file group is mandatory in the pattern: the default never applies.
  const [, file = '', line] = match;
  return { file, line: line ? Number(line) : undefined };
}

/** How helm reaches a cluster: a kubeconfig file and, unless its current one, a context. */
export interface HelmCluster {
  kubeconfig: string;
  context?: string;
}

function clusterArgs(cluster: HelmCluster): string[] {
  return ['--kubeconfig', cluster.kubeconfig, ...(cluster.context ? ['--kube-context', cluster.context] : [])];
}

export interface HelmInstall extends HelmCluster {
  release: string;
  /** A chart folder, or a chart's name in `repo`. */
  chart: string;
  /** A chart repository URL (with `version`): helm downloads the chart from it. */
  repo?: { url: string; version: string };
  namespace: string;
  /** Values as YAML (stdin); none for the chart's defaults. */
  values?: string;
  /** Wait until the release's resources are ready, at most this long. */
  timeoutSeconds: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * `helm upgrade --install`: installs the release, or upgrades it in place; `--atomic` rolls a
 * failed upgrade back, so a cluster is never left with a half-applied release. Returns the
 * revision helm recorded (1 on first install).
 */
export async function upgradeInstall(request: HelmInstall): Promise<{ revision: number }> {
  const args = ['upgrade', '--install', request.release, request.chart, '--namespace', request.namespace, '--create-namespace'];
  if (request.repo) args.push('--repo', request.repo.url, '--version', request.repo.version);
  args.push(...clusterArgs(request), '--atomic', '--wait', '--timeout', `${request.timeoutSeconds}s`, '--output', 'json');
  if (request.values !== undefined) args.push('--values', '-');
  const { stdout } = await runToolOk(helm, args, { env: request.env, input: request.values, timeoutMs: (request.timeoutSeconds + 30) * 1000 });
  return { revision: (JSON.parse(stdout) as { version?: number }).version ?? 0 };
}

/** A deployed release's chart (`name-version`, as `helm list` shows it) and the values it was installed with; undefined when not deployed. */
export async function deployedRelease(
  release: string,
  namespace: string,
  cluster: HelmCluster,
  env?: NodeJS.ProcessEnv,
): Promise<{ chart: string; values: Record<string, unknown> } | undefined> {
  const base = ['--namespace', namespace, ...clusterArgs(cluster)];
  // `helm status` does not say which chart; `helm list` does. The filter is a regular expression.
  const listed = JSON.parse((await runToolOk(helm, ['list', ...base, '--filter', `^${release}$`, '--output', 'json'], { env })).stdout || '[]') as {
    chart?: string;
    status?: string;
  }[];
  const found = listed[0];
  if (found?.status !== 'deployed') return undefined;
  const values = JSON.parse((await runToolOk(helm, ['get', 'values', release, ...base, '--output', 'json'], { env })).stdout || '{}') as Record<string, unknown> | null;
  return { chart: found.chart ?? '', values: values ?? {} };
}

interface ReleaseStatus {
  info?: { status?: string };
}

async function releaseStatus(release: string, base: string[], env?: NodeJS.ProcessEnv): Promise<ReleaseStatus | undefined> {
  const status = await runTool(helm, ['status', release, ...base, '--output', 'json'], { env });
  if (status.exitCode === 0) return JSON.parse(status.stdout) as ReleaseStatus;
  if (/release: not found/.test(status.stderr)) return undefined;
  throw new ToolFailedError(helm.name, status.exitCode, status.stderr);
}

/**
 * What a release has installed, as `helm get manifest` prints it; undefined when the release does
 * not exist or is not deployed (failed, pending), i.e. when an upgrade is needed anyway.
 */
export async function deployedManifest(release: string, namespace: string, cluster: HelmCluster, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const base = ['--namespace', namespace, ...clusterArgs(cluster)];
  if ((await releaseStatus(release, base, env))?.info?.status !== 'deployed') return undefined;
  return (await runToolOk(helm, ['get', 'manifest', release, ...base], { env })).stdout;
}
