import type { Command } from 'commander';
import type { KubeconfigRequest } from '../cluster/kubeconfig.js';
import type { Context } from '../context.js';
import type { Runner } from './runner.js';

interface KubeconfigOptions {
  use?: boolean;
  verify: boolean;
}

export function registerKubeconfig(program: Command, runner: Runner): void {
  program
    .command('kubeconfig')
    .description('write the kubectl context biomage-<env> for the EKS cluster, then check access by listing its nodes')
    .option('--use', 'also make biomage-<env> the current context')
    .option('--no-verify', 'write the context without checking access')
    .addHelpText(
      'after',
      `
--env staging or production; AWS_REGION (or --region) picks the region, AWS_PROFILE (or --profile)
the account. The endpoint and CA come from EKS (DescribeCluster); the context
authenticates with the AWS CLI (\`aws eks get-token\`, as the identity of AWS_PROFILE or --profile,
which is written into the context when set). The file is the first one in KUBECONFIG, else
~/.kube/config: it is backed up to <file>.biomage-backup-<time> before it changes, written atomically
(mode 0600), and every other context, cluster and user in it is kept. The current context changes
only with --use. On 401 Unauthorized or 403 Forbidden, the error names the IAM identity used and
whether infra/cluster_admins or infra/cluster_users lists it; on a cluster that authenticates with
access entries (mode API or API_AND_CONFIG_MAP) it also names the identity's access entry, its
access policies and their scope, or says there is none (eks:ListAccessEntries,
eks:DescribeAccessEntry and eks:ListAssociatedAccessPolicies; docs/runbooks/cluster.md).`,
    )
    .action(
      runner.action<KubeconfigOptions>((ctx, options) => kubeconfigCommand(ctx, { use: Boolean(options.use), verify: options.verify })),
    );
}

/** Write the context, check access, and show the result. */
export async function kubeconfigCommand(ctx: Context, request: KubeconfigRequest): Promise<number> {
  const { writeKubeconfig, renderKubeconfigReport } = await import('../cluster/kubeconfig.js');
  const report = await writeKubeconfig(ctx, request);
  ctx.out.result('kubeconfig', report, renderKubeconfigReport);
  return 0;
}
