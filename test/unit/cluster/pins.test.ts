import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
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

  it('every core add-on is there, each at an exact eksbuild version', () => {
    expect(cluster.addons.map((a) => a.name).sort()).toEqual(['aws-ebs-csi-driver', 'coredns', 'kube-proxy', 'vpc-cni']);
    for (const addon of cluster.addons) expect(addon.version, addon.name).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });

  it('kube-proxy follows the Kubernetes minor version', () => {
    const kubeProxy = cluster.addons.find((a) => a.name === 'kube-proxy')!;
    expect(kubeProxy.version).toMatch(new RegExp(`^v${cluster.metadata.version.replace('.', '\\.')}\\.`));
  });
});
