import { Option, type Command } from 'commander';
import type { Runner } from './runner.js';

interface ConfigureOptions {
  timeout: number;
}

export function registerConfigure(program: Command, runner: Runner): void {
  program
    .command('configure')
    .description("apply the cluster's base configuration: RBAC for the read-only group, the access lists, and Flux's sync of releases/<env>/")
    .addOption(new Option('--timeout <seconds>', 'how long to wait for each step to become ready').default(120).argParser(Number))
    .addHelpText(
      'after',
      `
--env development configures the local cluster (\`biomage dev cluster up\`): Flux is detected there
(its controllers run locally), infra/charts/read-only-group is installed, aws-auth is reconciled with
infra/cluster_admins and infra/cluster_users, and the GitRepository and Kustomization are pointed at
the local git server (the branch checked out in the served repository); configure waits until Flux
has applied ./releases/development. --dry-run reads and reports only. staging and production are
configured by the configure phase of \`biomage deploy-infra\` (docs/runbooks/cluster.md).`,
    )
    .action(
      runner.action<ConfigureOptions>(async (ctx, options) => {
        const [{ clusterTarget }, { configureCluster, renderConfigure }, { repoRoot }] = await Promise.all([
          import('../configure/cluster-target.js'),
          import('../configure/index.js'),
          import('../paths.js'),
        ]);
        const report = await configureCluster(ctx, clusterTarget(ctx.env, ctx.processEnv), repoRoot, options.timeout * 1000);
        ctx.out.result(ctx.command, report, (r, paint) => renderConfigure(r, paint, ctx.dryRun));
      }),
    );
}
