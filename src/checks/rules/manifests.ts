import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXTERNAL_OBJECTS_ANNOTATION, parseExternalObjects, type ExternalObject } from '../../config/flux.js';
import type { CheckContext, RenderedManifest, RuleModule } from '../context.js';
import type { Finding } from '../finding.js';
import { TemplateTexts } from '../linters/template-lines.js';
import { parseYamlFile, valueAt, type YamlPath } from '../../yaml/source.js';

/**
 * Rules over the objects the charts render (with their defaults and with every release's
 * values): mistakes that pass the Kubernetes schema but fail at apply time or at run time.
 * Findings point at the chart template that produced the object.
 */
export const manifestRules: RuleModule = {
  rules: [
    {
      id: 'manifest-metadata-string',
      rationale: 'label and annotation values must be strings: the API server rejects a number or a boolean and the release fails',
      fix: 'quote the value (`"true"`, `"8080"`), or pipe it through `| quote` in the template',
    },
    {
      id: 'manifest-probe-timeout',
      rationale: 'a probe whose timeout is not shorter than its period starts the next check before the last one gave up',
      fix: 'make timeoutSeconds smaller than periodSeconds (the defaults are 1 and 10)',
    },
    {
      id: 'manifest-probe-scheme',
      rationale: 'an HTTPS probe on a plain-HTTP port (or HTTP on a TLS port) always fails, so the pod never gets ready or is restarted in a loop',
      fix: 'use scheme HTTP on plain ports (http, 80, 8080) and HTTPS on TLS ports (https, 443, 8443)',
    },
    {
      id: 'manifest-alb-healthcheck',
      rationale: 'the AWS Load Balancer Controller cannot create a target group from inconsistent health check annotations, and the ingress never gets an address',
      fix: 'keep healthcheck-timeout-seconds below healthcheck-interval-seconds (defaults 5 and 15), the protocol matching the port, and success-codes like 200, 200,302 or 200-399',
    },
    {
      id: 'manifest-undefined-reference',
      rationale: 'a pod that names a ConfigMap, Secret or ServiceAccount nobody creates never starts',
      fix: `define the object in the chart, or list it as \`Kind/name\` in the \`${EXTERNAL_OBJECTS_ANNOTATION}\` annotation of the chart's Chart.yaml or of the HelmRelease when something else creates it`,
    },
  ],
  check(ctx) {
    const templates = new TemplateTexts(ctx.repo.root);
    const raw: RawFinding[] = [];
    for (const manifest of ctx.rendered) {
      const report = (path: ObjectPath, rule: string, message: string, fix?: string) =>
        raw.push({ file: manifest.template, line: templates.lineOf(manifest, path), rule, message, ...(fix ? { fix } : {}), origin: manifest.origin, release: fromRelease(manifest) });
      metadataStrings(manifest.value, report);
      probes(manifest.value, report);
      albHealthCheck(manifest.value, report);
    }
    raw.push(...undefinedReferences(ctx, templates));
    return [...mergeOrigins(raw), ...externalAnnotationFindings(ctx)];
  },
};

type ObjectPath = YamlPath;

/** Rendered with a release's values (origin `releases/<env>/x.yaml`), not with the chart's defaults. */
const fromRelease = (manifest: RenderedManifest) => manifest.origin.startsWith('releases/');
type Report = (path: ObjectPath, rule: string, message: string, fix?: string) => void;
type Obj = Record<string, unknown>;

interface RawFinding extends Finding {
  origin: string;
  /** The origin is a release file, not a chart's defaults. */
  release: boolean;
}

/**
 * One finding per template line and problem: the same problem in the chart's defaults and in
 * releases is the template's own; one that only some releases have names them.
 */
