import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TwinState } from '../dev/twin.js';
import type { Handler, Runner } from './runner.js';

interface UpOptions {
  port?: number;
  withCluster?: boolean;
}

interface ClusterUpOptions {
  repo?: string;
  nodes: number;
}

export function registerDev(program: Command, runner: Runner): void {
  const dev = program
    .command('dev')
    .description('the local twin: an AWS emulator on 127.0.0.1 that the development environment talks to');

  dev
    .command('up')
    .description('start the emulator (or keep the running one), deploy cf/ into it, check every resource, write .biomage/development.env')
    .addOption(
      new Option('--port <port>', 'listen on this port (default: a free one)')
        .env('BIOMAGE_EMULATOR_PORT')
        .argParser(parsePort),
    )
    .option('--with-cluster', 'also bring up the local Kubernetes cluster with Flux (see `biomage dev cluster up`)')
    .action(
      localAction<UpOptions>(runner, 'dev up', async (ctx, options) => {
        if (ctx.dryRun) {
          ctx.out.info('dry run: would start the AWS emulator on 127.0.0.1, deploy cf/ into it and write .biomage/development.env');
          if (options.withCluster) ctx.out.info('dry run: would start the local Kubernetes cluster and the Flux controllers');
          return;
        }
        const { devUp, renderDevUp } = await import('../dev/up.js');
        const { report, exitCode } = await devUp(ctx, options.port, options.withCluster ?? false);
        ctx.out.result(ctx.command, report, renderDevUp, exitCode);
        return exitCode;
      }),
    );

  registerCluster(dev, runner);

  dev
    .command('status')
    .description('say whether the local twin is running, and where')
    .action(
      localAction(runner, 'dev status', async (ctx) => {
        const { twinStatus } = await import('../dev/twin.js');
        const state = await twinStatus(ctx.stateDir);
        ctx.out.result(ctx.command, state, describe);
        return state.running ? 0 : 3;
      }),
    );

  dev
    .command('down')
    .description('stop the local twin (and the local cluster, if up) and remove their state files')
    .action(
      localAction(runner, 'dev down', async (ctx) => {
        const { twinDown } = await import('../dev/twin.js');
        if (ctx.dryRun) {
          ctx.out.info('dry run: would stop the local twin and the local cluster, and remove .biomage/emulator.json, development.env and cluster/');
          return;
        }
        const { clusterDown } = await import('../dev/cluster/lifecycle.js');
        const [state, cluster] = await Promise.all([twinDown(ctx.stateDir), clusterDown(ctx.stateDir, ctx.processEnv)]);
        ctx.out.result(ctx.command, { ...state, cluster }, (s) =>
          [
            s.pid ? `Stopped the local twin (pid ${s.pid}).` : 'The local twin was not running.',
            ...(s.cluster.stopped.length ? [`Stopped the local cluster (${s.cluster.stopped.join(', ')}).`] : []),
          ].join('\n'),
        );
      }),
    );
}

function registerCluster(dev: Command, runner: Runner): void {
  const cluster = dev
    .command('cluster')
    .description('the local Kubernetes cluster: a control plane built from source (kwokctl), simulated nodes, the Flux controllers, and this repository served over git HTTP');

  cluster
    .command('up')
    .description('start the local cluster (or keep the running one); its kubeconfig is .biomage/cluster/kubeconfig')
    .option('--repo <dir>', 'the repository Flux clones (served read-only on 127.0.0.1; default: the one biomage works on)')
    .addOption(new Option('--nodes <count>', 'simulated nodes').default(2).argParser(parseCount))
    .action(
      localAction<ClusterUpOptions>(runner, 'dev cluster up', async (ctx, options) => {
        const repo = options.repo ? resolve(options.repo) : ctx.root;
        if (ctx.dryRun) {
          ctx.out.info(`dry run: would start the local cluster (kwokctl, ${options.nodes} simulated nodes, Flux controllers) and serve ${repo}`);
          return;
        }
        const { clusterUp } = await import('../dev/cluster/lifecycle.js');
        const { renderClusterUp } = await import('../dev/cluster/render.js');
        const report = await clusterUp(ctx.stateDir, ctx.processEnv, { repo, nodes: options.nodes, progress: (line) => ctx.out.step(line) });
        ctx.out.result(ctx.command, report, renderClusterUp);
      }),
    );

  cluster
    .command('status')
    .description('say whether the local cluster and each of its processes is up (exit 3 when not)')
    .action(
      localAction(runner, 'dev cluster status', async (ctx) => {
        const { clusterStatus } = await import('../dev/cluster/lifecycle.js');
        const { renderClusterStatus } = await import('../dev/cluster/render.js');
        const status = await clusterStatus(ctx.stateDir);
        ctx.out.result(ctx.command, status, renderClusterStatus);
        return status.running ? 0 : 3;
      }),
    );

  cluster
    .command('down')
    .description('stop every process of the local cluster and remove .biomage/cluster')
    .action(
      localAction(runner, 'dev cluster down', async (ctx) => {
        if (ctx.dryRun) {
          ctx.out.info('dry run: would stop the local cluster and remove .biomage/cluster');
          return;
        }
        const { clusterDown } = await import('../dev/cluster/lifecycle.js');
        const result = await clusterDown(ctx.stateDir, ctx.processEnv);
        ctx.out.result(ctx.command, result, (r) => (r.stopped.length ? `Stopped ${r.stopped.join(', ')}.` : 'The local cluster was not running.'));
      }),
    );
}

/** A handler of a `dev` command: the local twin and cluster are development's alone, so any other --env is refused first. */
function localAction<O = Record<string, unknown>>(runner: Runner, command: string, handler: Handler<O, []>) {
  return runner.action<O>(async (ctx, options) => {
    const { assertLocal } = await import('../dev/twin.js');
    assertLocal(ctx.env, command);
    // A handler that returns nothing means exit code 0: passed on as undefined.
    return (await handler(ctx, options)) ?? undefined;
  });
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new InvalidArgumentError(`'${value}' is not a count (1-100)`);
  return count;
}

function describe(s: TwinState): string {
  return s.running ? `The local twin is running at ${s.endpoint} (pid ${s.pid}, since ${s.startedAt}).` : 'The local twin is not running: start it with `make dev` or `biomage dev up`.';
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a port number (0-65535)`);
  }
  return port;
}
