import { describe, expect, it } from 'vitest';
import type { RenderedManifest } from '../../../src/checks/context.js';
import type { Finding } from '../../../src/checks/finding.js';
import { templateLine } from '../../../src/checks/linters/template-lines.js';
import { manifestRules } from '../../../src/checks/rules/manifests.js';
import { checkContext, manifest } from '../../helpers/check-repo-k8s.js';

const CHART_YAML = 'apiVersion: v2\nname: web\nversion: 0.1.0\n';
const DEPLOYMENT = 'charts/web/templates/deployment.yaml';

/** The template text, as the chart holds it: the rules point at its lines. */
const deploymentTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    tier: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
      annotations:
        prometheus.io/scrape: {{ .Values.scrape }}
    spec:
      serviceAccountName: {{ .Values.serviceAccount }}
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: web-settings
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
              scheme: HTTPS
            timeoutSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz
              port: 443
          volumeMounts:
            - name: certs
              mountPath: /certs
      volumes:
        - name: certs
          secret:
            secretName: web-certs
`;

function deployment(over: { scrape?: unknown; serviceAccount?: string; name?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: over.name ?? 'web', labels: { tier: 'web' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'prometheus.io/scrape': over.scrape ?? true } },
        spec: {
          serviceAccountName: over.serviceAccount ?? 'web',
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ name: 'http', containerPort: 8080 }],
              envFrom: [{ configMapRef: { name: 'web-settings' } }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTPS' }, timeoutSeconds: 10 },
              livenessProbe: { httpGet: { path: '/healthz', port: 443 } },
              volumeMounts: [{ name: 'certs', mountPath: '/certs' }],
            },
          ],
          volumes: [{ name: 'certs', secret: { secretName: 'web-certs' } }],
        },
      },
    },
  };
}

const files = (extra: Record<string, string> = {}) => ({ 'charts/web/Chart.yaml': CHART_YAML, [DEPLOYMENT]: deploymentTemplate, ...extra });
const run = async (rendered: RenderedManifest[], extra: Record<string, string> = {}) =>
  await manifestRules.check(checkContext(files(extra), { rendered }));
const lines = (findings: Finding[]) => findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`).sort();

