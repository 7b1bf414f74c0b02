import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installRoot as repoRoot } from '../../src/paths.js';
import { schemasDir, SchemasMissingError, validateManifests, type KubeconformResult } from '../../src/tools/kubeconform.js';
import { pinnedVersions } from '../../src/tools/versions.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'kubeconform');
const fixture = (name: string) => join(fixtures, name);

/** The one result for a resource, by kind and name. */
function resultFor(results: KubeconformResult[], kind: string, name: string): KubeconformResult {
  const found = results.filter((r) => r.kind === kind && r.name === name);
  expect(found, `${kind}/${name} in ${JSON.stringify(results)}`).toHaveLength(1);
  return found[0]!;
}

describe('kubeconform with the schemas built at install time (offline)', () => {
  it('the installed schemas were built from the pinned sources (else: tools/install.sh schemas)', () => {
    const pins = pinnedVersions();
    expect(pins.KUBERNETES_RELEASE!.startsWith(`v${pins.KUBERNETES_VERSION}.`), 'KUBERNETES_RELEASE is a KUBERNETES_VERSION patch').toBe(true);
    const stamp = readFileSync(join(schemasDir(), '.installed-from'), 'utf8');
    for (const [key, pin] of [
      ['kubernetes', 'KUBERNETES_RELEASE'],
      ['source-controller', 'SOURCE_CONTROLLER_VERSION'],
      ['kustomize-controller', 'KUSTOMIZE_CONTROLLER_VERSION'],
      ['helm-controller', 'HELM_CONTROLLER_VERSION'],
      ['eksctl', 'EKSCTL_VERSION'],
    ] as const) {
      expect(stamp).toContain(`${key}=${pins[pin]} `);
    }
  });

  it('judges every fixture in one run, in file and document order, with each violation at its JSON pointer, by path', async () => {
    const files = [
      'deployment-valid.yaml',
      'deployment-invalid.yaml',
      'flux-valid.yaml',
      'helmrelease-invalid.yaml',
      'clusterconfig-valid.yaml',
      'clusterconfig-invalid.yaml',
      'no-schema.yaml',
    ].map(fixture);
    const results = await validateManifests({ files });

    // The leading `---` of deployment-valid.yaml is an empty document: not a result.
    expect(results.map((r) => [r.filename.replace(`${fixtures}/`, ''), r.kind, r.name, r.status])).toEqual([
      ['deployment-valid.yaml', 'Deployment', 'ui', 'valid'],
      ['deployment-invalid.yaml', 'Deployment', 'api', 'invalid'],
      ['flux-valid.yaml', 'GitRepository', 'iac', 'valid'],
      ['flux-valid.yaml', 'Kustomization', 'releases', 'valid'],
      ['flux-valid.yaml', 'HelmRelease', 'ui', 'valid'],
      ['helmrelease-invalid.yaml', 'HelmRelease', 'api', 'invalid'],
      ['clusterconfig-valid.yaml', 'ClusterConfig', 'biomage-staging', 'valid'],
      ['clusterconfig-invalid.yaml', 'ClusterConfig', 'biomage-staging', 'invalid'],
      ['no-schema.yaml', 'Widget', 'w', 'error'],
    ]);

    expect(resultFor(results, 'Deployment', 'api').validationErrors).toEqual([
      { path: '/metadata/annotations/biomage.io~1replicas', msg: 'got number, want string' },
      { path: '/spec', msg: "additional properties 'replica' not allowed" },
    ]);
    // Metadata of a Flux object is checked as ObjectMeta, and nested problems are all reported.
    expect(resultFor(results, 'HelmRelease', 'api').validationErrors).toEqual([
      { path: '/metadata/annotations/biomage.io~1retries', msg: 'got number, want string' },
      { path: '/spec', msg: "additional properties 'releaseNme' not allowed" },
      { path: '/spec/chart/spec/sourceRef/kind', msg: "value must be one of 'HelmRepository', 'GitRepository', 'Bucket'" },
    ]);
    expect(results.find((r) => r.kind === 'ClusterConfig' && r.status === 'invalid')?.validationErrors).toEqual([
      { path: '/managedNodeGroups/0', msg: "additional properties 'instanceTyp' not allowed" },
    ]);
    expect(resultFor(results, 'Widget', 'w')).toMatchObject({ version: 'widgets.example.com/v1', msg: 'could not find schema for Widget' });
    expect(resultFor(results, 'Deployment', 'ui')).not.toHaveProperty('validationErrors');
  });

  it('reads manifests from stdin (rendered output need not touch the disk)', async () => {
    const results = await validateManifests({ stdin: readFileSync(fixture('deployment-invalid.yaml'), 'utf8') });
    expect(results).toMatchObject([{ filename: 'stdin', kind: 'Deployment', name: 'api', version: 'apps/v1', status: 'invalid' }]);
  });

  describe('without built schemas', () => {
    const empty = mkdtempSync(join(tmpdir(), 'biomage-schemas-'));
    afterAll(() => rmSync(empty, { recursive: true, force: true }));

    it('refuses to run and names the install command', async () => {
      const run = validateManifests({ files: [fixture('deployment-valid.yaml')] }, { schemasDir: empty });
      await expect(run).rejects.toBeInstanceOf(SchemasMissingError);
      await expect(run).rejects.toMatchObject({ exitCode: 2, hint: 'build them with: tools/install.sh schemas (or make tools)' });
    });
  });
});
