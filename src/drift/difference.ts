/**
 * One way the code and what runs differ. Each kind is reported on its own, because each has its
 * own remedy (docs/runbooks/drift.md):
 *
 *  - modified: a property of a stack's resource differs from its template (CloudFormation drift).
 *  - deleted: a stack's resource no longer exists.
 *  - stack-without-template: a biomage-<name>-<env> stack that no template of cf/ makes.
 *  - not-deployed-yet: the template or its cf/parameters.yaml values changed since the stack was
 *    deployed (the stack's recorded hash differs from what deploy-cf would record now).
 *  - template-without-stack: a template of cf/ with no stack (or one whose creation failed).
 *  - node-group, cluster-version: the EKS cluster against infra/cluster.yaml (`biomage plan`'s comparison).
 *  - access: the cluster's aws-auth against infra/cluster_admins and infra/cluster_users.
 *  - helm-release, kustomization: Flux against releases/<env>/ at the branch head.
 *
 * The two "not deployed yet" kinds are the code ahead of what runs, the normal state between a
 * merge and a deploy: they are reported, and do not make the exit code 3.
 */
export const DRIFT_KINDS = ['modified', 'deleted', 'stack-without-template', 'node-group', 'cluster-version', 'access', 'helm-release', 'kustomization'] as const;
export const PENDING_KINDS = ['not-deployed-yet', 'template-without-stack'] as const;
export type DifferenceKind = (typeof DRIFT_KINDS)[number] | (typeof PENDING_KINDS)[number];

export interface Difference {
  kind: DifferenceKind;
  /** The stack (`biomage-s3-development`), or `cluster biomage-<env>` for the cluster's kinds. */
  stack: string;
  /** The template file, when the stack has one. */
  template?: string;
  /** The resource's logical id, the node group, the IAM principal, the HelmRelease… */
  logicalId?: string;
  /** The resource type (`AWS::S3::Bucket`), or the Kubernetes kind. */
  type?: string;
  physicalId?: string;
  /** Where in the resource: CloudFormation's property path (`/VersioningConfiguration/Status`). */
  path?: string;
  /** What the code gives (the template, the config, git). */
  expected?: string;
  /** What runs. */
  actual?: string;
  /** Why both values are shown as ****. */
  masked?: string;
  /** The difference in words, for people. */
  detail?: string;
}

export function isDrift(difference: Pick<Difference, 'kind'>): boolean {
  return (DRIFT_KINDS as readonly string[]).includes(difference.kind);
}
