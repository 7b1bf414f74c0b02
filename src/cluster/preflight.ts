import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderedManifest } from '../checks/context.js';
import { helmFindings, type Rendering } from '../checks/linters/helm.js';
import { TemplateTexts } from '../checks/linters/template-lines.js';
import { loadRepository } from '../checks/repository.js';
import { CLUSTER_CONFIG_FILE } from '../infra/cluster-environments.js';
import { helm } from '../tools/helm.js';
import { schemasDir, validateManifests, type KubeconformResult } from '../tools/kubeconform.js';
import { locate } from '../tools/locate.js';
import { pinned } from '../tools/versions.js';
import { InputError, ToolMissingError } from '../ui/errors.js';
import type { YamlDocument } from '../yaml/source.js';
import { parseMinor } from './upgrade.js';

/**
 * The upgrade's pre-flight, before anything changes: every chart (charts/, infra/charts/) with its
 * defaults and every release of releases/<env>/ with its values, rendered by helm and validated by
 * kubeconform against the schemas of the target Kubernetes version. An object whose API the target
 * no longer serves (policy/v1beta1 PodDisruptionBudget after 1.25) has no schema there, and stops
 * the run at the template line of its apiVersion. The toolchain is pinned to one Kubernetes
 * version (tools/versions.env), the same as the config's (the target): schemas built for another
 * version cannot judge the upgrade, and say so.
 */

export interface PreflightProblem {
  /** `charts/x/templates/pdb.yaml` or `releases/staging/x.yaml`. */
  file: string;
  line: number;
  message: string;
}

export interface PreflightReport {
  target: string;
  /** The Kubernetes release the installed schemas were built from (.tools/schemas/.installed-from). */
  schemas: string;
  charts: string[];
  releases: string[];
  /** Objects kubeconform judged. */
  objects: number;
}

/** `kubernetes=v1.36.3` from the schemas' stamp; undefined when they were never built. */
export function installedSchemasRelease(processEnv: NodeJS.ProcessEnv): string | undefined {
  const stamp = join(schemasDir(processEnv), '.installed-from');
  if (!existsSync(stamp)) return undefined;
  return /(?:^|\s)kubernetes=(v[\d.]+)/.exec(readFileSync(stamp, 'utf8'))?.[1];
}

/** The toolchain (tools/versions.env and the schemas built from it) against the target version. */
function toolchainError(target: string, processEnv: NodeJS.ProcessEnv, document: YamlDocument): InputError | undefined {
  const where = `${CLUSTER_CONFIG_FILE}:${document.lineOf(['metadata', 'version'])}`;
  const pinnedVersion = pinned('KUBERNETES_VERSION');
  const release = installedSchemasRelease(processEnv);
  const schemaMinor = release ? schemasMinor(release) : undefined;
  const fix = `set KUBERNETES_VERSION=${target} and KUBERNETES_RELEASE=v${target}.<patch> in tools/versions.env (beside ${CLUSTER_CONFIG_FILE}'s version), then run make tools. Nothing was changed`;
  if (pinnedVersion !== target) {
    return new InputError(
      `the toolchain targets Kubernetes ${pinnedVersion} (tools/versions.env KUBERNETES_VERSION) but ${CLUSTER_CONFIG_FILE} upgrades to ${target}: the pre-flight would judge the charts for the wrong version`,
      { where, hint: fix },
    );
  }
  if (!release || schemaMinor !== target) {
    return new InputError(
      release
        ? `the installed Kubernetes schemas are for ${release} (.tools/schemas), not ${target}: the pre-flight cannot judge the charts for ${target}; run make tools`
        : `the Kubernetes schemas are not installed (.tools/schemas): the pre-flight cannot judge the charts for ${target}; run make tools`,
      { where, hint: `run make tools (it builds the schemas of KUBERNETES_RELEASE ${pinned('KUBERNETES_RELEASE')}). Nothing was changed` },
    );
  }
  return undefined;
}

/**
 * Run the pre-flight for `env` against `target`. Resolves to what was judged; any problem is an
 * InputError naming the first file:line (exit 2: nothing was changed).
 */
export async function preflight(root: string, env: string, target: string, document: YamlDocument, processEnv: NodeJS.ProcessEnv): Promise<PreflightReport> {
  const stale = toolchainError(target, processEnv, document);
  if (stale) throw stale;
  // Found before rendering starts: helm lints and renders in parallel, and a missing binary is a missing tool.
  if (!locate(helm.name, processEnv)) {
    throw new ToolMissingError(helm.name, `${helm.name} is not installed (looked in .tools/ and PATH); the upgrade's pre-flight renders the charts with it`, {
      hint: `install it with: ${helm.install} (or make tools). Nothing was changed`,
    });
  }
  const { repo, findings } = loadRepository(root);
  const releases = repo.releases.filter((r) => r.file.startsWith(`releases/${env}/`));
  const scoped = { ...repo, releases };
  const problems: PreflightProblem[] = findings
    .filter((f) => f.file.startsWith(`releases/${env}/`) || f.file.startsWith('charts/') || f.file.startsWith('infra/charts/'))
    .map((f) => ({ file: f.file, line: f.line, message: f.message }));
  const rendered = await helmFindings(scoped, processEnv);
  // helm lint's advice is `biomage check`'s business; a chart that does not render is the pre-flight's.
  problems.push(...rendered.findings.filter((f) => f.rule === 'helm-template').map((f) => ({ file: f.file, line: f.line, message: f.message })));
  const judged = await validate(root, rendered.renderings, releases, target, processEnv);
  problems.push(...judged.problems);
  const report: PreflightReport = {
    target,
    schemas: installedSchemasRelease(processEnv) ?? '',
    charts: repo.charts.map((c) => c.dir),
    releases: releases.map((r) => r.file),
    objects: judged.objects,
  };
  const [first] = problems;
  if (!first) return report;
  const list = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  throw new InputError(`the pre-flight for Kubernetes ${target} found ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${list.join('; ')}`, {
    where: `${first.file}:${first.line}`,
    hint: `fix ${problems.length === 1 ? 'it' : 'them'} before upgrading (\`biomage check\` shows the same renderings); nothing was changed`,
  });
}

