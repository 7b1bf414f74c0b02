import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, elasticLoadBalancingV2Sdk, route53Sdk } from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import { deploySingleStack, plannedStackAction, readStack, stackParameter } from '../cf/single-stack.js';
import type { StackAction } from '../cf/stack-deployer.js';
import { environmentDns } from '../config/dns.js';
import type { Context } from '../context.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { confirmChange } from '../ui/confirm.js';
import { OperationError } from '../ui/errors.js';
import { holdsRecords, loadRoute53Template, recordChange, recordWrites, route53StackPlan, writeRecords, type RecordChange } from './deploy.js';
import { assertOneDeployment, checkHostedZone, judgeRecord, readRecordSets, recordNames, type RecordCheck } from './guard.js';
import { findLoadBalancer, ingressGroup, type LoadBalancer } from './load-balancer.js';

export interface DnsOptions {
  /** --take-over-dns: move the records even when they alias another deployment's load balancer. */
  takeOver: boolean;
  /** Reads only and reports what would change. Default: the context's --dry-run. */
  dryRun?: boolean;
  /** Where infra/dns.yaml and infra/cf-route53.yaml are read from. Default: this repository. */
  root?: string;
  /** Where AWS calls go. Default: the context's target. */
  target?: AwsTarget;
  /**
   * Called once, before the first change, when something will change. Default: confirmChange
   * (production asks, or needs --yes). A caller that confirmed the whole run already passes a no-op.
   */
  confirm?: (what: string) => Promise<void>;
}

export interface DnsRecordResult {
  name: string;
  /** What the name pointed at before the run, in words. */
  before: string;
  change: RecordChange;
}

export type DnsOutcome = 'created' | 'updated' | 'taken over' | 'unchanged' | 'would create' | 'would update' | 'would take over';

export interface DnsResult {
  env: ClusterEnvironment;
  region: string;
  domain: string;
  hostedZoneId: string;
  certificateArn: string;
  stack: string;
  loadBalancer: { name: string; dnsName: string; canonicalHostedZoneId: string };
  records: DnsRecordResult[];
  /** What happened to the stack (in a dry run: what would). */
  stackAction: StackAction;
  result: DnsOutcome;
  /** One row of configure's summary. */
  step: { step: 'dns'; result: DnsOutcome; detail: string };
}

/**
 * The DNS step of `biomage configure`: point the environment's domain (apex and wildcard, alias A
 * records) at the load balancer of its ingress group, as the stack biomage-k8s-route53-<env>.
 *
 * Order: infra/dns.yaml and its hosted zone (bad input stops here), the load balancer (ELBv2), the
 * records now (Route 53), the one-deployment-per-domain guard (refuses before any change unless
 * takeOver), confirmation when something changes, the records written through Route 53 where the
 * stack cannot write them itself (take-over, repair), the stack, and finally the records read back
 * from Route 53: the result is what Route 53 holds, not what CloudFormation reported.
 */
