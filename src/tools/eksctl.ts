import { runTool, runToolOk, ToolFailedError, type RunResult } from './run.js';
import { firstLine, type ToolSpec } from './spec.js';

/** eksctl: creates and updates the EKS clusters from infra/cluster.yaml. */
export const eksctl: ToolSpec = {
  name: 'eksctl',
  install: 'tools/install.sh eksctl',
  purpose: 'create and update EKS clusters',
  pin: { key: 'EKSCTL_VERSION', kind: 'exact' },
  required: true,
  async version(env) {
    const plain = firstLine((await runToolOk(eksctl, ['version'], { env })).stdout);
    return plain && `v${plain}`;
  },
};

/**
 * The eksctl operations deploy-infra drives, each on a rendered ClusterConfig file. Every one is
 * safe to repeat: eksctl skips what exists (create), changes only what differs (update), and
 * deletes only what the file no longer names (--only-missing).
 */
export type EksctlOperation =
  | 'create-cluster'
  | 'upgrade-cluster'
  | 'associate-oidc-provider'
  | 'update-cluster-logging'
  | 'create-iamserviceaccounts'
  | 'update-iamserviceaccounts'
  | 'delete-iamserviceaccounts'
  | 'create-addons'
  | 'update-addons'
  | 'create-nodegroups'
  | 'delete-nodegroups';

/** The arguments of an operation on the config file `configFile`. */
export function eksctlArgs(operation: EksctlOperation, configFile: string): string[] {
  const file = ['--config-file', configFile];
  switch (operation) {
    case 'create-cluster':
      // Not the operator's or CI's kubeconfig: `biomage kubeconfig` writes contexts, and only when asked.
      return ['create', 'cluster', ...file, '--write-kubeconfig=false'];
    case 'upgrade-cluster':
      // One minor version, to metadata.version; eksctl waits until EKS reports the update done.
      return ['upgrade', 'cluster', ...file, '--approve'];
    case 'associate-oidc-provider':
      return ['utils', 'associate-iam-oidc-provider', ...file, '--approve'];
    case 'update-cluster-logging':
      return ['utils', 'update-cluster-logging', ...file, '--approve'];
    case 'create-iamserviceaccounts':
      // A service account that already exists in Kubernetes (made by a chart) gets the role too.
      return ['create', 'iamserviceaccount', ...file, '--override-existing-serviceaccounts', '--approve'];
    case 'update-iamserviceaccounts':
      return ['update', 'iamserviceaccount', ...file, '--approve'];
    case 'delete-iamserviceaccounts':
      return ['delete', 'iamserviceaccount', ...file, '--only-missing', '--approve'];
    case 'create-addons':
      return ['create', 'addon', ...file];
    case 'update-addons':
      return ['update', 'addon', ...file];
    case 'create-nodegroups':
      // eksctl leaves out the node groups that exist already.
      return ['create', 'nodegroup', ...file];
    case 'delete-nodegroups':
      // Drains each node first (eksctl's default), so pods move to the node groups that stay.
      return ['delete', 'nodegroup', ...file, '--only-missing', '--approve'];
  }
}

export interface EksctlRunOptions {
  env: NodeJS.ProcessEnv;
  /** Each line of eksctl's output as it arrives (for --verbose and the log file). */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

/** Run one operation; a non-zero exit is a ToolFailedError with the end of eksctl's output. */
export async function runEksctl(operation: EksctlOperation, configFile: string, options: EksctlRunOptions): Promise<RunResult> {
  return runToolOk(eksctl, eksctlArgs(operation, configFile), options);
}

/** What `eksctl upgrade nodegroup` is given: it takes no config file, only names. */
export interface NodegroupUpgrade {
  cluster: string;
  region: string;
  nodeGroup: string;
  kubernetesVersion: string;
}

/**
 * The arguments of `eksctl upgrade nodegroup`. The rolling update's width is not among them: EKS
 * reads it from the node group's own updateConfig (set from the config when eksctl created it, and
 * by deploy-infra before the upgrade when it differs). --wait is eksctl's default, spelled out
 * because deploy-infra reports a step done only when the nodes are replaced.
 */
export function eksctlUpgradeNodegroupArgs(upgrade: NodegroupUpgrade): string[] {
  return [
    'upgrade',
    'nodegroup',
    '--cluster',
    upgrade.cluster,
    '--region',
    upgrade.region,
    '--name',
    upgrade.nodeGroup,
    '--kubernetes-version',
    upgrade.kubernetesVersion,
    '--wait',
  ];
}

/** Upgrade one managed node group to a Kubernetes version (its nodes replaced in a rolling update). */
export async function runEksctlUpgradeNodegroup(upgrade: NodegroupUpgrade, options: EksctlRunOptions): Promise<RunResult> {
  return runToolOk(eksctl, eksctlUpgradeNodegroupArgs(upgrade), options);
}

/** eksctl refused the ClusterConfig itself (as opposed to failing to reach AWS). */
export class EksctlConfigRejectedError extends ToolFailedError {}

/**
 * `eksctl create cluster --dry-run`: eksctl loads the file strictly (unknown fields are errors),
 * applies its defaults and validates it, reading from AWS only (STS, the supported Kubernetes
 * versions, availability zones) and changing nothing. Resolves to the config as eksctl would use
 * it (YAML). A refusal of the config is EksctlConfigRejectedError; a failure to reach AWS or to
 * authenticate is a plain ToolFailedError.
 */
export async function eksctlValidate(configFile: string, options: EksctlRunOptions): Promise<string> {
  const result = await runTool(eksctl, ['create', 'cluster', '--config-file', configFile, '--dry-run'], options);
  if (result.exitCode === 0) return result.stdout;
  const output = result.stderr || result.stdout;
  // Failures to reach or be let into AWS, as opposed to eksctl judging the file.
  const unreachable =
    /checking AWS STS access|get credentials|ExpiredToken|AccessDenied|UnauthorizedOperation|not authorized|request send failed|dial tcp|no such host|i\/o timeout|connection refused|StatusCode: 5\d\d/i;
  throw unreachable.test(output)
    ? new ToolFailedError(eksctl.name, result.exitCode, output)
    : new EksctlConfigRejectedError(eksctl.name, result.exitCode, output);
}

/** The environment eksctl runs with: the caller's, aimed at the given AWS target. */
export function eksctlEnvironment(
  processEnv: NodeJS.ProcessEnv,
  target: { region: string; profile?: string; endpoint?: string; local: boolean },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...processEnv, AWS_REGION: target.region, AWS_DEFAULT_REGION: target.region };
  if (target.profile) env.AWS_PROFILE = target.profile;
  if (target.local && target.endpoint) {
    // The emulator: its endpoint and placeholder credentials, never the operator's real ones.
    for (const key of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN']) delete env[key];
    Object.assign(env, {
      AWS_ENDPOINT_URL: target.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  } else {
    // A real environment is never sent to an endpoint override left in the shell.
    delete env.AWS_ENDPOINT_URL;
  }
  return env;
}
