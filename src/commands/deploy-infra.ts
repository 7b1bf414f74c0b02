import { Option, type Command } from 'commander';
import { DEPLOY_ACTIONS, type DeployAction } from '../cluster/request.js';
import type { Context } from '../context.js';
import type { DeployInfraRequest } from '../orchestration/deploy-infra.js';
import type { Runner } from './runner.js';

interface DeployInfraOptions {
  action: DeployAction;
}

export function registerDeployInfra(program: Command, runner: Runner): void {
  program
    .command('deploy-infra')
    .description('create or update the EKS cluster biomage-<env> from infra/cluster.yaml with eksctl, then configure it')
    .addOption(
      new Option('--action <action>', 'deploy-and-configure: create or update the cluster, then configure it; configure: only configure it')
        .choices(DEPLOY_ACTIONS)
        .default('configure'),
    )
    .addHelpText(
      'after',
      `
--env staging or production (AWS_PROFILE and AWS_REGION, or --profile and --region, pick the account
and region). deploy-and-configure renders infra/cluster.yaml with infra/cluster-environments.yaml,
checks it against eksctl's schema, checks the AWS credentials (STS), reads the cluster from EKS and
decides from it whether to create it or update it. Before any change, the node-group guard compares
each node group with the live one of the same name: a changed instance type, AMI type, disk, label,
taint, capacity type or subnet stops the run (rename the node group instead); node counts are set in
place. Then eksctl validates the config (--dry-run) and the steps run in order, with progress;
--verbose streams eksctl's output, which is also kept under .biomage/logs/.
A metadata.version one minor version above the cluster's is a Kubernetes upgrade (bump it with
tools/versions.env and the add-on pins, then make tools): after the pre-flight (see biomage plan),
the control plane (eksctl upgrade cluster), each add-on to its pin (EKS UpdateAddon), then each
managed node group (eksctl upgrade nodegroup; EKS replaces as many nodes at a time as the group's
updateConfig allows, set first when EKS has another), each awaited. After a failure, run it again:
it reads the versions from EKS, lists what is already done as unchanged, and goes on. The upgrade
policy (STANDARD support, infra/cluster.yaml) is set through EKS, which eksctl cannot do.
--dry-run (or \`biomage plan\`) shows the plan and changes nothing. production asks for confirmation,
or needs --yes. Exit 2 for bad input, a guard stop, a version jump or downgrade, an incompatible
add-on pin, a pre-flight problem, missing eksctl or AWS credentials (nothing was changed); exit 1
when a step failed (docs/runbooks/cluster.md).`,
    )
    .action(
      runner.action<DeployInfraOptions>((ctx, options) => deployInfraCommand(ctx, { action: options.action })),
    );
}

/** The cluster phase, then the configure phase (src/orchestration/deploy-infra.ts); the result. */
export async function deployInfraCommand(ctx: Context, request: DeployInfraRequest): Promise<number> {
  const { deployInfra } = await import('../orchestration/deploy-infra.js');
  const result = await deployInfra(ctx, request);
  if (result.action === 'configure') {
    ctx.out.result('deploy-infra', result.report, () => `deploy-infra configure of biomage-${result.env}: done`);
  } else {
    // The summary is already on stderr; the result adds the machine document for --json.
    ctx.out.result('deploy-infra', result.report, (r) => `deploy-infra ${r.action} of ${r.cluster}: done`);
  }
  return 0;
}
