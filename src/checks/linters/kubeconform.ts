import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateManifests, type KubeconformResult } from '../../tools/kubeconform.js';
import { CLUSTER_ENVIRONMENTS } from '../../infra/cluster-config.js';
import { renderForEnvironment } from '../../infra/cluster-environments.js';
import type { RenderedManifest, Repository } from '../context.js';
import type { YamlDocument } from '../../yaml/source.js';
import type { Finding } from '../finding.js';
import type { Rendering } from './helm.js';
import { TemplateTexts } from './template-lines.js';

/** Where a kubeconform result points back to: a document of a file in the repository, or a rendered object. */
type Origin =
  | { kind: 'document'; file: string; documents: YamlDocument[]; label?: string }
  | { kind: 'rendering'; manifests: RenderedManifest[]; origin: string };

/**
 * One kubeconform run over every rendered chart, every release file and the ClusterConfig as
 * each environment gets it (its values from infra/cluster-environments.yaml merged, name and
 * region filled in), against the schemas installed offline.
 */
export async function kubeconformFindings(
  repo: Repository,
  renderings: Rendering[],
  options: { region: string; env?: NodeJS.ProcessEnv },
): Promise<Finding[]> {
  const inputs = new Map<string, Origin>();
  const scratch = await mkdtemp(join(tmpdir(), 'biomage-check-'));
  try {
    await Promise.all(
      renderings.map(async (r, i) => {
        const path = join(scratch, `rendering-${i}.yaml`);
        await writeFile(path, r.text);
        inputs.set(path, { kind: 'rendering', manifests: r.manifests, origin: r.origin });
      }),
    );
    for (const release of repo.releases) {
      inputs.set(join(repo.root, release.file), { kind: 'document', file: release.file, documents: release.yaml.documents });
    }
    const config = repo.clusterConfig?.yaml.documents[0];
    if (config && config.value && typeof config.value === 'object') {
      for (const env of CLUSTER_ENVIRONMENTS) {
        const path = join(scratch, `cluster-${env}.yaml`);
        const values = repo.clusterEnvironments?.yaml.documents[0]?.value;
        await writeFile(path, JSON.stringify(renderForEnvironment(config.value, values, env, options.region)));
        // Labelled without the environment, so one mistake is one finding, not one per environment.
        inputs.set(path, { kind: 'document', file: 'infra/cluster.yaml', documents: [config], label: 'ClusterConfig (with name and region filled in)' });
      }
    }
    if (!inputs.size) return [];
    const results = await validateManifests({ files: [...inputs.keys()] }, { env: options.env });
    const templates = new TemplateTexts(repo.root);
    return results
      .filter((r) => r.status === 'invalid' || r.status === 'error')
      .flatMap((r) => toFindings(r, inputs.get(r.filename), templates));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function toFindings(result: KubeconformResult, origin: Origin | undefined, templates: TemplateTexts): Finding[] {
  const object = `${result.kind || 'object'}${result.name ? ` ${result.name}` : ''}`;
  const problems = result.validationErrors?.length ? result.validationErrors : [{ path: '', msg: result.msg }];
  if (!origin) return problems.map((p) => ({ file: result.filename, line: 1, rule: 'kubeconform', message: `${object}: ${describe(p)}` }));
  if (origin.kind === 'document') {
    const doc = origin.documents.find((d) => matches(d.value, result)) ?? origin.documents[0];
    return problems.map((p) => ({
      file: origin.file,
      line: doc ? doc.lineOf(pointer(p.path)) : 1,
      rule: 'kubeconform',
      message: `${origin.label ?? object}: ${describe(p)}`,
    }));
  }
  const manifest = origin.manifests.find((m) => matches(m.value, result));
  const file = manifest?.template ?? origin.origin;
  const rendered = origin.origin === file.split('/templates/')[0] ? '' : ` (rendered with ${origin.origin})`;
  return problems.map((p) => ({
    file,
    line: manifest ? templates.lineOf(manifest, pointer(p.path)) : 1,
    rule: 'kubeconform',
    message: `${object}: ${describe(p)}${rendered}`,
  }));
}

const describe = (p: { path: string; msg: string }) => (p.path ? `${p.path.replace(/^\//, '').replaceAll('/', '.')}: ${p.msg}` : p.msg);

/** `/spec/template/0` → ['spec', 'template', 0]. */
const pointer = (path: string) => path.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')));

function matches(value: unknown, result: KubeconformResult): boolean {
  const v = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const kind = v?.kind;
  const name = v?.metadata?.name;
  return kind === result.kind && (!result.name || name === result.name);
}