describe('manifest rules on one rendered Deployment', () => {
  it('report each problem at the line of the template that wrote it', async () => {
    const findings = await run([manifest(DEPLOYMENT, deployment())]);
    expect(lines(findings)).toEqual([
      `${DEPLOYMENT}:16 manifest-metadata-string annotation prometheus.io/scrape on the pod template of Deployment web is a boolean (true), not a string`,
      `${DEPLOYMENT}:18 manifest-undefined-reference serviceAccountName of Deployment web names ServiceAccount web, which this rendering does not define in its namespace and biomage.io/external-objects does not list`,
      `${DEPLOYMENT}:27 manifest-undefined-reference envFrom of container web of Deployment web names ConfigMap web-settings, which this rendering does not define in its namespace and biomage.io/external-objects does not list`,
      `${DEPLOYMENT}:32 manifest-probe-scheme readinessProbe of container web in Deployment web uses HTTPS on port http (8080), which is a plain-HTTP port`,
      `${DEPLOYMENT}:33 manifest-probe-timeout readinessProbe of container web in Deployment web: timeoutSeconds 10 is not less than periodSeconds 10 (default)`,
      `${DEPLOYMENT}:37 manifest-probe-scheme livenessProbe of container web in Deployment web uses HTTP (default) on port 443, which is a TLS port`,
      `${DEPLOYMENT}:44 manifest-undefined-reference volume certs of Deployment web names Secret web-certs, which this rendering does not define in its namespace and biomage.io/external-objects does not list`,
    ]);
    const scrape = findings.find((f) => f.rule === 'manifest-metadata-string')!;
    expect(scrape.fix).toBe('quote it (`prometheus.io/scrape: "true"`), or use `| quote` where the template writes it');
    const missing = findings.find((f) => f.message.startsWith('volume certs'))!;
    expect(missing.fix).toBe(
      'define Secret web-certs in the chart or, if something else creates it, list "Secret/web-certs" in the biomage.io/external-objects annotation of charts/web/Chart.yaml (every release) or of the HelmRelease (that release)',
    );
  });

  it('accept references to objects the same rendering defines, in the same namespace', async () => {
    const value = deployment({ scrape: 'true', serviceAccount: 'default' });
    const defined = [
      manifest('charts/web/templates/config.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-settings' } }),
      manifest('charts/web/templates/secret.yaml', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-certs', namespace: 'elsewhere' } }),
    ];
    const findings = await run([manifest(DEPLOYMENT, value), ...defined]);
    // The Secret is in another namespace: the pod cannot mount it.
    expect(findings.filter((f) => f.rule === 'manifest-undefined-reference').map((f) => f.message)).toEqual([
      'volume certs of Deployment web names Secret web-certs, which this rendering does not define in its namespace and biomage.io/external-objects does not list',
    ]);
  });

  it('accept objects the chart or the HelmRelease lists as external, including patterns', async () => {
    const chart = `${CHART_YAML}annotations:\n  biomage.io/external-objects: "ConfigMap/web-settings, Secret/web-*"\n`;
    const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  annotations:
    biomage.io/external-objects: ServiceAccount/web
spec: {}
`;
    const value = deployment({ scrape: 'true' });
    const fromChart = await run([manifest(DEPLOYMENT, value)], { 'charts/web/Chart.yaml': chart });
    expect(fromChart.filter((f) => f.rule === 'manifest-undefined-reference').map((f) => f.message)).toEqual([
      'serviceAccountName of Deployment web names ServiceAccount web, which this rendering does not define in its namespace and biomage.io/external-objects does not list',
    ]);
    const fromBoth = await run([manifest(DEPLOYMENT, value, { origin: 'releases/staging/web.yaml', environment: 'staging' })], {
      'charts/web/Chart.yaml': chart,
      'releases/staging/web.yaml': release,
    });
    expect(fromBoth.filter((f) => f.rule === 'manifest-undefined-reference')).toEqual([]);
  });

  it('report an external-objects entry that is not Kind/name, at the annotation', async () => {
    const chart = `${CHART_YAML}annotations:\n  biomage.io/external-objects: "Secret/ok, Deployment/web, justaname"\n`;
    const findings = await run([], { 'charts/web/Chart.yaml': chart });
    expect(lines(findings)).toEqual([
      'charts/web/Chart.yaml:5 manifest-undefined-reference biomage.io/external-objects entry "Deployment/web" is not ConfigMap/<name>, Secret/<name> or ServiceAccount/<name>',
      'charts/web/Chart.yaml:5 manifest-undefined-reference biomage.io/external-objects entry "justaname" is not ConfigMap/<name>, Secret/<name> or ServiceAccount/<name>',
    ]);
  });

  it('report an invalid entry of a HelmRelease annotation at its line', async () => {
    const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  annotations:
    biomage.io/external-objects: Secrets/web-certs
spec: {}
`;
    expect(lines(await run([], { 'releases/staging/web.yaml': release }))).toEqual([
      'releases/staging/web.yaml:6 manifest-undefined-reference biomage.io/external-objects entry "Secrets/web-certs" is not ConfigMap/<name>, Secret/<name> or ServiceAccount/<name>',
    ]);
  });

  it('judge each rendering on its own: what the defaults define does not count for a release', async () => {
    const value = deployment({ scrape: 'true', serviceAccount: 'default' });
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-settings' } };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-certs' } };
    const release = { origin: 'releases/staging/web.yaml', environment: 'staging' as const, namespace: 'web-staging' };
    const findings = await run([
      manifest(DEPLOYMENT, value),
      manifest('charts/web/templates/config.yaml', config),
      manifest('charts/web/templates/secret.yaml', secret),
      manifest(DEPLOYMENT, value, release),
      manifest('charts/web/templates/secret.yaml', secret, release),
    ]);
    expect(findings.filter((f) => f.rule === 'manifest-undefined-reference').map((f) => f.message)).toEqual([
      'envFrom of container web of Deployment web names ConfigMap web-settings, which this rendering does not define in its namespace and biomage.io/external-objects does not list (release releases/staging/web.yaml)',
    ]);
  });

  it('skip optional references and the objects every namespace has', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        serviceAccountName: 'default',
        containers: [
          {
            name: 'c',
            image: 'busybox:1.37',
            env: [
              { name: 'A', valueFrom: { secretKeyRef: { name: 'maybe', key: 'a', optional: true } } },
              { name: 'B', valueFrom: { configMapKeyRef: { name: 'missing', key: 'b' } } },
            ],
          },
        ],
        volumes: [
          { name: 'token', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'gone' } }] } },
          { name: 'opt', configMap: { name: 'absent', optional: true } },
        ],
        imagePullSecrets: [{ name: 'registry' }],
      },
    };
    const findings = await run([manifest('charts/web/templates/pod.yaml', pod)]);
    expect(findings.map((f) => f.message)).toEqual([
      'imagePullSecrets of Pod p names Secret registry, which this rendering does not define in its namespace and biomage.io/external-objects does not list',
      'volume token of Pod p names Secret gone, which this rendering does not define in its namespace and biomage.io/external-objects does not list',
      'env B of container c of Pod p names ConfigMap missing, which this rendering does not define in its namespace and biomage.io/external-objects does not list',
    ]);
    // The template file does not exist: line 1.
    expect(findings.every((f) => f.line === 1)).toBe(true);
  });

  it('check the TLS secrets of an Ingress', async () => {
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { tls: [{ hosts: ['a.example'], secretName: 'web-tls' }] } };
    const findings = await run([manifest('charts/web/templates/ingress.yaml', ingress)]);
    expect(findings.map((f) => f.message)).toEqual([
      'spec.tls[0].secretName of Ingress web names Secret web-tls, which this rendering does not define in its namespace and biomage.io/external-objects does not list',
    ]);
  });
});