function mergeOrigins(raw: RawFinding[]): Finding[] {
  const groups = new Map<string, RawFinding[]>();
  for (const f of raw) {
    const key = `${f.file}\0${f.line}\0${f.rule}\0${f.message}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()].map((group) => {
    const [head] = group;
    if (!head) throw new Error('internal: an empty group of findings');
    const { origin: _origin, release: _release, ...finding } = head;
    if (group.some((f) => !f.release)) return finding;
    const releases = [...new Set(group.map((f) => f.origin))].sort();
    return { ...finding, message: `${finding.message} (${releases.length === 1 ? 'release' : 'releases'} ${releases.join(', ')})` };
  });
}

// ----- where pods and metadata live in each kind

const POD_TEMPLATE: Record<string, ObjectPath> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The path of the pod spec inside an object, if it holds one. */
export function podSpecPath(value: Obj): ObjectPath | undefined {
  if (value.kind === 'Pod') return ['spec'];
  const template = POD_TEMPLATE[String(value.kind)];
  return template ? [...template, 'spec'] : undefined;
}

function metadataPaths(value: Obj): ObjectPath[] {
  const paths: ObjectPath[] = [['metadata']];
  if (value.kind === 'CronJob') paths.push(['spec', 'jobTemplate', 'metadata']);
  const template = POD_TEMPLATE[String(value.kind)];
  if (template) paths.push([...template, 'metadata']);
  return paths;
}


const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
// eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML value shown or compared as String writes it; a mapping or list there is the author's mistake, reported as written
const objectName = (value: Obj) => `${String(value.kind)} ${String((value.metadata as Obj | undefined)?.name ?? '(unnamed)')}`;

function where(path: ObjectPath, value: Obj): string {
  const template = POD_TEMPLATE[String(value.kind)];
  if (path.length > 1 && template && path.length >= template.length && template.every((k, i) => path[i] === k)) return 'the pod template of ';
  if (path.length > 1 && path[1] === 'jobTemplate') return 'the job template of ';
  return '';
}

// ----- manifest-metadata-string

function metadataStrings(value: Obj, report: Report): void {
  for (const metadataPath of metadataPaths(value)) {
    for (const field of ['labels', 'annotations'] as const) {
      const map = valueAt(value, [...metadataPath, field]);
      if (!isObj(map)) continue;
      for (const [key, entry] of Object.entries(map)) {
        if (typeof entry === 'string' || entry === null) continue;
        // Where it is shown, neither a string, null, list nor mapping: a YAML scalar (number or boolean).
        const scalar = entry as number | boolean | undefined;
        const kind = Array.isArray(entry) ? 'a list' : typeof entry === 'object' ? 'a mapping' : `a ${typeof entry} (${String(scalar)})`;
        report(
          [...metadataPath, field, key],
          'manifest-metadata-string',
          `${field === 'labels' ? 'label' : 'annotation'} ${key} on ${where(metadataPath, value)}${objectName(value)} is ${kind}, not a string`,
          typeof entry === 'object' ? undefined : `quote it (\`${key}: "${String(scalar)}"\`), or use \`| quote\` where the template writes it`,
        );
      }
    }
  }
}

// ----- manifest-probe-timeout, manifest-probe-scheme

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const CONTAINER_LISTS = ['initContainers', 'containers'] as const;

function probes(value: Obj, report: Report): void {
  const specPath = podSpecPath(value);
  if (!specPath) return;
  for (const listName of CONTAINER_LISTS) {
    list(valueAt(value, [...specPath, listName])).forEach((container, index) => {
      if (!isObj(container)) return;
      const containerPath = [...specPath, listName, index];
      for (const probeName of PROBES) {
        const probe = container[probeName];
        if (!isObj(probe)) continue;
        const probePath = [...containerPath, probeName];
        const subject = `${probeName} of container ${String(container.name)} in ${objectName(value)}`;
        probeTimeout(probe, probePath, subject, report);
        probeScheme(container, probe, probePath, subject, report);
      }
    });
  }
}

function probeTimeout(probe: Obj, path: ObjectPath, subject: string, report: Report): void {
  const timeout = probe.timeoutSeconds ?? 1;
  const period = probe.periodSeconds ?? 10;
  if (typeof timeout !== 'number' || typeof period !== 'number' || timeout < period) return;
  const describe = (field: string, n: number) => `${field} ${n}${probe[field] === undefined ? ' (default)' : ''}`;
  report(
    [...path, probe.timeoutSeconds !== undefined ? 'timeoutSeconds' : 'periodSeconds'],
    'manifest-probe-timeout',
    `${subject}: ${describe('timeoutSeconds', timeout)} is not less than ${describe('periodSeconds', period)}`,
  );
}

