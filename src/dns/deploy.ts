import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import { join } from 'node:path';
import { route53Sdk } from '../aws/sdk.js';
import { planHash, type StackPlan } from '../cf/plan.js';
import { holdsResources } from '../cf/single-stack.js';
import { loadTemplate, type Template } from '../cf/template.js';
import type { Environment } from '../config/environments.js';
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

/** The stack holds the records (in CloudFormation's view): it exists and its creation did not fail. */
export const holdsRecords = holdsResources;

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