describe('findings from several renderings', () => {
  it('are one finding when the chart defaults have it, and name the releases when only they have it', async () => {
    const chartOnly = await run([
      manifest(DEPLOYMENT, deployment()),
      manifest(DEPLOYMENT, deployment(), { origin: 'releases/staging/web.yaml', environment: 'staging', namespace: 'web-staging' }),
    ]);
    const scrape = chartOnly.filter((f) => f.rule === 'manifest-metadata-string');
    expect(scrape.map((f) => f.message)).toEqual(['annotation prometheus.io/scrape on the pod template of Deployment web is a boolean (true), not a string']);

    const releasesOnly = await run([
      manifest(DEPLOYMENT, deployment({ scrape: 'true' })),
      manifest(DEPLOYMENT, deployment({ scrape: 1 }), { origin: 'releases/staging/web.yaml', environment: 'staging' }),
      manifest(DEPLOYMENT, deployment({ scrape: 1 }), { origin: 'releases/production/web.yaml', environment: 'production' }),
    ]);
    expect(releasesOnly.filter((f) => f.rule === 'manifest-metadata-string').map((f) => f.message)).toEqual([
      'annotation prometheus.io/scrape on the pod template of Deployment web is a number (1), not a string (releases releases/production/web.yaml, releases/staging/web.yaml)',
    ]);
  });
});

describe('manifest-metadata-string', () => {
  it('covers labels and annotations of the object, the job template and the pod template, not null values', async () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', labels: { version: 2 }, annotations: { empty: null } },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          metadata: { annotations: { retries: 3 } },
          spec: { template: { metadata: { labels: { canary: false } }, spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox:1.37' }] } } },
        },
      },
    };
    const findings = await run([manifest('charts/web/templates/cron.yaml', cron)]);
    expect(findings.map((f) => f.message)).toEqual([
      'label version on CronJob nightly is a number (2), not a string',
      'annotation retries on the job template of CronJob nightly is a number (3), not a string',
      'label canary on the pod template of CronJob nightly is a boolean (false), not a string',
    ]);
  });
});

