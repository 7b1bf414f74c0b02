import type { AwsTarget } from '../aws/target.js';

// What the cluster commands (plan, deploy-infra, kubeconfig) are asked, apart from the context.
// No runtime imports: commands/deploy-infra.ts reads DEPLOY_ACTIONS at start-up.

export const DEPLOY_ACTIONS = ['deploy-and-configure', 'configure'] as const;
export type DeployAction = (typeof DEPLOY_ACTIONS)[number];

export interface ClusterRequest {
  /** The repository holding infra/ (default: the one biomage runs from). */
  root?: string;
  /**
   * Where AWS calls and eksctl go instead of ctx.aws(). Tests aim a staging or production run at
   * the emulator with it; the CLI never sets it.
   */
  target?: AwsTarget;
  /**
   * The time the running version's end of standard support is judged at (default: now). Tests fix
   * it, so a recorded catalogue's dates give the same answer on any day; the CLI never sets it.
   */
  now?: Date;
}
