import { describe, expect, it } from 'vitest';
import { compareObjects, fieldLine, hasDifferences, renderDiffReport, type ReleaseDiffReport } from '../../../src/releases/diff.js';
import { HIDDEN, HIDDEN_CHANGED, maskSecrets } from '../../../src/releases/mask.js';
import { canonicalYaml, fieldChanges, unifiedDiff } from '../../../src/releases/object-diff.js';
import type { RenderedObject } from '../../../src/releases/release-objects.js';

const deployment = (replicas: number, image = 'ui:1.4.2'): RenderedObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'ui',
  name: 'ui-nodejs',
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ui-nodejs', labels: { 'app.kubernetes.io/name': 'nodejs' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'sidecar', image: 'envoy:1' }, { name: 'nodejs', image, ports: [{ containerPort: 3000 }] }] } } },
  },
});
const secret = (data: Record<string, string>): RenderedObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  namespace: 'ui',
  name: 'ui-env',
  object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ui-env' }, data },
});
const labels = { from: 'origin/main@0123456789ab', to: 'working tree' };

describe('field changes', () => {
  it('name scalars by path, keyed list items by their name, and keys that are not identifiers in brackets', () => {
    const before = deployment(2).object;
    const after = structuredClone(deployment(3, 'ui:1.5.0').object);
    (after.metadata as { labels: Record<string, string> }).labels['app.kubernetes.io/name'] = 'web';
    expect(fieldChanges(before, after)).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', before: 'nodejs', after: 'web' },
      { path: 'spec.replicas', before: 2, after: 3 },
      { path: 'spec.template.spec.containers[name=nodejs].image', before: 'ui:1.4.2', after: 'ui:1.5.0' },
    ]);
  });

  it('report added and removed fields and list items, and nothing for equal objects whatever their key order', () => {
    expect(fieldChanges({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 })).toEqual([]);
    expect(fieldChanges({ a: 1, list: [1, 2] }, { list: [1], extra: true })).toEqual([
      { path: 'a', before: 1 },
      { path: 'list[1]', before: 2 },
      { path: 'extra', after: true },
    ]);
    expect(fieldChanges({ env: [{ name: 'A', value: '1' }] }, { env: [{ name: 'B', value: '1' }] })).toEqual([
      { path: 'env[name=A]', before: { name: 'A', value: '1' } },
      { path: 'env[name=B]', after: { name: 'B', value: '1' } },
    ]);
  });

  it('read as one line each: spec.replicas: 2 → 3', () => {
    expect(fieldLine({ path: 'spec.replicas', before: 2, after: 3 })).toBe('spec.replicas: 2 → 3');
    expect(fieldLine({ path: 'spec.paused', after: true })).toBe('spec.paused: added true');
    expect(fieldLine({ path: 'data.x', before: 'a b' })).toBe('data.x: removed (was "a b")');
  });
});

describe('unified diff', () => {
  it('prints diff -u hunks with three lines of context, merging nearby changes', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n'].join('\n') + '\n';
    const after = before.replace('c\n', 'C\n').replace('e\n', 'E\n').replace('n\n', 'n\no\n');
    expect(unifiedDiff(before, after, { from: 'a', to: 'b' })).toBe(
      ['--- a', '+++ b', '@@ -1,8 +1,8 @@', ' a', ' b', '-c', '+C', ' d', '-e', '+E', ' f', ' g', ' h', '@@ -12,3 +12,4 @@', ' l', ' m', ' n', '+o', ''].join('\n'),
    );
  });

  it('is empty for equal texts, and all + or all - against nothing', () => {
    expect(unifiedDiff('x\n', 'x\n', { from: 'a', to: 'b' })).toBe('');
    expect(unifiedDiff('', 'x\ny\n', { from: '/dev/null', to: 'b' })).toBe('--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    expect(unifiedDiff('x\n', '', { from: 'a', to: '/dev/null' })).toBe('--- a\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n');
  });

  it('of objects in canonical YAML: a key that only moved is no difference', () => {
    expect(canonicalYaml({ b: 1, a: { d: 2, c: 3 } })).toBe('a:\n  c: 3\n  d: 2\nb: 1\n');
  });
});

