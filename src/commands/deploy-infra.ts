import { Option, type Command } from 'commander';
import type { Runner } from './runner.js';

// Listed here rather than imported from src/cluster/deploy.ts, which loads the AWS SDK.
const ACTIONS = ['deploy-and-configure', 'configure'] as const;

interface DeployInfraOptions {
  action: (typeof ACTIONS)[number];
}

export function registerDeployInfra(program: Command, runner: Runner): void {
  program
    .command('deploy-infra')
    .description('create or update the EKS cluster biomage-<env> from infra/cluster.yaml with eksctl, then configure it')
    .addOption(
      new Option('--action <action>', 'deploy-and-configure: create or update the cluster, then configure it; configure: only configure it')
        .choices(ACTIONS)
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
--dry-run (or \`biomage plan\`) shows the plan and changes nothing. production asks for confirmation,
or needs --yes. Exit 2 for bad input, a guard stop, missing eksctl or AWS credentials (nothing was
changed); exit 1 when a step failed (docs/runbooks/cluster.md).`,
    )
    .action(
      runner.action<DeployInfraOptions>(async (ctx, options) => {
        const { deployInfra } = await import('../cluster/deploy.js');
        return deployInfra(ctx, { action: options.action });
      }),
    );
}
