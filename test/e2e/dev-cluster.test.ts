import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRoot as repoRoot } from '../../src/paths.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';
import { processesUnder } from './helpers/global-setup.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

/** `biomage dev cluster up|status|down`: reuse, health, and no process left behind, even after a failed start. */
describe('biomage dev cluster', () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startLocalCluster();
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (cluster as LocalCluster | undefined)?.down();
  });

  it('status reports every process ready, on 127.0.0.1 only', async () => {
    const run = await cluster.cli(['dev', 'cluster', 'status', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const status = (JSON.parse(run.stdout) as { result: { running: boolean; components: { name: string; healthy: boolean }[] } }).result;
    expect(status.components.map((c) => [c.name, c.healthy])).toEqual([
      ['kube-apiserver', true],
      ['git-server', true],
      ['source-controller', true],
      ['kustomize-controller', true],
      ['helm-controller', true],
    ]);
    for (const url of [cluster.record.server, cluster.record.gitUrl, cluster.record.artifactUrl, ...Object.values(cluster.record.health)]) {
      expect(new URL(url).hostname).toBe('127.0.0.1');
    }
  });

  it('a second up keeps the running cluster (same processes)', async () => {
    const run = await cluster.cli(['dev', 'cluster', 'up', '--repo', cluster.repo, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = (JSON.parse(run.stdout) as { result: { reused: boolean; record: { daemons: { pid: number }[] } } }).result;
    expect(report.reused).toBe(true);
    expect(report.record.daemons.map((d) => d.pid)).toEqual(cluster.record.daemons.map((d) => d.pid));
  });

  it('refuses --env staging: the local cluster is development only (exit 2)', async () => {
    const run = await cluster.cli(['dev', 'cluster', 'up', '--env', 'staging']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot target --env staging');
  });
});

describe('a failed dev cluster up', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'biomage-e2e-broken-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('(fake helm-controller that exits at once) stops everything it started, says why, and exits 1', async () => {
    // A toolchain like the real one, except for a helm-controller that fails on start.
    const tools = join(scratch, 'tools');
    mkdirSync(join(tools, 'bin'), { recursive: true });
    symlinkSync(join(repoRoot, '.tools', 'crds'), join(tools, 'crds'));
    for (const binary of readdirSync(join(repoRoot, '.tools', 'bin'))) {
      if (binary !== 'helm-controller') symlinkSync(join(repoRoot, '.tools', 'bin', binary), join(tools, 'bin', binary));
    }
    writeFileSync(join(tools, 'bin', 'helm-controller'), '#!/bin/sh\necho "unable to start manager: simulated failure" >&2\nexit 1\n');
    chmodSync(join(tools, 'bin', 'helm-controller'), 0o755);

    const env = cleanEnv({ BIOMAGE_STATE_DIR: join(scratch, 'state'), BIOMAGE_TOOLS_DIR: tools });
    const run = await spawnCli(['dev', 'cluster', 'up', '--repo', repoRoot], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('helm-controller exited during start-up');
    expect(run.stderr).toContain('simulated failure');
    // Nothing of this cluster is left: not the control plane, not the other controllers, not the git server.
    expect(processesUnder(scratch)).toEqual([]);
    const status = await spawnCli(['dev', 'cluster', 'status'], env);
    expect(status.code).toBe(3);
  });
});

describe('biomage dev up --with-cluster', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'biomage-e2e-with-cluster-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('brings up the AWS twin and the local cluster together, and dev down stops both', async () => {
    const env = cleanEnv({ BIOMAGE_STATE_DIR: join(scratch, 'state') });
    const up = await spawnCli(['dev', 'up', '--with-cluster', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    const report = (JSON.parse(up.stdout) as { result: { twin: { running: boolean }; localCluster: { reused: boolean; nodes: string[] } } }).result;
    expect(report.twin.running).toBe(true);
    expect(report.localCluster).toMatchObject({ reused: false, nodes: ['kwok-node-0', 'kwok-node-1'] });
    expect((await spawnCli(['dev', 'cluster', 'status'], env)).code).toBe(0);

    const down = await spawnCli(['dev', 'down'], env);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain('Stopped the local cluster');
    expect(processesUnder(scratch)).toEqual([]);
  });
});
