import type { ACCESS_LISTS } from '../checks/repository.js';

// The entries aws-auth holds and the ones the access lists ask for: shared by the ConfigMap's
// reader and planner (aws-auth.ts) and the lists' reader (mapping.ts), which imports the former.

export type PrincipalType = 'user' | 'role';

/** One mapping: `type` says which key it lives in (role: mapRoles, user: mapUsers). */
export interface AwsAuthEntry {
  type: PrincipalType;
  arn: string;
  /** Optional in aws-auth; biomage's entries always have one. */
  username?: string;
  groups: string[];
}

export type AccessListFile = (typeof ACCESS_LISTS)[number];

/** An aws-auth entry biomage wants, with the access-list line that asked for it. */
export interface DesiredEntry extends AwsAuthEntry {
  username: string;
  /**
   * The principal's ARN as IAM has it, a role's with its path (`arn` drops the path for aws-auth):
   * what an EKS access entry names, since EKS resolves it to the principal's id. Unset: `arn`.
   */
  iamArn?: string;
  source: { file: AccessListFile; line: number; text: string };
}
