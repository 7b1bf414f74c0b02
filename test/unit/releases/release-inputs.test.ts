import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ReleaseInputs } from '../../../src/releases/release-inputs.js';
import type { ReleaseSource } from '../../../src/releases/release-objects.js';
import type { TreeEntry } from '../../../src/tools/git.js';

/**
 * Whether a release's inputs are the same at the base and in the working tree: the base is a
 * listing as `git ls-tree -r` gives it, the working tree real files in a temporary folder.
 * Object ids below are git's own (`printf 'hello\n' | git hash-object --stdin`), so the ids
 * computed from the working tree are checked against git, not against a copy of its formula.
 */
const HELLO = { sha1: 'ce013625030ba8dba906f756967f9e9ca394464a', sha256: '2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4' };
const EMPTY = { sha1: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', sha256: '473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813' };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'biomage-release-inputs-'));
  return () => rmSync(root, { recursive: true, force: true });
});

const write = (path: string, content: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};
const blob = (path: string, oid: string, mode = '100644'): TreeEntry => ({ mode, type: 'blob', oid, path });

const release = (values: Record<string, unknown>, valuesFiles?: string[]): ReleaseSource => ({
  id: 'flux-system/ui',
  where: 'releases/staging/ui.yaml:6',
  release: {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'ui', namespace: 'flux-system' },
    spec: {
      interval: '5m',
      targetNamespace: 'ui',
      chart: { spec: { chart: './charts/nodejs', sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' }, ...(valuesFiles ? { valuesFiles } : {}) } },
      values,
    },
  },
});

/** A chart of two files, identical at both sides. */
function sameChart(algorithm: 'sha1' | 'sha256' = 'sha1'): TreeEntry[] {
  write('charts/nodejs/Chart.yaml', 'hello\n');
  write('charts/nodejs/templates/deployment.yaml', '');
  return [blob('charts/nodejs/Chart.yaml', HELLO[algorithm]), blob('charts/nodejs/templates/deployment.yaml', EMPTY[algorithm])];
}

describe('release inputs at the base and in the working tree', () => {
  it('the same HelmRelease and the same chart files: the same inputs (SHA-1 and SHA-256 repositories)', () => {
    expect(new ReleaseInputs(sameChart(), root).same(release({ replicaCount: 2 }), release({ replicaCount: 2 }))).toBe(true);
    expect(new ReleaseInputs(sameChart('sha256'), root).same(release({ replicaCount: 2 }), release({ replicaCount: 2 }))).toBe(true);
  });

  it('a value of the release changed: different, whatever the chart', () => {
    expect(new ReleaseInputs(sameChart(), root).same(release({ replicaCount: 2 }), release({ replicaCount: 3 }))).toBe(false);
  });

  it('a chart file changed in the working tree only (not committed): different', () => {
    const entries = sameChart();
    write('charts/nodejs/templates/deployment.yaml', 'kind: Deployment\n');
    expect(new ReleaseInputs(entries, root).same(release({}), release({}))).toBe(false);
  });

  it('a file added to the chart folder (untracked) or missing from it: different', () => {
    const entries = sameChart();
    write('charts/nodejs/templates/configmap.yaml', '');
    expect(new ReleaseInputs(entries, root).same(release({}), release({}))).toBe(false);
    expect(new ReleaseInputs([...sameChart(), blob('charts/nodejs/templates/gone.yaml', EMPTY.sha1)], root).same(release({}), release({}))).toBe(false);
  });

  it('a change to another chart does not count', () => {
    const entries = [...sameChart(), blob('charts/credentials/values.yaml', EMPTY.sha1)];
    write('charts/credentials/values.yaml', 'password: x\n');
    expect(new ReleaseInputs(entries, root).same(release({}), release({}))).toBe(true);
  });

  it('a values file: compared by content, and one missing on a side is different', () => {
    const entries = [...sameChart(), blob('releases/staging/values/ui.yaml', HELLO.sha1)];
    const withFile = release({}, ['./releases/staging/values/ui.yaml']);
    write('releases/staging/values/ui.yaml', 'hello\n');
    expect(new ReleaseInputs(entries, root).same(withFile, withFile)).toBe(true);
    write('releases/staging/values/ui.yaml', 'replicaCount: 4\n');
    expect(new ReleaseInputs(entries, root).same(withFile, withFile)).toBe(false);
    expect(new ReleaseInputs(sameChart(), root).same(withFile, withFile)).toBe(false);
  });

  it('what cannot be compared by content is different: a symbolic link at either side, a submodule, no Chart.yaml', () => {
    const link = [...sameChart(), blob('charts/nodejs/templates/shared.yaml', EMPTY.sha1, '120000')];
    write('charts/nodejs/templates/shared.yaml', '');
    expect(new ReleaseInputs(link, root).same(release({}), release({}))).toBe(false);
    rmSync(join(root, 'charts/nodejs/templates/shared.yaml'));
    const entries = sameChart();
    symlinkSync('deployment.yaml', join(root, 'charts/nodejs/templates/linked.yaml'));
    expect(new ReleaseInputs(entries, root).same(release({}), release({}))).toBe(false);
    rmSync(join(root, 'charts/nodejs/templates/linked.yaml'));
    const submodule: TreeEntry = { mode: '160000', type: 'commit', oid: HELLO.sha1, path: 'charts/nodejs/vendor' };
    expect(new ReleaseInputs([...sameChart(), submodule], root).same(release({}), release({}))).toBe(false);
    // Neither side has a Chart.yaml: the same files, but the release is rendered to get helm's error.
    const noChart = sameChart().slice(1);
    rmSync(join(root, 'charts/nodejs/Chart.yaml'));
    expect(new ReleaseInputs(noChart, root).same(release({}), release({}))).toBe(false);
  });

  it('the files a base render needs: its chart folder and the values files the base has', () => {
    const entries = [...sameChart(), blob('charts/nodejs2/Chart.yaml', HELLO.sha1), blob('releases/staging/values/ui.yaml', HELLO.sha1)];
    const inputs = new ReleaseInputs(entries, root);
    expect(inputs.baseFiles(release({}, ['releases/staging/values/ui.yaml', 'releases/staging/values/missing.yaml']).release)).toEqual([
      'charts/nodejs/Chart.yaml',
      'charts/nodejs/templates/deployment.yaml',
      'releases/staging/values/ui.yaml',
    ]);
  });
});
