import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterTarget } from '../../src/configure/cluster-target.js';
import { configureCluster } from '../../src/configure/index.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import type { BiomageError } from '../../src/ui/errors.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { seedCluster } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';

/** What configure checks before its first step: each missing piece is exit 2, and nothing is touched. */
describe('configure refuses to start without what its steps need', () => {
  const aws = useEmulator();

  it('--env development without the local cluster: exit 2, start it first', async () => {
    const state = mkdtempSync(join(tmpdir(), 'biomage-no-cluster-'));
    const run = await runCli(['configure', '--env', 'development'], cleanEnv({ BIOMAGE_STATE_DIR: state }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the local cluster is not running, so there is nothing to configure for development');
    expect(run.stderr).toContain('biomage dev cluster up');
  });

  it('--env staging without GITHUB_TOKEN (the deploy key needs it): exit 2, before any step', async () => {
    await seedCluster(aws.target());
    const dir = mkdtempSync(join(tmpdir(), 'biomage-no-token-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // A context for the cluster, as `biomage kubeconfig` writes it; its server is never reached.
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: biomage-staging, cluster: { server: "https://127.0.0.1:1" } }]',
        'users: [{ name: biomage-staging, user: { token: unused } }]',
        'contexts: [{ name: biomage-staging, context: { cluster: biomage-staging, user: biomage-staging } }]',
        'current-context: biomage-staging',
        '',
      ].join('\n'),
    );
    const env = cleanEnv({ KUBECONFIG: kubeconfig, GITHUB_TOKEN: undefined, GH_TOKEN: undefined, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
    delete env.GITHUB_TOKEN;
    delete env.GH_TOKEN;
    const c = testContext('configure', { env: 'staging', yes: true }, env);
    const error = (await configureCluster(c.ctx, clusterTarget('staging', env, () => c.ctx.stateDir), repoRoot, { timeoutMs: 10_000, takeOverDns: false, rotateDeployKey: false, aws: aws.target() }).catch(
      (e: unknown) => e,
    )) as BiomageError;
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)');
    // No step started.
    expect(c.stderr()).not.toMatch(/github-oidc|ingress/);
  });
});
