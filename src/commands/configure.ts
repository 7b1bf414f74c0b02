import { Option, type Command } from 'commander';
import type { Runner } from './runner.js';

interface ConfigureOptions {
  timeout: number;
  takeOverDns?: boolean;
  rotateDeployKey?: boolean;
}

export function registerConfigure(program: Command, runner: Runner): void {
  program
    .command('configure')
    .description("apply the cluster's base configuration: RBAC for the read-only group, the access lists, and Flux's sync of releases/<env>/")
    .addOption(new Option('--timeout <seconds>', 'how long to wait for each step to become ready').default(300).argParser(Number))
    .option('--take-over-dns', "let the DNS step move the domain's records from another deployment's load balancer (a planned cut-over: docs/runbooks/dns-cutover.md)")
    .option('--rotate-deploy-key', "replace Flux's deploy key even though the current one works (after a leak, or on schedule)")
    .addHelpText(
      'after',
      `
--env development configures the local cluster (\`biomage dev cluster up\`): Flux is detected there
(its controllers run locally), infra/charts/read-only-group is installed, aws-auth is reconciled with
infra/cluster_admins and infra/cluster_users, and the GitRepository and Kustomization are pointed at
the local git server (the branch checked out in the served repository); configure waits until Flux
has applied ./releases/development.

--env staging or production configures the EKS cluster biomage-<env> through the context
\`biomage kubeconfig\` writes: the AWS Load Balancer Controller (helm, chart pinned), DNS
(infra/cf-route53.yaml), Flux (installed with the pinned flux CLI if absent; its deploy key on
GitHub, GITHUB_TOKEN; the GitRepository and Kustomization of releases/<env>), the read-only group and
the access lists, mapped the way the cluster's authentication mode requires (EKS access entries in
API and API_AND_CONFIG_MAP, then biomage's aws-auth rows removed; aws-auth in CONFIG_MAP: see
\`biomage access --help\`). It is what \`biomage deploy-infra\` runs after eksctl. Production asks first, or
needs --yes. Every step is idempotent: a second run changes nothing, and a failed run resumes when
rerun. --dry-run reads and reports what each step would change.`,
    )
    .action(
      runner.action<ConfigureOptions>(async (ctx, options) => {
        const [{ clusterTarget }, { configureCluster, renderConfigure }, { confirmChange }] = await Promise.all([
          import('../configure/cluster-target.js'),
          import('../configure/index.js'),
          import('../ui/confirm.js'),
        ]);
        const { root } = ctx;
        const target = clusterTarget(ctx.env, ctx.processEnv, () => ctx.stateDir);
        await confirmChange(ctx, `biomage configure (${target.label})`);
        const report = await configureCluster(ctx, target, root, {
          timeoutMs: options.timeout * 1000,
          takeOverDns: options.takeOverDns === true,
          rotateDeployKey: options.rotateDeployKey === true,
        });
        ctx.out.result(ctx.command, report, (r, paint) => renderConfigure(r, paint, ctx.dryRun));
      }),
    );
}
