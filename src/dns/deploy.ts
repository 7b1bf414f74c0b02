import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import { join } from 'node:path';
import { cloudFormationSdk, route53Sdk } from '../aws/sdk.js';
import { HASH_TAG, planHash, type StackPlan } from '../cf/plan.js';
import { deployStack, type DeployHooks, type StackOutcome } from '../cf/stack-deployer.js';
import { loadTemplate, type Template } from '../cf/template.js';
import type { Environment } from '../config/environments.js';
import { OperationError } from '../ui/errors.js';
import { desiredRecord, type RecordCheck } from './guard.js';
import type { LoadBalancer } from './load-balancer.js';

/** The template of the environment's DNS records. */
export const ROUTE53_TEMPLATE = 'infra/cf-route53.yaml';

/** The stack's name is historical (the records were first deployed beside the cluster's k8s stacks). */
export function route53StackName(env: Environment): string {
  return `biomage-k8s-route53-${env}`;
}

export interface Route53Parameters {
  domainName: string;
  hostedZoneId: string;
  loadBalancer: LoadBalancer;
}

/** infra/cf-route53.yaml, read and validated as every template is (a bad one is an InputError). */
export function loadRoute53Template(root: string): Template {
  return loadTemplate(join(root, ROUTE53_TEMPLATE), root);
}

/**
 * The deployer's plan for the stack: the template with its parameters explicit. The hash covers
 * the body and the parameters, so a new load balancer or domain is a change and anything else is
 * `unchanged`.
 */
export function route53StackPlan(template: Template, env: Environment, input: Route53Parameters): StackPlan {
  const parameters: StackPlan['parameters'] = [
    { ParameterKey: 'Environment', ParameterValue: env },
    { ParameterKey: 'DomainName', ParameterValue: input.domainName },
    { ParameterKey: 'HostedZoneId', ParameterValue: input.hostedZoneId },
    { ParameterKey: 'LoadBalancerDNSName', ParameterValue: input.loadBalancer.dnsName },
    { ParameterKey: 'LoadBalancerHostedZoneId', ParameterValue: input.loadBalancer.canonicalHostedZoneId },
  ];
  return { template, stackName: route53StackName(env), parameters, hash: planHash(template.body, parameters), exports: [], imports: [], dependsOn: [] };
}

/** The stack, or undefined when there is none. Reads only. */
export async function readStack(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  const { DescribeStacksCommand } = cloudFormationSdk();
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** Statuses of a stack that holds no resources: the deployer deletes it and creates it again. */
const EMPTY = new Set(['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS', 'DELETE_COMPLETE']);

/** The stack holds the records (in CloudFormation's view): it exists and its creation did not fail. */
export function holdsRecords(stack: Stack | undefined): boolean {
  return !!stack && !EMPTY.has(stack.StackStatus ?? '');
}

/** A parameter the stack was last deployed with. */
export function stackParameter(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

const SUCCESS = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

/** What deployStack would do with the plan, from the stack's recorded hash alone: reads only, for --dry-run. */
export function plannedStackAction(plan: StackPlan, existing: Stack | undefined): 'create' | 'recreate' | 'update' | 'unchanged' {
  if (!existing) return 'create';
  if (EMPTY.has(existing.StackStatus ?? '')) return 'recreate';
  const recorded = existing.Tags?.find((t) => t.Key === HASH_TAG)?.Value;
  return recorded === plan.hash && SUCCESS.has(existing.StackStatus ?? '') ? 'unchanged' : 'update';
}

/**
 * How each name's records change before the stack is deployed:
 * - none: ours already; create: absent, and the stack will create it;
 * - restore: absent although the stack holds it (deleted by hand): written back;
 * - align: an alias to our load balancer with other details: made exactly the stack's record;
 * - update: an alias to the load balancer this stack last used: the stack moves it;
 * - move / replace (--take-over-dns only): an alias elsewhere, or records in the way.
 * Writing the record exactly as the template declares it lets a new stack take it over:
 * CloudFormation adopts an existing record identical to the one it would create (and fails on
 * any other), so a take-over never leaves the name without a record.
 */
export type RecordChange = 'none' | 'create' | 'restore' | 'align' | 'update' | 'move' | 'replace';

export function recordChange(check: RecordCheck, stackHoldsRecords: boolean): RecordChange {
  switch (check.state) {
    case 'ours':
      return 'none';
    case 'absent':
      return stackHoldsRecords ? 'restore' : 'create';
    case 'ours-differs':
      return 'align';
    case 'previous':
      return 'update';
    case 'elsewhere':
      return 'move';
    case 'in-the-way':
      return 'replace';
  }
}

/** Changes written through Route 53 itself (the rest is the stack's). */
const WRITTEN: ReadonlySet<RecordChange> = new Set(['restore', 'align', 'move', 'replace']);

/**
 * The Route 53 changes that make the names what the stack declares: the records in the way that
 * an UPSERT of an A record cannot replace (CNAMEs, routing-policy records) are deleted, and the
 * alias written, all in one batch, which Route 53 applies atomically.
 */
export function recordWrites(checks: { check: RecordCheck; change: RecordChange }[], ours: LoadBalancer): Change[] {
  return checks
    .filter(({ change }) => WRITTEN.has(change))
    .flatMap(({ check }) => [
      ...check.current.filter((set) => !(set.Type === 'A' && !set.SetIdentifier)).map((set): Change => ({ Action: 'DELETE', ResourceRecordSet: set })),
      { Action: 'UPSERT', ResourceRecordSet: desiredRecord(check.name, ours) } satisfies Change,
    ]);
}

/** Apply one change batch and wait until Route 53's name servers have it. */
export async function writeRecords(route53: Route53Client, zoneId: string, changes: Change[], comment: string): Promise<void> {
  const { ChangeResourceRecordSetsCommand, waitUntilResourceRecordSetsChanged } = route53Sdk();
  const { ChangeInfo } = await route53.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: changes } }),
  );
  if (ChangeInfo?.Id && ChangeInfo.Status !== 'INSYNC') {
    await waitUntilResourceRecordSetsChanged({ client: route53, maxWaitTime: 600, minDelay: 5, maxDelay: 15 }, { Id: ChangeInfo.Id });
  }
}

export interface StackDeployInput {
  env: Environment;
  /** How often to poll CloudFormation: short for the emulator, seconds for real AWS. */
  pollMs: number;
  hooks: DeployHooks;
}

/**
 * Deploy the stack through deploy-cf's deployer (change sets, events, the hash tag). A failure is
 * an OperationError naming the stack, the resource and CloudFormation's reason.
 */
export async function deployRoute53Stack(cfn: CloudFormationClient, plan: StackPlan, existing: Stack | undefined, input: StackDeployInput): Promise<StackOutcome> {
  const outcome = await deployStack(cfn, plan, existing, { env: input.env, dryRun: false, force: false, pollMs: input.pollMs, hooks: input.hooks });
  if (outcome.result !== 'failed') return outcome;
  const error = outcome.error;
  throw new OperationError(`${error?.message ?? `${plan.stackName} failed`}${error?.reason ? `: ${error.reason}` : ''}`, {
    where: `stack ${plan.stackName}${error?.resource ? `, ${error.resource}` : ''}`,
    hint: `read the stack's events (aws cloudformation describe-stack-events --stack-name ${plan.stackName}), fix the cause, then rerun configure`,
  });
}