describe('manifest-probe-timeout', () => {
  const pod = (probe: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'busybox:1.37', startupProbe: { exec: { command: ['true'] }, ...probe } }] },
  });
  const timeouts = async (probe: Record<string, unknown>) =>
    (await run([manifest('charts/web/templates/pod.yaml', pod(probe))])).filter((f) => f.rule === 'manifest-probe-timeout').map((f) => f.message);

  it('uses the Kubernetes defaults (timeout 1, period 10) for what is not set', async () => {
    expect(await timeouts({})).toEqual([]);
    expect(await timeouts({ timeoutSeconds: 9 })).toEqual([]);
    expect(await timeouts({ periodSeconds: 1 })).toEqual([
      'startupProbe of container c in Pod p: timeoutSeconds 1 (default) is not less than periodSeconds 1',
    ]);
    expect(await timeouts({ timeoutSeconds: 30, periodSeconds: 20 })).toEqual([
      'startupProbe of container c in Pod p: timeoutSeconds 30 is not less than periodSeconds 20',
    ]);
  });
});

describe('manifest-probe-scheme', () => {
  const pod = (httpGet: Record<string, unknown>, ports: Record<string, unknown>[] = []) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27', ports, livenessProbe: { httpGet } }] },
  });
  const schemes = async (httpGet: Record<string, unknown>, ports?: Record<string, unknown>[]) =>
    (await run([manifest('charts/web/templates/pod.yaml', pod(httpGet, ports))])).map((f) => f.message);

  it('resolves named ports through the container, and numbers to their names', async () => {
    expect(await schemes({ port: 'web', scheme: 'HTTPS' }, [{ name: 'web', containerPort: 8443 }])).toEqual([]);
    expect(await schemes({ port: 'web' }, [{ name: 'web', containerPort: 8443 }])).toEqual([
      'livenessProbe of container c in Pod p uses HTTP (default) on port web (8443), which is a TLS port',
    ]);
    expect(await schemes({ port: 9000, scheme: 'HTTPS' }, [{ name: 'http-metrics', containerPort: 9000 }])).toEqual([
      'livenessProbe of container c in Pod p uses HTTPS on port http-metrics (9000), which is a plain-HTTP port',
    ]);
    expect(await schemes({ port: 'https' })).toEqual(['livenessProbe of container c in Pod p uses HTTP (default) on port https, which is a TLS port']);
    expect(await schemes({ port: 80, scheme: 'HTTP' })).toEqual([]);
    expect(await schemes({ port: 9000, scheme: 'HTTPS' })).toEqual([]);
  });
});

