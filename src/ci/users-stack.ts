import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import { cloudFormationSdk } from '../aws/sdk.js';
import { HASH_TAG, planHash, type StackPlan } from '../cf/plan.js';
import { TEMPLATE_BODY_LIMIT, type CfnTemplate } from '../cf/template.js';
import type { CiPolicy } from '../config/ci-config.js';
import { InputError, OperationError } from '../ui/errors.js';
import { CI_USERS_STACK, ciUserName, repoOfUser } from './naming.js';

/**
 * The `biomage-ci-users` stack: one AWS::IAM::User per repository, built in memory as JSON and
 * deployed by the deploy-cf deployer. The stack's current template is the base of the next one,
 * so a run that touches some repositories (`--repo`, or others failing) leaves the rest as they are.
 */

/** CloudFormation's limit on resources per template. */
const RESOURCE_LIMIT = 500;
/** Written into the template: the organisation whose repositories the users belong to. */
const MARKER = 'biomage:ci-users';
/** A stack needs one resource; this stands in when no user is left (a handle, free and inert). */
const PLACEHOLDER_ID = 'NoCiUsers';

export interface UserResource {
  Type: 'AWS::IAM::User';
  Properties: { UserName: string; Policies: { PolicyName: string; PolicyDocument: unknown }[] };
}

export interface UsersTemplate extends CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: { [MARKER]: { organisation: string } };
}

export interface CurrentUsersStack {
  stack: Stack;
  /** Undefined when the stack holds no resources (its creation failed): nothing to build on. */
  resources?: Record<string, unknown>;
  /** The organisation recorded in the template; undefined when it carries no marker. */
  organisation?: string;
  /** The CI users it defines, by repository. */
  users: Map<string, { logicalId: string; resource: UserResource }>;
}

const { DescribeStacksCommand, GetTemplateCommand } = cloudFormationSdk();

/** The stack as deployed, or undefined when there is none. Reads only. */
export async function readUsersStack(cfn: CloudFormationClient): Promise<CurrentUsersStack | undefined> {
  let stack: Stack | undefined;
  try {
    stack = (await cfn.send(new DescribeStacksCommand({ StackName: CI_USERS_STACK }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw new OperationError(`cannot read stack ${CI_USERS_STACK}: ${(error as Error).message}`, { cause: error });
  }
  if (!stack) return undefined;
  // A failed creation (or one never executed) holds no resources: the next deploy starts afresh.
  if (stack.StackStatus === 'ROLLBACK_COMPLETE' || stack.StackStatus === 'REVIEW_IN_PROGRESS') return { stack, users: new Map() };

  const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: CI_USERS_STACK, TemplateStage: 'Original' }));
  // Read from AWS: the stack may hold a template rotate-ci did not write, without the marker.
  let template: Partial<CfnTemplate> & { Metadata?: { [MARKER]?: { organisation?: string } } };
  try {
    template = JSON.parse(TemplateBody ?? '') as typeof template;
  } catch {
    throw new InputError(`stack ${CI_USERS_STACK} holds a template that is not JSON: rotate-ci did not write it`, {
      where: CI_USERS_STACK,
      hint: 'see docs/runbooks/rotate-ci.md (a stack from another tool) before rerunning',
    });
  }
  const resources = template.Resources && typeof template.Resources === 'object' ? { ...template.Resources } : {};
  const users = new Map<string, { logicalId: string; resource: UserResource }>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const r = resource as Partial<UserResource>;
    const repo = r.Type === 'AWS::IAM::User' ? repoOfUser(r.Properties?.UserName) : undefined;
    if (repo !== undefined) users.set(repo, { logicalId, resource: r as UserResource });
  }
  delete resources[PLACEHOLDER_ID];
  return { stack, resources, organisation: template.Metadata?.[MARKER]?.organisation, users };
}

