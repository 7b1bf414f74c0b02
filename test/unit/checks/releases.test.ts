import { describe, expect, it } from 'vitest';
import { releaseRules } from '../../../src/checks/rules/releases.js';
import { repositoryChartPath } from '../../../src/config/flux.js';
import { checkContext } from '../../helpers/check-repo-k8s.js';

const CHART = { 'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n' };

/** Drift detection with bounded, rolling-back remediation: the part of the contract every good release carries. */
const SELF_HEALING = `  driftDetection:
    mode: enabled
  install:
    remediation:
      retries: 3
  upgrade:
    remediation:
      retries: 3
      remediateLastFailure: true`;

const release = (over: { name?: string; chart?: string; source?: string; healing?: string; extra?: string } = {}) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${over.name ?? 'web'}
  namespace: web-staging
spec:
  interval: 5m
  chart:
    spec:
      chart: ${over.chart ?? './charts/web'}
      sourceRef:
${over.source ?? '        kind: GitRepository\n        name: flux-system\n        namespace: flux-system'}
${over.healing ?? SELF_HEALING}
${over.extra ?? ''}`;

const check = (files: Record<string, string>) => releaseRules.check(checkContext({ ...CHART, ...files }));

describe('release rules', () => {
  it('accept a HelmRelease of a chart in this repository, and one from a chart repository', async () => {
    expect(await check({ 'releases/staging/web.yaml': release() })).toEqual([]);
    const remote = release({ chart: 'podinfo', source: '        kind: HelmRepository\n        name: podinfo' });
    expect(await check({ 'releases/production/podinfo.yaml': remote })).toEqual([]);
  });

  it('report a missing field at the line of its parent, a wrong one at its own line', async () => {
    const text = release().replace('  interval: 5m\n', '').replace('kind: HelmRelease', 'kind: HelmRelease\n').replace('name: flux-system', 'name: Flux_System');
    const findings = await check({ 'releases/staging/web.yaml': text });
    expect(findings).toEqual([
      { file: 'releases/staging/web.yaml', line: 7, rule: 'release-invalid', message: 'spec.interval is missing (HelmRelease web)' },
      {
        file: 'releases/staging/web.yaml',
        line: 13,
        rule: 'release-invalid',
        message: 'spec.chart.spec.sourceRef.name must be lower-case letters, digits, - and . (a DNS subdomain) (found "Flux_System") (HelmRelease web)',
      },
    ]);
  });

  it('reject another apiVersion and kind, naming the expected values', async () => {
    const text = release().replace('helm.toolkit.fluxcd.io/v2', 'helm.toolkit.fluxcd.io/v2beta1').replace('kind: HelmRelease', 'kind: Kustomization');
    expect((await check({ 'releases/staging/web.yaml': text })).map((f) => `${f.line} ${f.message}`)).toEqual([
      '1 apiVersion must be "helm.toolkit.fluxcd.io/v2" (found "helm.toolkit.fluxcd.io/v2beta1") (HelmRelease web)',
      '2 kind must be "HelmRelease" (found "Kustomization") (HelmRelease web)',
    ]);
  });

  it('report a folder that is not an environment, and an empty file', async () => {
    const findings = await check({ 'releases/qa/web.yaml': release(), 'releases/staging/empty.yaml': '# nothing yet\n' });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([
      'releases/qa/web.yaml:1 release-invalid releases/qa/ is not an environment\'s folder, so no cluster applies releases/qa/web.yaml',
      'releases/staging/empty.yaml:1 release-invalid releases/staging/empty.yaml holds no HelmRelease',
    ]);
    expect(findings[0]!.fix).toBe('move it to releases/<development|staging|production>/');
  });

  it('report a chart path that is not a chart of the repository, at the chart line', async () => {
    const findings = await check({
      'releases/staging/web.yaml': release({ chart: './charts/api' }),
      'releases/staging/bare.yaml': release({ name: 'bare', chart: 'charts/empty' }),
      'charts/empty/README.md': 'no Chart.yaml here\n',
      'releases/staging/out.yaml': release({ name: 'out', chart: '../charts/web' }),
    });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([
      'releases/staging/bare.yaml:10 release-chart-missing spec.chart.spec.chart charts/empty is a folder without a Chart.yaml (HelmRelease bare)',
      'releases/staging/out.yaml:10 release-chart-missing spec.chart.spec.chart ../charts/web is not a folder inside this repository (HelmRelease out)',
      'releases/staging/web.yaml:10 release-chart-missing spec.chart.spec.chart ./charts/api does not exist in this repository (HelmRelease web)',
    ]);
    expect(findings[0]!.fix).toBe("use one of the repository's charts (./charts/web), or add the chart");
  });

  it('accept only the flux-system GitRepository in flux-system as this repository', async () => {
    const other = release({ source: '        kind: GitRepository\n        name: charts-repo\n        namespace: flux-system' });
    const noNamespace = release({ name: 'web2', source: '        kind: GitRepository\n        name: flux-system' });
    const findings = await check({ 'releases/staging/a.yaml': other, 'releases/staging/b.yaml': noNamespace });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      "releases/staging/a.yaml:13 spec.chart.spec.sourceRef names GitRepository charts-repo, not this repository's GitRepository flux-system (HelmRelease web)",
      'releases/staging/b.yaml:11 spec.chart.spec.sourceRef resolves to GitRepository flux-system in namespace web-staging, not in flux-system (HelmRelease web2)',
    ]);
  });

  it('report the same HelmRelease defined twice in one environment', async () => {
    const findings = await check({ 'releases/staging/a.yaml': release(), 'releases/staging/b.yaml': release(), 'releases/production/a.yaml': release() });
    expect(findings).toEqual([
      {
        file: 'releases/staging/b.yaml',
        line: 4,
        rule: 'release-invalid',
        message: 'metadata.name web in namespace web-staging repeats the HelmRelease at releases/staging/a.yaml:4; Flux keeps only one of them',
        fix: 'keep one HelmRelease per name and namespace in each environment',
      },
    ]);
  });

  it('check every document of a file, and spec.values must be a mapping', async () => {
    const text = `${release()}---\n${release({ name: 'second', extra: '  values: [1, 2]' })}`;
    expect((await check({ 'releases/staging/web.yaml': text })).map((f) => `${f.line} ${f.message}`)).toEqual([
      '48 spec.values must be a mapping (found a list) (HelmRelease second)',
    ]);
  });
});

describe('the self-healing contract', () => {
  it('reports drift detection off and remediation missing or uninstalling, each at its line, with its rule', async () => {
    const healing = SELF_HEALING.replace('mode: enabled', 'mode: warn').replace('      retries: 3\n  upgrade', '      retries: 0\n  upgrade').replace('remediateLastFailure: true', 'strategy: uninstall');
    const findings = await check({ 'releases/staging/web.yaml': release({ healing }), 'releases/production/web.yaml': release({ healing: '' }) });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual([
      'releases/production/web.yaml:6 release-drift-detection',
      'releases/production/web.yaml:6 release-remediation',
      'releases/production/web.yaml:6 release-remediation',
      'releases/production/web.yaml:6 release-remediation',
      'releases/staging/web.yaml:16 release-drift-detection',
      'releases/staging/web.yaml:19 release-remediation',
      'releases/staging/web.yaml:23 release-remediation',
    ]);
    expect(findings[4]!.message).toBe('spec.driftDetection.mode must be enabled (found "warn"): without it a change made by hand in the cluster stays until the next upgrade (HelmRelease web)');
  });
});

describe('repositoryChartPath', () => {
  it('normalises the ways Flux accepts a path, and refuses to leave the repository', () => {
    expect(repositoryChartPath('./charts/web')).toBe('charts/web');
    expect(repositoryChartPath('/charts/web/')).toBe('charts/web');
    expect(repositoryChartPath('charts/x/../web')).toBe('charts/web');
    expect(repositoryChartPath('../web')).toBeUndefined();
    expect(repositoryChartPath('.')).toBeUndefined();
  });
});