describe('manifest-alb-healthcheck', () => {
  const ingress = (annotations: Record<string, string>, kind = 'Ingress') => ({
    apiVersion: kind === 'Ingress' ? 'networking.k8s.io/v1' : 'v1',
    kind,
    metadata: { name: 'web', annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [`alb.ingress.kubernetes.io/${k}`, v])) },
    spec: {},
  });
  const alb = async (annotations: Record<string, string>, kind?: string) =>
    (await run([manifest('charts/web/templates/ingress.yaml', ingress(annotations, kind))])).map((f) => f.message);

  it('compares the timeout with the interval, with the controller defaults (5 and 15)', async () => {
    expect(await alb({ 'healthcheck-timeout-seconds': '10' })).toEqual([]);
    expect(await alb({ 'healthcheck-timeout-seconds': '15' })).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds on Ingress web is 15, not less than healthcheck-interval-seconds 15 (default)',
    ]);
    expect(await alb({ 'healthcheck-interval-seconds': '5' }, 'Service')).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds on Service web is 5, not more than healthcheck-timeout-seconds 5 (default)',
    ]);
    expect(await alb({ 'healthcheck-timeout-seconds': '30', 'healthcheck-interval-seconds': '20' })).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds on Ingress web is 30, not less than healthcheck-interval-seconds 20',
    ]);
    expect(await alb({ 'healthcheck-timeout-seconds': '5s', 'healthcheck-interval-seconds': '400' })).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-timeout-seconds on Ingress web is "5s", not a whole number of seconds',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds on Ingress web is 400, outside the 5-300 seconds the load balancer allows',
    ]);
  });

  it('checks that the protocol fits the port', async () => {
    expect(await alb({ 'healthcheck-protocol': 'HTTPS', 'healthcheck-port': '443' })).toEqual([]);
    expect(await alb({ 'healthcheck-protocol': 'HTTPS', 'healthcheck-port': '80' })).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-port on Ingress web is 80 but the health check uses HTTPS (healthcheck-protocol)',
    ]);
    expect(await alb({ 'healthcheck-port': '443' })).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-port on Ingress web is 443 but the health check uses HTTP (the default protocol)',
    ]);
    expect(await alb({ 'backend-protocol': 'HTTPS', 'healthcheck-port': '80' })).toEqual([
      'alb.ingress.kubernetes.io/healthcheck-port on Ingress web is 80 but the health check uses HTTPS (backend-protocol)',
    ]);
    expect(await alb({ 'healthcheck-protocol': 'TCP' })).toEqual(['alb.ingress.kubernetes.io/healthcheck-protocol on Ingress web is "TCP", not HTTP or HTTPS']);
  });

  it('checks success-codes: codes and ranges, in the range of the protocol', async () => {
    for (const ok of ['200', '200,302', '200-399', '200-299,404']) expect(await alb({ 'success-codes': ok })).toEqual([]);
    expect(await alb({ 'success-codes': '0-99', 'backend-protocol-version': 'GRPC' })).toEqual([]);
    expect(await alb({ 'success-codes': '200, 302' })).toEqual([
      'alb.ingress.kubernetes.io/success-codes on Ingress web is "200, 302", not codes or ranges separated by commas',
    ]);
    expect(await alb({ 'success-codes': '399-200' })).toEqual([
      'alb.ingress.kubernetes.io/success-codes on Ingress web is "399-200", outside 200-499 or with a range that runs backwards',
    ]);
    expect(await alb({ 'success-codes': '200', 'backend-protocol-version': 'GRPC' })).toEqual([
      'alb.ingress.kubernetes.io/success-codes on Ingress web is "200", outside 0-99 (gRPC status codes) or with a range that runs backwards',
    ]);
  });
});

describe('templateLine', () => {
  const text = `{{- if .Values.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: b
spec:
  template:
    spec:
      containers:
      - name: first
        image: x
        livenessProbe:
          {{- toYaml .Values.probe | nindent 10 }}
      - image: y
        name: second
        readinessProbe:
          timeoutSeconds: 5
{{- end }}
`.split('\n');
  const value = {
    kind: 'Deployment',
    metadata: { name: 'b' },
    spec: { template: { spec: { containers: [{ name: 'first', livenessProbe: { timeoutSeconds: 5 } }, { name: 'second', readinessProbe: { timeoutSeconds: 5 } }] } } },
  };

  it('follows the path inside the document of the kind, through list items by name', () => {
    expect(templateLine(text, value, ['metadata', 'name'])).toBe(10);
    // Written by toYaml: the nearest key the template has.
    expect(templateLine(text, value, ['spec', 'template', 'spec', 'containers', 0, 'livenessProbe', 'timeoutSeconds'])).toBe(17);
    expect(templateLine(text, value, ['spec', 'template', 'spec', 'containers', 1, 'readinessProbe', 'timeoutSeconds'])).toBe(22);
    expect(templateLine([], value, ['metadata'])).toBe(1);
  });
});
