import { describe, expect, it } from 'vitest';
import { remediationProblems } from '../../../src/releases/contract.js';
import { managerFields, mergeFieldSets, projectFields } from '../../../src/releases/managed-fields.js';
import { helmReleaseName } from '../../../src/releases/release-objects.js';
import type { HelmRelease } from '../../../src/config/flux.js';

/** A live Deployment as the API server returns it: helm-controller's fields, an HPA's replicas, a controller's annotation. */
const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'ui-nodejs',
    annotations: { 'deployment.kubernetes.io/revision': '4', 'meta.helm.sh/release-name': 'ui' },
    managedFields: [
      {
        manager: 'helm-controller',
        operation: 'Apply',
        fieldsV1: {
          'f:metadata': { 'f:annotations': { 'f:meta.helm.sh/release-name': {} } },
          'f:spec': {
            'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nodejs"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
          },
        },
      },
      { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } } } },
      { manager: 'hpa', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ],
  },
  spec: {
    replicas: 5,
    template: { spec: { containers: [{ name: 'nodejs', image: 'ui:1', terminationMessagePath: '/dev/termination-log' }, { name: 'injected', image: 'proxy' }] } },
  },
  status: { readyReplicas: 5 },
};

describe('managed fields', () => {
  it('project an object onto the fields one manager owns: other managers’ fields, defaults inside owned items aside, and status are left out', () => {
    const owned = managerFields(live, 'helm-controller');
    expect(owned).toBeDefined();
    expect(projectFields(live, owned!)).toEqual({
      metadata: { annotations: { 'meta.helm.sh/release-name': 'ui' } },
      spec: { template: { spec: { containers: [{ name: 'nodejs', image: 'ui:1' }] } } },
    });
  });

  it('merge two field sets (owned now, and owned after the apply)', () => {
    expect(mergeFieldSets({ 'f:a': { 'f:b': {} } }, { 'f:a': { 'f:c': {} }, 'f:d': {} })).toEqual({ 'f:a': { 'f:b': {}, 'f:c': {} }, 'f:d': {} });
    expect(managerFields(live, 'nobody')).toBeUndefined();
    expect(managerFields(live, 'helm-controller', 'Update')).toBeUndefined();
  });

  it('match list items by value and by index too', () => {
    expect(projectFields({ finalizers: ['a', 'b'], args: ['x', 'y'] }, { 'f:finalizers': { 'v:"b"': {} }, 'f:args': { 'i:0': {} } })).toEqual({ finalizers: ['b'], args: ['x'] });
  });
});

describe('helm-controller’s release names', () => {
  const release = (name: string, spec: Partial<HelmRelease['spec']> = {}) =>
    ({ metadata: { name, namespace: 'flux-system' }, spec: { interval: '5m', chart: { spec: { chart: './charts/x', sourceRef: { kind: 'GitRepository', name: 'flux-system' } } }, ...spec } }) as HelmRelease;
  it('releaseName, else <targetNamespace>-<name>, else the name; past 53 characters shortened with a hash as helm-controller does', () => {
    expect(helmReleaseName(release('ui', { releaseName: 'web' }))).toBe('web');
    expect(helmReleaseName(release('ui', { targetNamespace: 'apps' }))).toBe('apps-ui');
    expect(helmReleaseName(release('ui'))).toBe('ui');
    const long = helmReleaseName(release('a'.repeat(40), { targetNamespace: 'b'.repeat(20) }));
    expect(long).toHaveLength(53);
    expect(long).toMatch(/^b{20}-a{19}-[0-9a-f]{12}$/);
  });
});

describe('the remediation contract', () => {
  const spec = {
    driftDetection: { mode: 'enabled' },
    install: { remediation: { retries: 3 } },
    upgrade: { remediation: { retries: 3, remediateLastFailure: true } },
  };
  it('accepts drift detection with bounded retries that roll back, by remediateLastFailure or strategy rollback', () => {
    expect(remediationProblems({ spec })).toEqual([]);
    expect(remediationProblems({ spec: { ...spec, upgrade: { remediation: { retries: 1, strategy: 'rollback' } } } })).toEqual([]);
  });

  it('names each missing part at the deepest field present', () => {
    expect(remediationProblems({ spec: { install: {} } }).map((p) => [p.rule, p.path.join('.')])).toEqual([
      ['release-drift-detection', 'spec'],
      ['release-remediation', 'spec.install'],
      ['release-remediation', 'spec'],
      ['release-remediation', 'spec'],
    ]);
    const bad = { ...spec, driftDetection: { mode: 'warn' }, install: { remediation: { retries: -1 } }, upgrade: { remediation: { retries: 2.5, strategy: 'uninstall' } } };
    expect(remediationProblems({ spec: bad }).map((p) => p.path.join('.'))).toEqual([
      'spec.driftDetection.mode',
      'spec.install.remediation.retries',
      'spec.upgrade.remediation.retries',
      'spec.upgrade.remediation.strategy',
    ]);
  });
});