describe('comparing a release’s objects', () => {
  it('keys objects by kind, namespace and name: a change, an addition and a removal', () => {
    const service = { ...deployment(2), kind: 'Service', object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ui-nodejs' } } };
    const pdb = { ...deployment(2), kind: 'PodDisruptionBudget', object: { kind: 'PodDisruptionBudget', metadata: { name: 'ui-nodejs' } } };
    const { changes, compared } = compareObjects('flux-system/ui', [deployment(2), service], [deployment(3), pdb], labels);
    expect(compared).toBe(3);
    expect(changes.map((c) => [c.change, c.kind, c.fields])).toEqual([
      ['changed', 'Deployment', [{ path: 'spec.replicas', before: 2, after: 3 }]],
      ['added', 'PodDisruptionBudget', []],
      ['removed', 'Service', []],
    ]);
    expect(changes[0]?.diff).toContain('--- Deployment ui/ui-nodejs (origin/main@0123456789ab)\n+++ Deployment ui/ui-nodejs (working tree)\n');
    expect(changes[0]?.diff).toMatch(/^- {2}replicas: 2\n\+ {2}replicas: 3$/m);
    expect(changes[1]?.diff).toMatch(/^--- \/dev\/null\n\+\+\+ PodDisruptionBudget ui\/ui-nodejs \(working tree\)\n@@ -0,0 \+1,3 @@/);
    expect(compareObjects('flux-system/ui', [deployment(2)], [deployment(2)], labels).changes).toEqual([]);
  });

  it('never shows a Secret value: a changed key is marked changed, an unchanged one hidden, in the fields, the diff and the report', () => {
    const before = secret({ PASSWORD: 'aHVudGVyMg==', TOKEN: 'c2FtZQ==' });
    const after = secret({ PASSWORD: 'Y29ycmVjdC1ob3JzZQ==', TOKEN: 'c2FtZQ==', NEW: 'bmV3LXZhbHVl' });
    const { changes } = compareObjects('flux-system/ui', [before], [after], labels);
    expect(changes[0]?.fields).toEqual([
      { path: 'data.PASSWORD', before: HIDDEN, after: HIDDEN_CHANGED },
      { path: 'data.NEW', after: HIDDEN_CHANGED },
    ]);
    const report: ReleaseDiffReport = { env: 'staging', from: labels.from, to: labels.to, releases: [], objects: changes, compared: 1 };
    const text = `${renderDiffReport(report)}\n${JSON.stringify(report)}`;
    for (const value of ['aHVudGVyMg==', 'Y29ycmVjdC1ob3JzZQ==', 'c2FtZQ==', 'bmV3LXZhbHVl']) expect(text).not.toContain(value);
    expect(text).toContain('data.PASSWORD: "(hidden)" → "(hidden, changed)"');
    expect(text).toMatch(/^- {2}PASSWORD: \(hidden\)\n\+ {2}NEW: \(hidden, changed\)\n\+ {2}PASSWORD: \(hidden, changed\)\n {3}TOKEN: \(hidden\)$/m);
    // A Secret whose only change is a value still counts as changed.
    const onlyValue = compareObjects('flux-system/ui', [secret({ A: 'eA==' })], [secret({ A: 'eQ==' })], labels);
    expect(onlyValue.changes.map((c) => c.change)).toEqual(['changed']);
    expect(onlyValue.changes[0]?.diff).not.toMatch(/eA==|eQ==/);
  });

  it('masks stringData and the last-applied annotation of Secrets too, and leaves other kinds alone', () => {
    const a = { kind: 'Secret', apiVersion: 'v1', stringData: { k: 'plain' }, metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"k":"plain"}}' } } };
    const masked = maskSecrets(a, undefined);
    expect(JSON.stringify(masked)).not.toContain('plain');
    const configMap = { kind: 'ConfigMap', apiVersion: 'v1', data: { k: 'plain' } };
    expect(maskSecrets(configMap, configMap).after).toBe(configMap);
  });
});

describe('--exit-code', () => {
  const base: ReleaseDiffReport = { env: 'staging', from: 'a', to: 'b', releases: [], objects: [], compared: 0 };
  it('differences are changed objects or releases added or removed; an unchanged or uncompared release is none', () => {
    expect(hasDifferences(base)).toBe(false);
    expect(hasDifferences({ ...base, releases: [{ release: 'x', where: 'f:1', status: 'not compared', objects: 0 }] })).toBe(false);
    expect(hasDifferences({ ...base, releases: [{ release: 'x', where: 'f:1', status: 'removed', objects: 0 }] })).toBe(true);
  });
});

describe('the report of releases not rendered', () => {
  it('says how many releases were unchanged without rendering, in the header and on each one’s line', () => {
    const report: ReleaseDiffReport = {
      env: 'staging',
      from: 'main@0123456789ab',
      to: 'working tree',
      releases: [
        { release: 'flux-system/api', where: 'releases/staging/api.yaml:6', status: 'unchanged', objects: 0, rendered: false },
        { release: 'flux-system/ui', where: 'releases/staging/ui.yaml:6', status: 'unchanged', objects: 5 },
      ],
      objects: [],
      compared: 5,
      notRendered: 1,
    };
    expect(renderDiffReport(report)).toBe(
      [
        'releases/staging/: main@0123456789ab → working tree, 5 objects compared; 1 release unchanged, not rendered (same HelmRelease, chart and values files at both sides)',
        '  HelmRelease flux-system/api (releases/staging/api.yaml:6): unchanged, not rendered',
        '  HelmRelease flux-system/ui (releases/staging/ui.yaml:6): unchanged',
        'no differences',
      ].join('\n'),
    );
    expect(hasDifferences(report)).toBe(false);
  });
});
