import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { installedSchemasRelease, schemasMinor } from '../../../src/cluster/preflight.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { pinned } from '../../../src/tools/versions.js';

const cluster = parse(readFileSync(join(repoRoot, 'infra', 'cluster.yaml'), 'utf8')) as {
  metadata: { version: string };
  addons: { name: string; version?: string }[];
};

describe('infra/cluster.yaml pins', () => {
  it('the Kubernetes version is tools/versions.env\'s KUBERNETES_VERSION (what helm and kubeconform judge charts for)', () => {
    expect(cluster.metadata.version).toBe(pinned('KUBERNETES_VERSION'));
  });

  it('the installed kubeconform schemas are of that version too: KUBERNETES_RELEASE, a patch of it (else: make tools)', () => {
    const release = installedSchemasRelease(process.env);
    expect(release, 'the schemas stamp (.tools/schemas/.installed-from) names the Kubernetes release they were built from').toBe(pinned('KUBERNETES_RELEASE'));
    expect(schemasMinor(release!)).toBe(cluster.metadata.version);
  });

  it('the twin\'s recorded EKS catalogue offers that version as the default, and lists every add-on pin as compatible with it', () => {
    const catalogue = JSON.parse(readFileSync(join(repoRoot, 'tools', 'emulator', 'eks-catalogue.json'), 'utf8')) as {
      clusterVersions: { clusterVersion: string; defaultVersion: boolean }[];
      addons: { addonName: string; addonVersions: { addonVersion: string; compatibilities: { clusterVersion: string }[] }[] }[];
    };
    expect(catalogue.clusterVersions.filter((v) => v.defaultVersion).map((v) => v.clusterVersion)).toEqual([cluster.metadata.version]);
    for (const addon of cluster.addons) {
      const versions = catalogue.addons.find((a) => a.addonName === addon.name)?.addonVersions ?? [];
      const entry = versions.find((v) => v.addonVersion === addon.version);
      expect(entry?.compatibilities.map((c) => c.clusterVersion), `${addon.name} ${addon.version ?? ''}`).toContain(cluster.metadata.version);
    }
  });

  it('every core add-on is there, each at an exact eksbuild version', () => {
    expect(cluster.addons.map((a) => a.name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni']);
    for (const addon of cluster.addons) expect(addon.version, addon.name).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });

  it('kube-proxy follows the Kubernetes minor version', () => {
    const kubeProxy = cluster.addons.find((a) => a.name === 'kube-proxy')!;
    expect(kubeProxy.version).toMatch(new RegExp(`^v${cluster.metadata.version.replace('.', '\\.')}\\.`));
  });
});