type PortKind = 'plain' | 'tls';

function classifyName(name: string): PortKind | undefined {
  if (/^https($|-)/i.test(name)) return 'tls';
  if (/^http($|-)/i.test(name)) return 'plain';
  return undefined;
}

function classifyNumber(port: number): PortKind | undefined {
  if (port === 443 || port === 8443) return 'tls';
  if (port === 80 || port === 8080) return 'plain';
  return undefined;
}

function probeScheme(container: Obj, probe: Obj, path: ObjectPath, subject: string, report: Report): void {
  const httpGet = probe.httpGet;
  if (!isObj(httpGet)) return;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML value shown or compared as String writes it; a mapping or list there is the author's mistake, reported as written
  const scheme = String(httpGet.scheme ?? 'HTTP').toUpperCase();
  const ports = list(container.ports).filter(isObj);
  let name: string | undefined;
  let number: number | undefined;
  if (typeof httpGet.port === 'string' && !/^\d+$/.test(httpGet.port)) {
    name = httpGet.port;
    const port = ports.find((p) => p.name === name)?.containerPort;
    number = typeof port === 'number' ? port : undefined;
  } else {
    number = Number(httpGet.port);
    const port = ports.find((p) => p.containerPort === number)?.name;
    name = typeof port === 'string' ? port : undefined;
  }
  const kind = (name !== undefined ? classifyName(name) : undefined) ?? (number !== undefined ? classifyNumber(number) : undefined);
  if (!kind || (kind === 'plain') === (scheme !== 'HTTPS')) return;
  const port = name !== undefined && number !== undefined ? `${name} (${number})` : String(name ?? number);
  report(
    [...path, 'httpGet', httpGet.scheme !== undefined ? 'scheme' : 'port'],
    'manifest-probe-scheme',
    `${subject} uses ${scheme}${httpGet.scheme === undefined ? ' (default)' : ''} on port ${port}, which is ${kind === 'plain' ? 'a plain-HTTP' : 'a TLS'} port`,
    kind === 'plain' ? 'set httpGet.scheme to HTTP (or leave it out), or probe the TLS port' : 'set httpGet.scheme to HTTPS, or probe the plain-HTTP port',
  );
}

// ----- manifest-alb-healthcheck

const ALB = 'alb.ingress.kubernetes.io/';

/**
 * The controller's health check annotations on an Ingress or a Service (a Service's override the
 * Ingress's for its target group). Each object is judged with its own annotations and the
 * controller's defaults for the rest.
 */