export async function configureDns(ctx: Context, env: ClusterEnvironment, options: DnsOptions): Promise<DnsResult> {
  const root = options.root ?? ctx.root;
  const dryRun = options.dryRun ?? ctx.dryRun;
  const target = options.target ?? (await ctx.aws());
  const confirm = options.confirm ?? ((what: string) => confirmChange(ctx, what));
  const dns = environmentDns(root, env, target.region);
  const template = loadRoute53Template(root);
  const names = recordNames(dns.domain);

  const elb = awsClient(elasticLoadBalancingV2Sdk().ElasticLoadBalancingV2Client, target);
  const route53 = awsClient(route53Sdk().Route53Client, target);
  const cfn = awsClient(cloudFormationSdk().CloudFormationClient, target);
  try {
    // The zone first: a wrong zone is bad input (exit 2), a missing load balancer an operation failure.
    await checkHostedZone(route53, dns);
    ctx.out.step(`DNS: the load balancer of ingress group ${ingressGroup(env)} in ${target.region}`);
    const { ours, all } = await findLoadBalancer(elb, env, target.region);
    const plan = route53StackPlan(template, env, { domainName: dns.domain, hostedZoneId: dns.hostedZoneId, loadBalancer: ours });
    const existing = await readStack(cfn, plan.stackName);
    const stackHolds = holdsRecords(existing);
    const previous = stackHolds ? stackParameter(existing, 'LoadBalancerDNSName') : undefined;

    const read = async () =>
      Promise.all([names.apex, names.wildcard].map(async (name) => judgeRecord(name, await readRecordSets(route53, dns.hostedZoneId, name), ours, all, previous)));
    const checks = await read();
    assertOneDeployment(checks, { env, domain: dns.domain, hostedZoneId: dns.hostedZoneId, ours, takeOver: options.takeOver });

    const changes = checks.map((check) => ({ check, change: recordChange(check, stackHolds) }));
    const writes = recordWrites(changes, ours);
    const takingOver = changes.some((c) => c.change === 'move' || c.change === 'replace');
    const planned = plannedStackAction(plan, existing);
    const base = {
      env,
      region: target.region,
      domain: dns.domain,
      hostedZoneId: dns.hostedZoneId,
      certificateArn: dns.certificateArn,
      stack: plan.stackName,
      loadBalancer: { name: ours.name, dnsName: ours.dnsName, canonicalHostedZoneId: ours.canonicalHostedZoneId },
      records: changes.map(({ check, change }) => ({ name: check.name, before: check.now, change })),
    };
    const finish = (stackAction: StackAction, result: DnsOutcome): DnsResult => ({
      ...base,
      stackAction,
      result,
      step: { step: 'dns', result, detail: `${dns.domain} and *.${dns.domain} → ${ours.name} (${ours.region}), stack ${plan.stackName}` },
    });

    if (dryRun) {
      const result: DnsOutcome = takingOver ? 'would take over' : planned === 'create' ? 'would create' : planned === 'unchanged' && !writes.length ? 'unchanged' : 'would update';
      for (const { check, change } of changes) ctx.out.info(`  ${check.name}  ${check.now}  → ${change === 'none' ? 'unchanged' : `would ${change}`}`);
      return finish(planned, result);
    }
    if (planned === 'unchanged' && !writes.length) return finish('unchanged', 'unchanged');

    await confirm(`the DNS of ${dns.domain} (stack ${plan.stackName}${takingOver ? ', taking the domain over' : ''})`);
    if (writes.length) {
      ctx.out.step(`DNS: ${takingOver ? 'taking over' : 'writing'} ${changes.filter((c) => c.change !== 'none').map((c) => c.check.name).join(' and ')} in hosted zone ${dns.hostedZoneId}`);
      await writeRecords(route53, dns.hostedZoneId, writes, `biomage configure --env ${env}: ${dns.domain} to ${ours.dnsName}`);
    }

    const outcome = await deploySingleStack(ctx, cfn, plan, existing, { env, local: target.local });

    assertServed(await read(), plan.stackName, ours);
    const stackChanged = outcome.action === 'create' || outcome.action === 'recreate' || outcome.action === 'update';
    const result: DnsOutcome = takingOver ? 'taken over' : outcome.action === 'create' || outcome.action === 'recreate' ? 'created' : stackChanged || writes.length ? 'updated' : 'unchanged';
    return finish(outcome.action, result);
  } finally {
    elb.destroy();
    route53.destroy();
    cfn.destroy();
  }
}

/** After the deploy, Route 53 itself must show both names aliasing our load balancer. */
function assertServed(checks: RecordCheck[], stack: string, ours: LoadBalancer): void {
  const wrong = checks.filter((c) => c.state !== 'ours');
  if (!wrong.length) return;
  throw new OperationError(`stack ${stack} deployed, but Route 53 does not show the records it declares: ${wrong.map((c) => `${c.name} is ${c.now}`).join('; ')}`, {
    where: `stack ${stack}`,
    hint: `expected alias A records to ${ours.dnsName}; compare the stack's resources with the hosted zone, then rerun configure`,
  });
}
