import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { installRoot as repoRoot } from '../../src/paths.js';
import { renderChart, type RenderResult } from '../../src/tools/helm.js';
import { validateManifests } from '../../src/tools/kubeconform.js';
import { renderedObjects, type Obj } from '../helpers/chart-render.js';
import { describeValuesTable } from '../helpers/chart-values-table.js';

/**
 * charts/nodejs with the real helm and kubeconform (.tools/): it renders valid manifests with its
 * defaults and with a full staging-like release, its schema rejects bad values naming the field,
 * and its README's values table is values.yaml's (UPDATE_README=1 rewrites the table).
 */
const chartDir = 'charts/nodejs';
const fixtures = join(repoRoot, 'test', 'fixtures', 'chart-nodejs');
const stagingValues = readFileSync(join(fixtures, 'values-staging.yaml'), 'utf8');

const render = (values?: unknown): Promise<RenderResult> =>
  renderChart({
    chartDir,
    releaseName: 'api',
    namespace: 'api-staging',
    values: values === undefined ? undefined : typeof values === 'string' ? values : stringify(values),
    cwd: repoRoot,
  });

const rendered = (values?: unknown) => renderedObjects(render(values));

const one = (objects: Obj[], kind: string): Obj => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

/** A full valid values set with one change at a dotted path. */
function withValue(path: string, value: unknown): Obj {
  const values = structuredClone(parseAllDocuments(stagingValues)[0]!.toJSON()) as Obj;
  const keys = path.split('.');
  let at = values;
  for (const key of keys.slice(0, -1)) at = at[key] ??= {};
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return values;
}

describe('charts/nodejs renders valid manifests', () => {
  for (const [name, values] of [
    ['its defaults', undefined],
    ['a staging release (ingress, IRSA role, HPA)', stagingValues],
  ] as const) {
    it(`with ${name}, every object valid for kubeconform (strict, offline)`, async () => {
      const { text, objects } = await rendered(values);
      const results = await validateManifests({ stdin: text });
      expect(results.length).toBe(objects.length);
      expect(results.filter((r) => r.status !== 'valid')).toEqual([]);
    });
  }

  it('defaults: no Ingress, no HPA, a ServiceAccount without a role, the pod hardened and probed', async () => {
    const { objects } = await rendered();
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'Pod', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    expect(one(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    const deployment = one(objects, 'Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('deployment-runner');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.topologySpreadConstraints.map((c: Obj) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    const [container] = pod.containers;
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(container.image).not.toMatch(/:latest$/);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(container[probe].httpGet.port, probe).toBe('http');
      expect(container[probe].timeoutSeconds, probe).toBeLessThan(container[probe].periodSeconds);
    }
    const test = one(objects, 'Pod');
    expect(test.metadata.annotations['helm.sh/hook']).toBe('test');
  });

  it('staging: the ServiceAccount carries the role ARN built from values, the Ingress the ALB settings', async () => {
    const { objects } = await rendered(stagingValues);
    expect(one(objects, 'ServiceAccount').metadata).toMatchObject({
      name: 'deployment-runner',
      annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/biomage-api-role-staging' },
    });
    const ingress = one(objects, 'Ingress');
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/group.name': 'staging',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '20',
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds': '6',
      'alb.ingress.kubernetes.io/success-codes': '200',
    });
    expect(JSON.parse(ingress.metadata.annotations['alb.ingress.kubernetes.io/listen-ports'])).toEqual([{ HTTP: 80 }, { HTTPS: 443 }]);
    expect(one(objects, 'HorizontalPodAutoscaler').spec.maxReplicas).toBe(4);
    expect(one(objects, 'Deployment').spec.replicas).toBeUndefined();
  });

  it('every label and annotation value is a string, with the defaults and with staging values', async () => {
    for (const values of [undefined, stagingValues]) {
      const { objects } = await rendered(values);
      for (const o of objects) {
        for (const metadata of [o.metadata, o.spec?.template?.metadata].filter(Boolean)) {
          for (const map of [metadata.labels ?? {}, metadata.annotations ?? {}]) {
            for (const [key, value] of Object.entries(map)) expect(typeof value, `${o.kind} ${key}`).toBe('string');
          }
        }
      }
    }
  });
});

describe('charts/nodejs values.schema.json rejects bad values, naming the field', () => {
  const cases: [string, Obj, RegExp][] = [
    ['an unknown key', withValue('replicas', 3), /additional properties 'replicas' not allowed/],
    ['an unknown nested key', withValue('ingress.healthCheck.interval', 10), /\/ingress\/healthCheck.*'interval'/],
    ['replicaCount as a string', withValue('replicaCount', '2'), /\/replicaCount'?: got string, want integer/],
    // A release's values merge over the defaults: leaving tag out keeps the default, emptying it does not.
    ['an image without tag or digest', withValue('image.tag', ''), /at '\/image\/tag': minLength/],
    ['an image tag latest', withValue('image.tag', 'latest'), /\/image\/tag/],
    ['a health-check interval that is not a number', withValue('ingress.healthCheck.intervalSeconds', '15s'), /\/ingress\/healthCheck\/intervalSeconds'?: got string, want integer/],
    ['ingress on without a host', withValue('ingress.host', ''), /\/ingress\/host/],
    ['a role without an account id', withValue('serviceAccount.iamRole.accountId', ''), /\/serviceAccount\/iamRole\/accountId/],
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

  // What a JSON schema cannot compare, the templates refuse with `fail`.
  for (const [name, values, message] of [
    ['a probe timeout not below its period', withValue('probes.timeoutSeconds', 10), /probes.timeoutSeconds must be less than probes.periodSeconds/],
    ['an ALB health-check timeout not below its interval', withValue('ingress.healthCheck.timeoutSeconds', 20), /ingress.healthCheck.timeoutSeconds must be less than/],
  ] as const) {
    it(name, async () => {
      const result = await render(values);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(message);
    });
  }
});

describeValuesTable(chartDir);
