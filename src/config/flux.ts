import { z } from 'zod';

/**
 * How Flux meets this repository. Flux bootstrap names the GitRepository of the repository it
 * was bootstrapped from `flux-system`, in namespace `flux-system`; HelmReleases install charts
 * from it by path (`./charts/nodejs`), so a chart change and the releases using it move together.
 */
export const FLUX_NAMESPACE = 'flux-system';
export const FLUX_GIT_REPOSITORY = 'flux-system';

/** The sourceRef of a HelmRelease whose chart is a folder of this repository. */
export const REPOSITORY_SOURCE_REF = { kind: 'GitRepository', name: FLUX_GIT_REPOSITORY, namespace: FLUX_NAMESPACE } as const;

export const HELM_RELEASE_API_VERSION = 'helm.toolkit.fluxcd.io/v2';
export const HELM_RELEASE_KIND = 'HelmRelease';

/** The source kinds a HelmRelease chart template may name (Flux's own enum). */
export const CHART_SOURCE_KINDS = ['GitRepository', 'HelmRepository', 'Bucket'] as const;

/**
 * Objects a chart uses but does not define, because something else creates them (the External
 * Secrets operator, another release, an operator's runbook): `Secret/name, ConfigMap/name`, on
 * the chart's Chart.yaml `annotations` and on a HelmRelease's `metadata.annotations`. A name
 * may hold `*` for any characters (`Secret/api-*`).
 */
export const EXTERNAL_OBJECTS_ANNOTATION = 'biomage.io/external-objects';
export const EXTERNAL_OBJECT_KINDS = ['ConfigMap', 'Secret', 'ServiceAccount'] as const;
export type ExternalObjectKind = (typeof EXTERNAL_OBJECT_KINDS)[number];

export interface ExternalObject {
  kind: ExternalObjectKind;
  /** A name or a `*` pattern. */
  name: string;
}

/**
 * Parse an external-objects annotation. Entries that are not `Kind/name` with a known kind are
 * returned as `invalid`, for the caller to report.
 */
export function parseExternalObjects(value: string): { objects: ExternalObject[]; invalid: string[] } {
  const objects: ExternalObject[] = [];
  const invalid: string[] = [];
  for (const entry of value.split(/[,\n]/).map((e) => e.trim()).filter(Boolean)) {
    const match = /^([A-Za-z]+)\/([a-z0-9*]([-a-z0-9.*]*[a-z0-9*])?)$/.exec(entry);
    const kind = match?.[1];
    const name = match?.[2];
    if (kind !== undefined && name !== undefined && (EXTERNAL_OBJECT_KINDS as readonly string[]).includes(kind)) {
      objects.push({ kind: kind as ExternalObjectKind, name });
    } else {
      invalid.push(entry);
    }
  }
  return { objects, invalid };
}

/** A Go duration as Flux's CRDs accept it (`5m`, `1h30m`, `30s`). */
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const duration = z.string().regex(DURATION, { error: 'must be a duration such as 5m or 1h' });

/** A Kubernetes object name (DNS-1123 subdomain). */
const objectName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: 'must be lower-case letters, digits, - and . (a DNS subdomain)',
  });

/**
 * The parts of a Flux HelmRelease (v2) this repository relies on. Other fields are left to the
 * Flux CRD schema (kubeconform), so one mistake is not reported twice.
 */
export const helmReleaseSchema = z.looseObject({
  apiVersion: z.literal(HELM_RELEASE_API_VERSION),
  kind: z.literal(HELM_RELEASE_KIND),
  metadata: z.looseObject({
    name: objectName,
    namespace: objectName.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.looseObject({
    interval: duration,
    releaseName: z.string().min(1).max(53).optional(),
    targetNamespace: objectName.optional(),
    chart: z.looseObject({
      spec: z.looseObject({
        chart: z.string().min(1),
        version: z.string().optional(),
        interval: duration.optional(),
        sourceRef: z.looseObject({
          kind: z.enum(CHART_SOURCE_KINDS),
          name: objectName,
          namespace: objectName.optional(),
        }),
      }),
    }),
    values: z.record(z.string(), z.unknown()).optional(),
  }),
});

export type HelmRelease = z.infer<typeof helmReleaseSchema>;

/** `./charts/nodejs`, `charts/nodejs/`, `/charts/nodejs` → `charts/nodejs`; undefined outside the repository. */
export function repositoryChartPath(chart: string): string | undefined {
  const parts: string[] = [];
  for (const part of chart.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length) return undefined;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.length ? parts.join('/') : undefined;
}