function albHealthCheck(value: Obj, report: Report): void {
  if (value.kind !== 'Ingress' && value.kind !== 'Service') return;
  const annotations = valueAt(value, ['metadata', 'annotations']);
  if (!isObj(annotations)) return;
  const get = (name: string) => {
    const v = annotations[`${ALB}${name}`];
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML value shown or compared as String writes it; a mapping or list there is the author's mistake, reported as written
    return v === undefined || v === null ? undefined : String(v);
  };
  const path = (name: string): ObjectPath => ['metadata', 'annotations', `${ALB}${name}`];
  const subject = objectName(value);
  const problem = (name: string, message: string, fix?: string) => report(path(name), 'manifest-alb-healthcheck', `${ALB}${name} on ${subject} ${message}`, fix);

  const seconds = (name: string, fallback: number, min: number, max: number): number | undefined => {
    const text = get(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text.trim())) {
      problem(name, `is ${JSON.stringify(text)}, not a whole number of seconds`);
      return undefined;
    }
    const n = Number(text);
    if (n < min || n > max) {
      problem(name, `is ${n}, outside the ${min}-${max} seconds the load balancer allows`);
      return undefined;
    }
    return n;
  };
  const timeout = seconds('healthcheck-timeout-seconds', 5, 2, 120);
  const interval = seconds('healthcheck-interval-seconds', 15, 5, 300);
  if (timeout !== undefined && interval !== undefined && timeout >= interval && (get('healthcheck-timeout-seconds') ?? get('healthcheck-interval-seconds')) !== undefined) {
    const set = get('healthcheck-timeout-seconds') !== undefined ? 'healthcheck-timeout-seconds' : 'healthcheck-interval-seconds';
    problem(
      set,
      set === 'healthcheck-timeout-seconds'
        ? `is ${timeout}, not less than healthcheck-interval-seconds ${interval}${get('healthcheck-interval-seconds') === undefined ? ' (default)' : ''}`
        : `is ${interval}, not more than healthcheck-timeout-seconds ${timeout} (default)`,
    );
  }

  const explicitProtocol = get('healthcheck-protocol');
  const protocol = (explicitProtocol ?? get('backend-protocol') ?? 'HTTP').toUpperCase();
  if (explicitProtocol !== undefined && !['HTTP', 'HTTPS'].includes(protocol)) {
    problem('healthcheck-protocol', `is ${JSON.stringify(explicitProtocol)}, not HTTP or HTTPS`);
  }
  const port = get('healthcheck-port')?.trim();
  if (port !== undefined && (port === '80' || port === '443')) {
    const mismatch = (protocol === 'HTTPS' && port === '80') || (protocol === 'HTTP' && port === '443');
    if (mismatch) {
      const origin = explicitProtocol !== undefined ? 'healthcheck-protocol' : get('backend-protocol') !== undefined ? 'backend-protocol' : 'the default protocol';
      problem('healthcheck-port', `is ${port} but the health check uses ${protocol} (${origin})`, `set ${ALB}healthcheck-protocol to ${port === '443' ? 'HTTPS' : 'HTTP'}, or the port to ${port === '443' ? '80' : '443'}`);
    }
  }

  const codes = get('success-codes');
  if (codes !== undefined) {
    const grpc = get('backend-protocol-version')?.toUpperCase() === 'GRPC';
    const [min, max] = grpc ? [0, 99] : [200, 499];
    const text = codes.trim();
    const malformed = !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text);
    const bad =
      malformed ||
      text.split(',').some((part) => {
        const [low, high = low] = part.split('-').map(Number) as [number, number?];
        return low < min || high > max || low > high;
      });
    if (bad) {
      problem(
        'success-codes',
        malformed
          ? `is ${JSON.stringify(codes)}, not codes or ranges separated by commas`
          : `is ${JSON.stringify(codes)}, outside ${min}-${max}${grpc ? ' (gRPC status codes)' : ''} or with a range that runs backwards`,
      );
    }
  }
}

// ----- manifest-undefined-reference

type RefKind = 'ConfigMap' | 'Secret' | 'ServiceAccount';

interface Reference {
  kind: RefKind;
  name: string;
  /** What names it: `volume certs`, `envFrom of container api`. */
  via: string;
  path: ObjectPath;
}

/** Objects every namespace has, created by Kubernetes itself. */
const BUILT_IN = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

