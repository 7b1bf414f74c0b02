import { InvalidArgumentError, Option, type Command } from 'commander';
import type { TwinState } from '../dev/twin.js';
import type { Runner } from './runner.js';

interface UpOptions {
  port?: number;
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
    .action(
      runner.action<UpOptions>(async (ctx, options) => {
        const { assertLocal } = await import('../dev/twin.js');
        assertLocal(ctx.env, 'dev up');
        if (ctx.dryRun) {
          ctx.out.info('dry run: would start the AWS emulator on 127.0.0.1, deploy cf/ into it and write .biomage/development.env');
          return;
        }
        const { devUp, renderDevUp } = await import('../dev/up.js');
        const { report, exitCode } = await devUp(ctx, options.port);
        ctx.out.result(ctx.command, report, renderDevUp, exitCode);
        return exitCode;
      }),
    );

  dev
    .command('status')
    .description('say whether the local twin is running, and where')
    .action(
      runner.action(async (ctx) => {
        const { assertLocal, twinStatus } = await import('../dev/twin.js');
        assertLocal(ctx.env, 'dev status');
        const state = await twinStatus(ctx.processEnv);
        ctx.out.result(ctx.command, state, describe);
        return state.running ? 0 : 3;
      }),
    );

  dev
    .command('down')
    .description('stop the local twin and remove its state files')
    .action(
      runner.action(async (ctx) => {
        const { assertLocal, twinDown } = await import('../dev/twin.js');
        assertLocal(ctx.env, 'dev down');
        if (ctx.dryRun) {
          ctx.out.info('dry run: would stop the local twin and remove .biomage/emulator.json and development.env');
          return;
        }
        const state = await twinDown(ctx.processEnv);
        ctx.out.result(ctx.command, state, (s) => (s.pid ? `Stopped the local twin (pid ${s.pid}).` : 'The local twin was not running.'));
      }),
    );
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
