import type { Command } from 'commander';
import type { ClusterRequest } from '../cluster/request.js';
import type { Context } from '../context.js';
import type { Runner } from './runner.js';

export function registerPlan(program: Command, runner: Runner): void {
  program
    .command('plan')
    .description('show what deploy-infra would change on the EKS cluster biomage-<env>, and change nothing')
    .addHelpText(
      'after',
      `
--env staging or production (AWS_PROFILE and AWS_REGION, or --profile and --region, pick the account
and region). Renders infra/cluster.yaml for the environment, reads the cluster from EKS, compares each
node group with the live one (instance types, AMI type, disk size, labels, taints, capacity type,
subnets; node counts change in place), lists each add-on installed against its pin (every pin
checked against the versions EKS lists for the config's Kubernetes version), has eksctl validate the
config (--dry-run), and lists the steps deploy-infra would run. When the cluster runs an older
Kubernetes version than infra/cluster.yaml (one minor version: more, or a lower one, is refused),
it shows the upgrade: control plane from -> to, the add-ons, each node group to roll and how many
nodes at a time (updateConfig), and runs the pre-flight: every chart and every release of
releases/<env>/ rendered with helm and validated with kubeconform against that version's schemas.
It warns when the running version's EKS standard support ends within 90 days, or has ended.
--verbose adds the rendered ClusterConfig; --json the whole plan.
Only reads: STS GetCallerIdentity, EKS DescribeCluster/ListNodegroups/DescribeNodegroup/ListAddons/
DescribeAddon/DescribeAddonVersions/DescribeClusterVersions, EC2 DescribeLaunchTemplateVersions,
CloudFormation ListStacks/DescribeStacks, IAM ListOpenIDConnectProviders.
Exit 2 when deploy-infra would refuse to run (the node-group guard, eksctl rejects the config, the
version path, an incompatible add-on pin, a pre-flight problem such as an API the new version no
longer serves, at its file:line).`,
    )
    .action(
      runner.action((ctx) => planCommand(ctx)),
    );
}

/** What deploy-infra would do, changing nothing. Exit 2 when it would refuse to. */
export async function planCommand(ctx: Context, request: ClusterRequest = {}): Promise<number> {
  const { planReport, renderPlanReport, wouldRefuse } = await import('../cluster/deploy.js');
  const report = await planReport(ctx, request);
  const exitCode = wouldRefuse(report) ? 2 : 0;
  ctx.out.result('plan', report, (r, paint) => renderPlanReport(r, paint, ctx.verbose), exitCode);
  return exitCode;
}
