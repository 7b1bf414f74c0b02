import { describe, expect, it } from 'vitest';
import { DEPLOY_KEY_SECRET, fluxSyncObjects, githubSource, localSource } from '../../../src/releases/flux-sync.js';

/**
 * Where Flux clones this repository from: GitHub over SSH with the deploy key (staging,
 * production), or the local cluster's anonymous git server (development).
 */
type GitRepositorySpec = { interval: string; url: string; ref: { branch: string }; secretRef?: { name: string }; ignore: string };
type KustomizationSpec = { path: string; prune: boolean; sourceRef: { kind: string; name: string } };

describe('githubSource', () => {
  it('clones the configured repository over SSH, from its default branch, every minute, with the deploy key', () => {
    expect(githubSource({ organisation: 'hms-dbmi-cellenics', repository: 'iac', defaultBranch: 'main' })).toEqual({
      url: 'ssh://git@github.com/hms-dbmi-cellenics/iac.git',
      branch: 'main',
      interval: '1m',
      secretRef: 'flux-system',
    });
    expect(DEPLOY_KEY_SECRET).toBe('flux-system');
  });

  it('follows the configured default branch', () => {
    expect(githubSource({ organisation: 'example-org', repository: 'infra.config', defaultBranch: 'release/v2' })).toMatchObject({
      url: 'ssh://git@github.com/example-org/infra.config.git',
      branch: 'release/v2',
    });
  });
});

describe('localSource', () => {
  const source = localSource('http://127.0.0.1:40123/iac.git', 'main');

  it('clones the given URL and branch every 10s, without credentials', () => {
    expect(source).toEqual({ url: 'http://127.0.0.1:40123/iac.git', branch: 'main', interval: '10s' });
    expect('secretRef' in source).toBe(false);
  });
});

describe("fluxSyncObjects('development', localSource(...))", () => {
  const [gitRepository, kustomization] = fluxSyncObjects('development', localSource('http://127.0.0.1:40123/iac.git', 'work')) as [
    { kind: string; metadata: { name: string; namespace: string }; spec: GitRepositorySpec },
    { kind: string; metadata: { name: string; namespace: string }; spec: KustomizationSpec },
  ];

  it('gives a GitRepository on the local server with no secretRef key at all', () => {
    expect(gitRepository.kind).toBe('GitRepository');
    expect(gitRepository.metadata).toEqual({ name: 'flux-system', namespace: 'flux-system' });
    expect(gitRepository.spec).toMatchObject({ url: 'http://127.0.0.1:40123/iac.git', ref: { branch: 'work' }, interval: '10s' });
    expect(Object.keys(gitRepository.spec)).not.toContain('secretRef');
  });

  it('ignores everything but /charts/ and /releases/development/', () => {
    const rules = gitRepository.spec.ignore.split('\n');
    expect(rules).toEqual(['/*', '!/charts/', '!/releases/', '/releases/*', '!/releases/development/']);
    // gitignore rules apply in order: the last match wins, so development is re-included after /releases/*.
    expect(rules.indexOf('!/releases/development/')).toBeGreaterThan(rules.indexOf('/releases/*'));
    expect(rules.indexOf('!/charts/')).toBeGreaterThan(rules.indexOf('/*'));
    expect(rules.filter((r) => /staging|production/.test(r))).toEqual([]);
  });

  it('gives a Kustomization that applies ./releases/development from that GitRepository and prunes', () => {
    expect(kustomization.kind).toBe('Kustomization');
    expect(kustomization.metadata).toEqual({ name: 'releases', namespace: 'flux-system' });
    expect(kustomization.spec).toMatchObject({
      path: './releases/development',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
    });
  });

  it('keeps the deploy key for a GitHub source, for contrast', () => {
    const [github] = fluxSyncObjects('staging', githubSource({ organisation: 'o', repository: 'r', defaultBranch: 'main' })) as [{ spec: GitRepositorySpec }];
    expect(github.spec.secretRef).toEqual({ name: 'flux-system' });
  });
});