async function validate(
  root: string,
  renderings: Rendering[],
  releases: { file: string; yaml: { documents: YamlDocument[] } }[],
  target: string,
  processEnv: NodeJS.ProcessEnv,
): Promise<{ problems: PreflightProblem[]; objects: number }> {
  const scratch = await mkdtemp(join(tmpdir(), 'biomage-preflight-'));
  try {
    const byFile = new Map<string, Rendering>();
    await Promise.all(
      renderings.map(async (r, i) => {
        const file = join(scratch, `rendering-${i}.yaml`);
        await writeFile(file, r.text);
        byFile.set(file, r);
      }),
    );
    const releaseByFile = new Map(releases.map((r) => [join(root, r.file), r]));
    const results = await validateManifests({ files: [...byFile.keys(), ...releaseByFile.keys()] }, { env: processEnv });
    const templates = new TemplateTexts(root);
    const served = new ServedApis(schemasDir(processEnv));
    const releaseByOrigin = new Map(releases.map((r) => [r.file, r]));
    const fromDefaults = new Set<string>();
    const fromReleases: { key: string; problem: PreflightProblem }[] = [];
    const problems: PreflightProblem[] = [];
    for (const result of results.filter((r) => r.status === 'invalid' || r.status === 'error')) {
      const message = describe(result, target, served);
      // A missing schema is the apiVersion's fault; an invalid object, its first bad field's.
      const path = result.status === 'error' ? ['apiVersion'] : pointer(result.validationErrors?.[0]?.path ?? '');
      const rendering = byFile.get(result.filename);
      const release = releaseByFile.get(result.filename);
      if (rendering) {
        const manifest = rendering.manifests.find((m) => sameObject(m, result));
        const at = { file: manifest?.template ?? rendering.origin, line: manifest ? templates.lineOf(manifest, path) : 1 };
        const key = `${at.file}:${at.line}: ${message}`;
        const source = releaseByOrigin.get(rendering.origin);
        if (!source) {
          fromDefaults.add(key);
          problems.push({ ...at, message });
        } else {
          // Only this release's values produce it: the release file is where it comes from.
          const doc = source.yaml.documents.find((d) => (d.value as { kind?: unknown } | null)?.kind === 'HelmRelease') ?? source.yaml.documents[0];
          fromReleases.push({ key, problem: { file: source.file, line: doc ? doc.lineOf(['spec', 'values']) : 1, message: `${message} (rendered from ${at.file}:${at.line} with this release's values)` } });
        }
      } else if (release) {
        const doc = release.yaml.documents.find((d) => sameObject({ value: d.value as Record<string, unknown> }, result)) ?? release.yaml.documents[0];
        problems.push({ file: release.file, line: doc ? doc.lineOf(path) : 1, message });
      } else {
        problems.push({ file: result.filename, line: 1, message });
      }
    }
    // The chart's own defaults already show what every release of it repeats.
    problems.push(...fromReleases.filter((r) => !fromDefaults.has(r.key)).map((r) => r.problem));
    return { problems, objects: results.length };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function describe(result: KubeconformResult, target: string, served: ServedApis): string {
  const object = `${result.kind || 'object'}${result.name ? ` ${result.name}` : ''}`;
  if (result.status === 'error' && /could not find schema/.test(result.msg)) {
    const instead = served.of(result.kind);
    return `${object}: Kubernetes ${target} does not serve ${result.version}${instead.length ? `; it serves ${result.kind} as ${instead.join(', ')}` : ''}`;
  }
  const first = result.validationErrors?.[0];
  return `${object} (${result.version}): ${first ? `${first.path.replace(/^\//, '').replaceAll('/', '.')}: ${first.msg}` : result.msg}`;
}

const pointer = (path: string) => path.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')));

function sameObject(manifest: Pick<RenderedManifest, 'value'>, result: KubeconformResult): boolean {
  const value = manifest.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return value?.kind === result.kind && (!result.name || value.metadata?.name === result.name);
}

/** The apiVersions the installed schemas have for a kind (each schema names its group, version and kind). */
class ServedApis {
  private readonly byKind = new Map<string, string[]>();

  constructor(private readonly dir: string) {}

  of(kind: string): string[] {
    const cached = this.byKind.get(kind);
    if (cached) return cached;
    const prefix = `${kind.toLowerCase()}-`;
    const kubernetes = join(this.dir, 'kubernetes');
    const found = existsSync(kubernetes)
      ? readdirSync(kubernetes)
          .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
          .flatMap((f) => {
            try {
              const schema = JSON.parse(readFileSync(join(kubernetes, f), 'utf8')) as { 'x-kubernetes-group-version-kind'?: { group?: string; version?: string; kind?: string }[] };
              return (schema['x-kubernetes-group-version-kind'] ?? []).filter((g) => g.kind === kind).map((g) => (g.group ? `${g.group}/${g.version ?? ''}` : (g.version ?? '')));
            } catch {
              return [];
            }
          })
      : [];
    const list = [...new Set(found)].sort();
    this.byKind.set(kind, list);
    return list;
  }
}

/** The minor of a schemas release like v1.36.3, for messages and tests. */
export const schemasMinor = (release: string): string | undefined => {
  const v = parseMinor(release.replace(/^v/, '').split('.').slice(0, 2).join('.'));
  return v ? `${v.major}.${v.minor}` : undefined;
};