function references(value: Obj): Reference[] {
  const refs: Reference[] = [];
  const add = (kind: RefKind, name: unknown, optional: unknown, via: string, path: ObjectPath) => {
    if (typeof name === 'string' && name !== '' && optional !== true) refs.push({ kind, name, via, path });
  };
  if (value.kind === 'Ingress') {
    list(valueAt(value, ['spec', 'tls'])).forEach((tls, i) => {
      if (isObj(tls)) add('Secret', tls.secretName, false, `spec.tls[${i}].secretName`, ['spec', 'tls', i, 'secretName']);
    });
  }
  const specPath = podSpecPath(value);
  const spec = specPath && valueAt(value, specPath);
  if (!specPath || !isObj(spec)) return refs;

  const account = spec.serviceAccountName ?? spec.serviceAccount;
  add('ServiceAccount', account, false, 'serviceAccountName', [...specPath, spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount']);
  list(spec.imagePullSecrets).forEach((secret, i) => {
    if (isObj(secret)) add('Secret', secret.name, false, 'imagePullSecrets', [...specPath, 'imagePullSecrets', i]);
  });
  list(spec.volumes).forEach((volume, i) => {
    if (!isObj(volume)) return;
    const path = [...specPath, 'volumes', i];
    const via = `volume ${String(volume.name)}`;
    if (isObj(volume.configMap)) add('ConfigMap', volume.configMap.name, volume.configMap.optional, via, [...path, 'configMap', 'name']);
    if (isObj(volume.secret)) add('Secret', volume.secret.secretName, volume.secret.optional, via, [...path, 'secret', 'secretName']);
    if (isObj(volume.projected)) {
      list(volume.projected.sources).forEach((source, j) => {
        if (!isObj(source)) return;
        const sourcePath = [...path, 'projected', 'sources', j];
        if (isObj(source.configMap)) add('ConfigMap', source.configMap.name, source.configMap.optional, via, [...sourcePath, 'configMap', 'name']);
        if (isObj(source.secret)) add('Secret', source.secret.name, source.secret.optional, via, [...sourcePath, 'secret', 'name']);
      });
    }
  });
  for (const listName of [...CONTAINER_LISTS, 'ephemeralContainers']) {
    list(spec[listName]).forEach((container, i) => {
      if (!isObj(container)) return;
      const path = [...specPath, listName, i];
      const name = String(container.name);
      list(container.envFrom).forEach((from, j) => {
        if (!isObj(from)) return;
        const via = `envFrom of container ${name}`;
        if (isObj(from.configMapRef)) add('ConfigMap', from.configMapRef.name, from.configMapRef.optional, via, [...path, 'envFrom', j, 'configMapRef', 'name']);
        if (isObj(from.secretRef)) add('Secret', from.secretRef.name, from.secretRef.optional, via, [...path, 'envFrom', j, 'secretRef', 'name']);
      });
      list(container.env).forEach((env, j) => {
        if (!isObj(env) || !isObj(env.valueFrom)) return;
        const via = `env ${String(env.name)} of container ${name}`;
        const { configMapKeyRef: cm, secretKeyRef: secret } = env.valueFrom;
        if (isObj(cm)) add('ConfigMap', cm.name, cm.optional, via, [...path, 'env', j, 'valueFrom', 'configMapKeyRef', 'name']);
        if (isObj(secret)) add('Secret', secret.name, secret.optional, via, [...path, 'env', j, 'valueFrom', 'secretKeyRef', 'name']);
      });
    });
  }
  return refs;
}

const namespaceOf = (manifest: RenderedManifest) => {
  const ns = valueAt(manifest.value, ['metadata', 'namespace']);
  return typeof ns === 'string' && ns ? ns : manifest.namespace;
};

function undefinedReferences(ctx: CheckContext, templates: TemplateTexts): RawFinding[] {
  const renderings = new Map<string, RenderedManifest[]>();
  for (const m of ctx.rendered) {
    const key = `${m.origin}\0${m.environment ?? ''}`;
    renderings.set(key, [...(renderings.get(key) ?? []), m]);
  }
  const externals = new ExternalObjects(ctx);
  const found: RawFinding[] = [];
  for (const manifests of renderings.values()) {
    const defined = new Set(manifests.map((m) => `${String(m.value.kind)}/${namespaceOf(m)}/${String(valueAt(m.value, ['metadata', 'name']))}`));
    for (const manifest of manifests) {
      for (const ref of references(manifest.value)) {
        if (BUILT_IN.has(`${ref.kind}/${ref.name}`) || defined.has(`${ref.kind}/${namespaceOf(manifest)}/${ref.name}`)) continue;
        const chart = externals.chartOf(manifest.template);
        if (externals.lists(manifest, chart, ref)) continue;
        found.push({
          file: manifest.template,
          line: templates.lineOf(manifest, ref.path),
          rule: 'manifest-undefined-reference',
          message: `${ref.via} of ${objectName(manifest.value)} names ${ref.kind} ${ref.name}, which this rendering does not define in its namespace and ${EXTERNAL_OBJECTS_ANNOTATION} does not list`,
          fix: `define ${ref.kind} ${ref.name} in the chart or, if something else creates it, list "${ref.kind}/${ref.name}" in the ${EXTERNAL_OBJECTS_ANNOTATION} annotation of ${chart ? `${chart}/Chart.yaml` : "the chart's Chart.yaml"} (every release) or of the HelmRelease (that release)`,
          origin: manifest.origin,
          release: fromRelease(manifest),
        });
      }
    }
  }
  return found;
}

/** The external-objects annotations of charts and release files, read once each. */
class ExternalObjects {
  private readonly charts = new Map<string, ExternalObject[]>();
  private readonly releases = new Map<string, ExternalObject[]>();

  constructor(private readonly ctx: CheckContext) {}

  chartOf(template: string): string | undefined {
    return this.ctx.repo.charts
      .map((c) => c.dir)
      .filter((dir) => template.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length)[0];
  }

  lists(manifest: RenderedManifest, chart: string | undefined, ref: Reference): boolean {
    const objects = [...(chart ? this.ofChart(chart) : []), ...this.ofRelease(manifest.origin)];
    return objects.some((o) => o.kind === ref.kind && glob(o.name).test(ref.name));
  }

  private ofChart(dir: string): ExternalObject[] {
    let objects = this.charts.get(dir);
    if (!objects) {
      objects = chartAnnotation(this.ctx.repo.root, dir).flatMap((a) => parseExternalObjects(a.value).objects);
      this.charts.set(dir, objects);
    }
    return objects;
  }

  private ofRelease(origin: string): ExternalObject[] {
    let objects = this.releases.get(origin);
    if (!objects) {
      const source = this.ctx.repo.releases.find((r) => r.file === origin);
      objects = source ? releaseAnnotations(source).flatMap((a) => parseExternalObjects(a.value).objects) : [];
      this.releases.set(origin, objects);
    }
    return objects;
  }
}

const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

interface AnnotationAt {
  file: string;
  line: number;
  value: string;
}

function chartAnnotation(root: string, dir: string): AnnotationAt[] {
  const file = `${dir}/Chart.yaml`;
  let text: string;
  try {
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    return [];
  }
  const doc = parseYamlFile(text).documents[0];
  const value = valueAt(doc?.value, ['annotations', EXTERNAL_OBJECTS_ANNOTATION]);
  return doc && typeof value === 'string' ? [{ file, line: doc.lineOf(['annotations', EXTERNAL_OBJECTS_ANNOTATION]), value }] : [];
}

function releaseAnnotations(source: { file: string; yaml: { documents: { value: unknown; lineOf(path: ObjectPath): number }[] } }): AnnotationAt[] {
  return source.yaml.documents.flatMap((doc) => {
    const path = ['metadata', 'annotations', EXTERNAL_OBJECTS_ANNOTATION];
    const value = valueAt(doc.value, path);
    return typeof value === 'string' ? [{ file: source.file, line: doc.lineOf(path), value }] : [];
  });
}

/** Entries of the annotation that are not `Kind/name` would silently list nothing. */
function externalAnnotationFindings(ctx: CheckContext): Finding[] {
  const annotations = [
    ...ctx.repo.charts.flatMap((chart) => chartAnnotation(ctx.repo.root, chart.dir)),
    ...ctx.repo.releases.flatMap(releaseAnnotations),
  ];
  return annotations.flatMap((a) =>
    parseExternalObjects(a.value).invalid.map((entry) => ({
      file: a.file,
      line: a.line,
      rule: 'manifest-undefined-reference',
      message: `${EXTERNAL_OBJECTS_ANNOTATION} entry ${JSON.stringify(entry)} is not ConfigMap/<name>, Secret/<name> or ServiceAccount/<name>`,
      fix: `write the entries as Kind/name separated by commas, such as "Secret/api-tls, ConfigMap/api-settings"`,
    })),
  );
}
