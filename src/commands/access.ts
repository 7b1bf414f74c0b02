import type { Command } from 'commander';
import type { Runner } from './runner.js';

export function registerAccess(program: Command, runner: Runner): void {
  const access = program
    .command('access')
    .description("cluster access from infra/cluster_admins and infra/cluster_users (the cluster's aws-auth map)")
    .addHelpText(
      'after',
      `
Admins map to the group system:masters (full control, no binding needed), users to read-only
(bound to a get/list/watch ClusterRole by infra/charts/read-only-group). Only entries biomage
wrote (usernames biomage-admin:… and biomage-user:…) are changed or removed: node roles and
hand-made entries are kept. Names without an ARN are looked up in IAM (user, then role).
--env development uses the local cluster; staging and production the context biomage-<env>
written by \`biomage kubeconfig\`.`,
    );

  for (const [name, apply] of [
    ['plan', false],
    ['apply', true],
  ] as const) {
    access
      .command(name)
      .description(apply ? 'make aws-auth match the access lists (production asks first, or needs --yes)' : 'show how aws-auth differs from the access lists; changes nothing')
      .action(
        runner.action(async (ctx) => {
          const [{ clusterTarget }, { reconcileClusterAccess, renderAccessReport }, { confirmChange }] = await Promise.all([
            import('../configure/cluster-target.js'),
            import('../access/apply.js'),
            import('../ui/confirm.js'),
          ]);
          const { root } = ctx;
          const target = clusterTarget(ctx.env, ctx.processEnv, () => ctx.stateDir);
          if (apply) await confirmChange(ctx, `biomage access apply (${target.label})`);
          const report = await reconcileClusterAccess(ctx, target, root, apply);
          ctx.out.result(ctx.command, report, renderAccessReport);
        }),
      );
  }
}
