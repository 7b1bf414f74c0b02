import { callerIdentity } from '../aws/identity.js';
import type { AwsTarget } from '../aws/target.js';
import { installRoot, toolsDir } from '../paths.js';
import type { RootSource } from '../repository-root.js';
import { locate, type ToolSource } from '../tools/locate.js';
import { machineNode, runningNode } from '../tools/node.js';
import type { ToolSpec } from '../tools/spec.js';
import { compareVersions, pinnedVersions } from '../tools/versions.js';

export type ToolStatus = 'ok' | 'missing' | 'wrong-version' | 'unknown-version';

export interface ToolReport {
  tool: string;
  purpose: string;
  required: boolean;
  /** `1.2.3` for an exact pin, `>=1.2.3` for a minimum, absent when unpinned. */
  wanted?: string;
  found?: string;
  path?: string;
  source?: ToolSource;
  status: ToolStatus;
  /** The exact command that fixes a problem. */
  fix?: string;
}

export interface AwsReport {
  env: string;
  region?: string;
  endpoint?: string;
  status: 'ok' | 'unreachable' | 'skipped';
  account?: string;
  arn?: string;
  error?: string;
  fix?: string;
}

/** Which Node.js runs biomage, and where it came from. */
export interface RuntimeReport {
  node: string;
  path: string;
  /** `project`: the pinned NODE_VERSION in .tools/node; `PATH`: the machine's. */
  source: ToolSource;
  minimum: string;
  /** NODE_VERSION, when biomage runs on the pinned Node. */
  pinned?: string;
  /** The machine's own node, when biomage runs on the pinned one (why it does). */
  machine?: { path: string; version?: string } | null;
}

/** The repository biomage works on from here; outside one, why not (not a problem of the machine). */
export interface RepositoryReport {
  /** Absent outside any repository. */
  root?: string;
  source: RootSource;
  error?: string;
  fix?: string;
}

/** The pinned toolchain in use, and the installation of biomage it belongs to. */
export interface ToolchainReport {
  dir: string;
  /** True when BIOMAGE_TOOLS_DIR moved it away from the installation. */
  relocated: boolean;
  install: string;
}

export interface DoctorReport {
  repository: RepositoryReport;
  toolchain: ToolchainReport;
  runtime: RuntimeReport;
  tools: ToolReport[];
  aws: AwsReport;
  /** Required tools that are not ok, plus an unreachable AWS target. */
  problems: number;
}

/** Check each tool: found where, which version, and whether that matches its pin. */
export async function diagnoseTools(catalog: readonly ToolSpec[], env: NodeJS.ProcessEnv): Promise<ToolReport[]> {
  const pins = pinnedVersions();
  return Promise.all(
    catalog.map(async (spec): Promise<ToolReport> => {
      const pin = spec.pin ? pins[spec.pin.key] : undefined;
      const base = {
        tool: spec.label ?? spec.name,
        purpose: spec.purpose,
        required: spec.required,
        ...(pin ? { wanted: spec.pin?.kind === 'minimum' ? `>=${pin}` : pin } : {}),
      };
      const found = spec.where?.() ?? locate(spec.name, env, spec.scope);
      if (!found) return { ...base, status: 'missing', fix: spec.install };
      const version = await spec.version(env).catch(() => undefined);
      const located = { ...base, path: found.path, source: found.source, ...(version ? { found: version } : {}) };
      if (!pin) return { ...located, status: version ? 'ok' : 'unknown-version' };
      if (!version) return { ...located, status: 'unknown-version', fix: spec.install };
      const cmp = compareVersions(version, pin);
      const fits = spec.pin?.kind === 'minimum' ? cmp >= 0 : cmp === 0 && version.replace(/^v/, '') === pin.replace(/^v/, '');
      return fits ? { ...located, status: 'ok' } : { ...located, status: 'wrong-version', fix: spec.install };
    }),
  );
}

/** Which repository a command run here works on; the failure to find one is reported, not thrown. */
export function diagnoseRepository(root: () => string, source: RootSource): RepositoryReport {
  try {
    return { root: root(), source };
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    return { source, error: (error as Error).message, ...(hint ? { fix: hint } : {}) };
  }
}

/** The toolchain lives with the installation (.tools/ beside biomage's code) unless BIOMAGE_TOOLS_DIR says otherwise. */
export function diagnoseToolchain(env: NodeJS.ProcessEnv): ToolchainReport {
  return { dir: toolsDir(env), relocated: Boolean(env.BIOMAGE_TOOLS_DIR), install: installRoot };
}

/** The running Node and, when it is the pinned one, the machine's node beside it. */
export async function diagnoseRuntime(env: NodeJS.ProcessEnv): Promise<RuntimeReport> {
  const pins = pinnedVersions();
  const running = runningNode(env);
  const base = { node: running.version, path: running.path, source: running.source, minimum: pins.NODE_MIN ?? '' };
  if (running.source !== 'project') return base;
  return { ...base, ...(pins.NODE_VERSION ? { pinned: pins.NODE_VERSION } : {}), machine: (await machineNode(env)) ?? null };
}

/** Ask AWS (or the twin) who we are; any failure is reported, not thrown. */
export async function diagnoseAws(env: string, target: () => Promise<AwsTarget>, skip: boolean): Promise<AwsReport> {
  if (skip) return { env, status: 'skipped' };
  let resolved: AwsTarget | undefined;
  try {
    resolved = await target();
    const identity = await callerIdentity(resolved);
    return {
      env,
      region: resolved.region,
      ...(resolved.endpoint ? { endpoint: resolved.endpoint } : {}),
      status: 'ok',
      account: identity.account,
      arn: identity.arn,
    };
  } catch (error) {
    const hint = (error as { hint?: string }).hint;
    return {
      env,
      ...(resolved ? { region: resolved.region } : {}),
      ...(resolved?.endpoint ? { endpoint: resolved.endpoint } : {}),
      status: 'unreachable',
      error: (error as Error).message,
      ...(hint ? { fix: hint } : {}),
    };
  }
}

export function countProblems(tools: ToolReport[], aws: AwsReport): number {
  return tools.filter((t) => t.required && t.status !== 'ok').length + (aws.status === 'unreachable' ? 1 : 0);
}
