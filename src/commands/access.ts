import type { Command } from 'commander';
import type { Runner } from './runner.js';

export function registerAccess(program: Command, runner: Runner): void {
  const access = program
    .command('access')
    .description("cluster access from infra/cluster_admins and infra/cluster_users (EKS access entries, or the cluster's aws-auth map)")
    .addHelpText(
      'after',
      `
The cluster's authentication mode (EKS DescribeCluster, accessConfig.authenticationMode) decides
where the lists go:
  CONFIG_MAP          aws-auth only, as before access entries existed.
  API_AND_CONFIG_MAP  EKS access entries; once they are read back as planned, the rows biomage
                      wrote in aws-auth are removed (node roles and hand-made rows stay).
  API                 EKS access entries only.
In aws-auth, admins map to the group system:masters and users to the group read-only. As access
entries, admins get the access policy AmazonEKSClusterAdminPolicy at cluster scope and users the
group read-only; either way infra/charts/read-only-group binds read-only to a get/list/watch
ClusterRole. Only what biomage made is changed or removed: aws-auth rows with the usernames
biomage-admin:… and biomage-user:…, access entries tagged biomage:managed=true. Node roles, node
entries (EC2_LINUX, …) and everything made by hand are kept; a listed identity that already has
one of those is refused (exit 2) with nothing changed. Names without an ARN are looked up in IAM
(user, then role). --env development uses the local cluster (aws-auth); staging and production
read the mode from EKS (AWS credentials needed) and reach aws-auth through the context
biomage-<env> written by \`biomage kubeconfig\`. --json prints the plan: result.mode,
result.entries (create, update, delete, unchanged, keep) and result.result (aws-auth's rows).`,
    );

  for (const [name, apply] of [
    ['plan', false],
    ['apply', true],
  ] as const) {
    access
      .command(name)
      .description(apply ? "make the cluster's access entries or aws-auth match the access lists (production asks first, or needs --yes)" : "show the access entries to create, update and delete and the aws-auth rows to change or remove; changes nothing")
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
