import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { clusterFiles, readClusterRecord, type ClusterRecord } from '../../../src/dev/cluster/state.js';
import { loadKubeConfig } from '../../../src/k8s/client.js';
import { installRoot as repoRoot } from '../../../src/paths.js';
import { groupAlive } from '../../../src/tools/daemon.js';
import { cleanEnv, spawnCli, type CliRun } from '../../helpers/cli.js';
import { processesUnder } from './global-setup.js';

/** What Flux and configure read from the repository: the charts, the releases, infra/ (lists, RBAC chart). */
const SERVED_PATHS = ['charts', 'releases', 'infra'];

export interface LocalCluster {
  /** The scratch repository the cluster's git server serves (a working tree on `main`). */
  repo: string;
  env: NodeJS.ProcessEnv;
  record: ClusterRecord;
  kc: KubeConfig;
  cli(argv: string[]): Promise<CliRun>;
  /** Commit everything under the repository and return the commit. */
  commit(message: string): string;
  write(path: string, content: string): void;
  remove(path: string): void;
  /** `dev cluster down`, then assert that no process of this cluster is left. */
  down(): Promise<void>;
}

/**
 * A local cluster for one test file, under its own state folder, serving a scratch repository
 * built from this working tree's charts/, releases/ and infra/ (so uncommitted changes are tested
 * too). Driven through the built CLI, as an operator drives it.
 */
export async function startLocalCluster(): Promise<LocalCluster> {
  const scratch = mkdtempSync(join(tmpdir(), 'biomage-e2e-'));
  const repo = join(scratch, 'iac');
  mkdirSync(repo);
  for (const path of SERVED_PATHS) cpSync(join(repoRoot, path), join(repo, path), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@biomage.invalid', ...args], { cwd: repo, encoding: 'utf8' }).trim();
  git('init', '--quiet', '--initial-branch=main');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'scratch copy for the e2e tests');

  const env = cleanEnv({ BIOMAGE_STATE_DIR: join(scratch, 'state'), KUBECONFIG: join(scratch, 'unused-kubeconfig') });
  const cli = (argv: string[]) => spawnCli(argv, env);
  const up = await cli(['dev', 'cluster', 'up', '--repo', repo]);
  if (up.code !== 0) throw new Error(`dev cluster up failed (${up.code}):\n${up.stderr}`);
  const record = readClusterRecord(clusterFiles(env.BIOMAGE_STATE_DIR!))!;
  const kc = await loadKubeConfig(record.kubeconfig);

  return {
    repo,
    env,
    record,
    kc,
    cli,
    commit(message) {
      git('add', '--all');
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    write(path, content) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), content);
    },
    remove(path) {
      rmSync(join(repo, path));
    },
    async down() {
      const result = await cli(['dev', 'cluster', 'down']);
      expect(result.code, result.stderr).toBe(0);
      for (const daemon of record.daemons) expect(groupAlive(daemon.pid), `${daemon.name} (pid ${daemon.pid}) still running`).toBe(false);
      // The control plane's processes (kwokctl's) carry the test run's mark in their environment.
      expect(processesUnder(scratch), 'processes of this cluster left running').toEqual([]);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
