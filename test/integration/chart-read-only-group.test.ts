import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ADMIN_GROUP, READ_ONLY_GROUP } from '../../src/access/mapping.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { helm, lintCharts, renderChart, type RenderResult } from '../../src/tools/helm.js';
import { runTool } from '../../src/tools/run.js';
import { validateManifests } from '../../src/tools/kubeconform.js';
import { renderedObjects, type Obj } from '../helpers/chart-render.js';
import { describeValuesTable } from '../helpers/chart-values-table.js';

/**
 * infra/charts/read-only-group with the real helm and kubeconform (.tools/): the RBAC it
 * renders grants the read-only group reads only (no Secrets, no exec, no writes) and binds
 * nothing for the admins (aws-auth puts them in system:masters); its schema refuses groups RBAC
 * cannot scope; its README's values table is values.yaml's (UPDATE_README=1 rewrites the table).
 */
const chartDir = 'infra/charts/read-only-group';
const READ = ['get', 'list', 'watch'];

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const render = (values?: Obj): Promise<RenderResult> =>
  renderChart({ chartDir, releaseName: 'cluster-access', namespace: 'kube-system', values: values && stringify(values), cwd: repoRoot });

const rendered = (values?: Obj) => renderedObjects(render(values));

const named = (objects: Obj[], kind: string, name: string): Obj => {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0]!;
};

/** Every `group/resource` the rules grant, with its verbs. */
const grants = (rules: Rule[]) =>
  rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => ({ resource: group ? `${group}/${resource}` : resource, verbs: rule.verbs }))));

describe('infra/charts/read-only-group', () => {
  it('passes helm lint', async () => {
    expect(await lintCharts([chartDir], { cwd: repoRoot })).toEqual([]);
  });

  it('renders a ClusterRole and its ClusterRoleBinding only, valid for kubeconform (strict, offline), labelled as Helm’s', async () => {
    const { text, objects } = await rendered();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ClusterRole/biomage-read-only', 'ClusterRoleBinding/biomage-read-only']);
    const results = await validateManifests({ stdin: text });
    expect(results.map((r) => r.status)).toEqual(['valid', 'valid']);
    for (const o of objects) {
      expect(o.metadata.labels, o.metadata.name).toMatchObject({
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/instance': 'cluster-access',
        'app.kubernetes.io/name': 'read-only-group',
        'helm.sh/chart': 'read-only-group-0.2.0',
      });
    }
  });

  it('the read-only role grants get, list and watch only, never on Secrets or into pods', async () => {
    const role = named((await rendered()).objects, 'ClusterRole', 'biomage-read-only');
    const rules = role.rules as Rule[];
    for (const rule of rules) {
      expect(rule.verbs, JSON.stringify(rule)).toEqual(READ);
      expect(rule.resourceNames ?? rule.nonResourceURLs, JSON.stringify(rule)).toBeUndefined();
    }
    const resources = grants(rules).map((g) => g.resource);
    expect(resources.filter((r) => r.includes('*'))).toEqual([]);
    for (const forbidden of ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'nodes/proxy', 'serviceaccounts/token']) {
      expect(resources, forbidden).not.toContain(forbidden);
    }
    expect(resources.sort()).toEqual(
      [
        'pods',
        'pods/log',
        'services',
        'endpoints',
        'configmaps',
        'events',
        'namespaces',
        'nodes',
        'serviceaccounts',
        'apps/deployments',
        'apps/replicasets',
        'apps/statefulsets',
        'apps/daemonsets',
        'batch/jobs',
        'batch/cronjobs',
        'networking.k8s.io/ingresses',
        'networking.k8s.io/networkpolicies',
        'autoscaling/horizontalpodautoscalers',
        'policy/poddisruptionbudgets',
        'helm.toolkit.fluxcd.io/helmreleases',
        'kustomize.toolkit.fluxcd.io/kustomizations',
        'source.toolkit.fluxcd.io/gitrepositories',
        'source.toolkit.fluxcd.io/helmcharts',
      ].sort(),
    );
  });

  it('binds the read-only role to the group biomage maps infra/cluster_users to, and nothing to the admins (system:masters)', async () => {
    const { objects } = await rendered();
    expect(named(objects, 'ClusterRoleBinding', 'biomage-read-only')).toEqual(
      expect.objectContaining({
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'biomage-read-only' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: READ_ONLY_GROUP }],
      }),
    );
    expect(READ_ONLY_GROUP).toBe('read-only');
    expect(ADMIN_GROUP).toBe('system:masters');
    const subjects = objects.flatMap((o) => (o.subjects ?? []) as Obj[]).map((s) => s.name);
    expect(subjects).not.toContain(ADMIN_GROUP);
  });

  it('takes the group name from values', async () => {
    const { objects } = await rendered({ group: 'team:viewers' });
    expect(named(objects, 'ClusterRoleBinding', 'biomage-read-only').subjects[0].name).toBe('team:viewers');
  });
});

describe('infra/charts/read-only-group values.schema.json refuses groups RBAC cannot scope', () => {
  const cases: [string, Obj, RegExp][] = [
    ['read-only for every authenticated identity', { group: 'system:authenticated' }, /\/group/],
    ['read-only for system:masters, which RBAC cannot restrict', { group: 'system:masters' }, /\/group/],
    ['the removed adminGroup (admins are system:masters through aws-auth, not a binding)', { adminGroup: 'team:operators' }, /additional properties 'adminGroup' not allowed/],
    ['an empty group', { group: '' }, /\/group'?: minLength/],
    ['an unknown key', { groups: ['a'] }, /additional properties 'groups' not allowed/],
  ];
  for (const [name, values, message] of cases) {
    it(name, async () => {
      const result = await render(values);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.message).toMatch(/values don't meet the specifications of the schema/);
        expect(result.message).toMatch(message);
      }
    });
  }
  // The templates refuse them too, for values that bypass the schema.
  it.each([
    ['group', 'system:authenticated'],
    ['group', ''],
  ])('%s %j with --skip-schema-validation fails the rendering', async (key, value) => {
    const result = await runTool(helm, ['template', 'x', chartDir, '--skip-schema-validation', '--set', `${key}=${value}`], { cwd: repoRoot });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`${key} ${JSON.stringify(value)}: use a group of our own, not empty and not a system: group`);
  });
});

describeValuesTable(chartDir);