/** A repository's user as the template declares it; policy documents with sorted keys, so key order in .ci.yaml is no change. */
export function userResource(repo: string, policies: readonly CiPolicy[]): UserResource {
  return {
    Type: 'AWS::IAM::User',
    Properties: {
      UserName: ciUserName(repo),
      Policies: policies.map((p) => ({ PolicyName: p.PolicyName, PolicyDocument: sortedKeys(p.PolicyDocument) })),
    },
  };
}

export interface PolicyDiff {
  added: string[];
  updated: string[];
  removed: string[];
}

/** Which inline policies a user gains, changes or loses. */
export function policyDiff(before: UserResource | undefined, after: UserResource): PolicyDiff {
  const old = new Map((before?.Properties.Policies ?? []).map((p) => [p.PolicyName, JSON.stringify(sortedKeys(p.PolicyDocument))]));
  const now = new Map(after.Properties.Policies.map((p) => [p.PolicyName, JSON.stringify(p.PolicyDocument)]));
  return {
    added: [...now.keys()].filter((name) => !old.has(name)),
    updated: [...now.keys()].filter((name) => old.has(name) && old.get(name) !== now.get(name)),
    removed: [...old.keys()].filter((name) => !now.has(name)),
  };
}

export function isUnchanged(diff: PolicyDiff): boolean {
  return !diff.added.length && !diff.updated.length && !diff.removed.length;
}

/**
 * The template for these resources, as compact JSON with resources in logical-id order (the same
 * users give the same body, hence the same hash). Over CloudFormation's limits is bad input:
 * nothing is deployed.
 */
export function buildUsersTemplate(organisation: string, resources: Record<string, unknown>): { body: string; template: UsersTemplate } {
  const ids = Object.keys(resources).sort();
  if (ids.length > RESOURCE_LIMIT) {
    throw new InputError(`${CI_USERS_STACK} would hold ${ids.length} users, over CloudFormation's ${RESOURCE_LIMIT} resources per stack`, {
      hint: 'move repositories to GitHub OIDC roles (docs/runbooks/github-ci.md), or remove users with --prune',
    });
  }
  const template: UsersTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `CI users of the ${organisation} repositories that declare .ci.yaml; written by biomage rotate-ci, never by hand`,
    Metadata: { [MARKER]: { organisation } },
    Resources: ids.length
      ? Object.fromEntries(ids.map((id) => [id, resources[id] as CfnTemplate['Resources'][string]]))
      : { [PLACEHOLDER_ID]: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
  };
  const body = JSON.stringify(template);
  const size = Buffer.byteLength(body);
  if (size > TEMPLATE_BODY_LIMIT) {
    const largest = ids
      .map((id) => ({ name: (resources[id] as Partial<UserResource>).Properties?.UserName ?? id, size: Buffer.byteLength(JSON.stringify(resources[id])) }))
      .sort((a, b) => b.size - a.size)
      .slice(0, 3)
      .map((u) => `${u.name} ${u.size} bytes`);
    throw new InputError(`${CI_USERS_STACK} would be ${size} bytes, over CloudFormation's ${TEMPLATE_BODY_LIMIT}-byte limit for a template`, {
      hint: `largest users: ${largest.join(', ')}; trim their .ci.yaml policies or move them to GitHub OIDC roles (docs/runbooks/github-ci.md)`,
    });
  }
  return { body, template };
}

/** The deployer's plan for the stack: no parameters, so the hash is the body's. */
export function usersStackPlan(body: string, template: UsersTemplate): StackPlan {
  const parameters: StackPlan['parameters'] = [];
  return {
    // `file` is what the deployer tags the stack with (biomage:template): the command that wrote it.
    template: { file: 'rotate-ci', name: 'ci-users', body, doc: template, irsa: false },
    stackName: CI_USERS_STACK,
    parameters,
    hash: planHash(body, parameters),
    exports: [],
    imports: [],
    dependsOn: [],
  };
}

/** The stack already holds exactly this body (the deployer's own fast-path test). */
export function recordedHash(stack: Stack | undefined): string | undefined {
  return stack?.Tags?.find((t) => t.Key === HASH_TAG)?.Value;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
