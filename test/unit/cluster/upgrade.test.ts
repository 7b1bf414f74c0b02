import { describe, expect, it } from 'vitest';
import { addonPins, addonSteps, incompatiblePinError, supportWarning, versionPathError } from '../../../src/cluster/upgrade.js';
import { parseYamlFile } from '../../../src/yaml/source.js';

const FILE = `metadata:
  version: "1.36"
addons:
  - name: vpc-cni
    version: v1.22.3-eksbuild.1
    resolveConflicts: overwrite
  - name: coredns
  - name: kube-proxy
    version: v1.35.2-eksbuild.4
`;
const document = parseYamlFile(FILE).documents[0]!;
const config = document.value as Record<string, unknown>;

describe('the version path', () => {
  it('one minor version up is an upgrade; the same version is no change', () => {
    expect(versionPathError('biomage-staging', '1.35', '1.36', document)).toBeUndefined();
    expect(versionPathError('biomage-staging', '1.36', '1.36', document)).toBeUndefined();
  });

  it('two minor versions at once are refused (exit 2), naming the version skipped and the line of metadata.version', () => {
    const error = versionPathError('biomage-staging', '1.34', '1.36', document)!;
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('1.34 -> 1.36 skips 1.35: EKS upgrades the control plane one minor version at a time; upgrade to 1.35 first');
    expect(error.where).toBe('infra/cluster.yaml:2');
    expect(versionPathError('biomage-staging', '1.33', '1.36', document)!.message).toBe(
      '1.33 -> 1.36 skips 1.34, 1.35: EKS upgrades the control plane one minor version at a time; upgrade to 1.34 first',
    );
  });

  it('a lower version is refused (exit 2): EKS cannot downgrade', () => {
    const error = versionPathError('biomage-staging', '1.36', '1.35', document)!;
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('infra/cluster.yaml pins Kubernetes 1.35, lower than the 1.36 cluster biomage-staging runs: EKS cannot downgrade a cluster');
  });
});

describe('add-on pins', () => {
  const pins = addonPins(config, document);

  it('each pin with the line of its version (or its name when EKS picks the version) and EKS\'s ResolveConflicts', () => {
    expect(pins).toEqual([
      { name: 'vpc-cni', version: 'v1.22.3-eksbuild.1', resolveConflicts: 'OVERWRITE', line: 5 },
      { name: 'coredns', line: 7 },
      { name: 'kube-proxy', version: 'v1.35.2-eksbuild.4', line: 9 },
    ]);
  });

  it('a pin EKS does not list as compatible with the target is refused, with the compatible versions', () => {
    const compatible = new Map([
      ['vpc-cni', ['v1.22.3-eksbuild.1']],
      ['kube-proxy', ['v1.36.0-eksbuild.14']],
    ]);
    const error = incompatiblePinError(pins, compatible, '1.36')!;
    expect(error.message).toBe('add-on kube-proxy is pinned to v1.35.2-eksbuild.4, which EKS does not list as compatible with Kubernetes 1.36');
    expect(error.where).toBe('infra/cluster.yaml:9');
    expect(error.hint).toBe(
      'pin one of the versions compatible with 1.36: v1.36.0-eksbuild.14 (`eksctl utils describe-addon-versions --kubernetes-version 1.36 --name kube-proxy`). Nothing was changed',
    );
    expect(incompatiblePinError(pins, new Map([...compatible, ['kube-proxy', ['v1.35.2-eksbuild.4']]]), '1.36')).toBeUndefined();
  });

  it('installed against pinned: update, unchanged, or left to eksctl\'s create', () => {
    expect(addonSteps(pins, [{ name: 'vpc-cni', version: 'v1.21.1-eksbuild.3' }, { name: 'coredns', version: 'v1.13.2-eksbuild.1' }])).toEqual([
      { name: 'vpc-cni', current: 'v1.21.1-eksbuild.3', pinned: 'v1.22.3-eksbuild.1', state: 'update' },
      { name: 'coredns', current: 'v1.13.2-eksbuild.1', state: 'unchanged' },
      { name: 'kube-proxy', pinned: 'v1.35.2-eksbuild.4', state: 'create' },
    ]);
  });
});

describe('the end of standard support', () => {
  const info = { version: '1.35', endOfStandardSupport: new Date('2027-01-20T00:00:00Z'), endOfExtendedSupport: new Date('2028-01-20T00:00:00Z') };

  it('nothing more than 90 days ahead; a warning within 90 days; another once it has ended', () => {
    expect(supportWarning('biomage-staging', info, new Date('2026-10-01T00:00:00Z'))).toBeUndefined();
    expect(supportWarning('biomage-staging', info, new Date('2026-12-07T00:00:00Z'))).toBe(
      'Kubernetes 1.35, which biomage-staging runs, leaves EKS standard support on 2027-01-20 (in 44 days): EKS then bills the cluster for extended support (extended support lasts until 2028-01-20), or, under the STANDARD upgrade policy, upgrades the control plane itself; plan the upgrade (docs/runbooks/cluster.md, "Upgrading Kubernetes")',
    );
    expect(supportWarning('biomage-staging', info, new Date('2027-02-01T00:00:00Z'))).toMatch(/^Kubernetes 1\.35, which biomage-staging runs, left EKS standard support on 2027-01-20 \(12 days ago\)/);
    expect(supportWarning('biomage-staging', { version: '1.35' }, new Date())).toBeUndefined();
  });
});
