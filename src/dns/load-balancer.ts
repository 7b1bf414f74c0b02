import type { ElasticLoadBalancingV2Client, LoadBalancer as ElbLoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elasticLoadBalancingV2Sdk } from '../aws/sdk.js';
import { clusterName, type Environment } from '../config/environments.js';
import { OperationError } from '../ui/errors.js';

/** Tags the AWS Load Balancer Controller puts on every load balancer it creates. */
export const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
/** For an explicit ingress group, the group's name (`alb.ingress.kubernetes.io/group.name`). */
export const STACK_TAG = 'ingress.k8s.aws/stack';

/** The ingress group whose load balancer serves an environment (charts/nodejs `ingress.groupName`). */
export function ingressGroup(env: Environment): string {
  return `biomage-${env}`;
}

/** An application load balancer of the region, with the controller's tags when it has them. */
export interface LoadBalancer {
  name: string;
  arn: string;
  dnsName: string;
  /** The load balancer's own hosted zone: what an alias record names beside the DNS name. */
  canonicalHostedZoneId: string;
  region: string;
  state: string;
  /** The Kubernetes cluster whose controller created it (CLUSTER_TAG). */
  cluster?: string;
  /** The ingress group (STACK_TAG). */
  stack?: string;
}

/** An application load balancer as listed, kept only when it has the ARN and DNS name we use. */
type Listed = ElbLoadBalancer & { LoadBalancerArn: string; DNSName: string };

/** DescribeTags takes at most 20 load balancers per call. */
const TAGS_PER_CALL = 20;

/** Every application load balancer in the client's region, with its controller tags. Reads only. */
export async function listLoadBalancers(elb: ElasticLoadBalancingV2Client, region: string): Promise<LoadBalancer[]> {
  const { DescribeLoadBalancersCommand, DescribeTagsCommand } = elasticLoadBalancingV2Sdk();
  const found: Listed[] = [];
  let marker: string | undefined;
  do {
    const page = await elb.send(new DescribeLoadBalancersCommand({ Marker: marker }));
    found.push(...(page.LoadBalancers ?? []).filter((lb): lb is Listed => lb.Type === 'application' && !!lb.LoadBalancerArn && !!lb.DNSName));
    marker = page.NextMarker;
  } while (marker);

  const tags = new Map<string, Map<string, string>>();
  for (let i = 0; i < found.length; i += TAGS_PER_CALL) {
    const arns = found.slice(i, i + TAGS_PER_CALL).map((lb) => lb.LoadBalancerArn);
    const { TagDescriptions = [] } = await elb.send(new DescribeTagsCommand({ ResourceArns: arns }));
    for (const d of TagDescriptions) tags.set(d.ResourceArn ?? '', new Map((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
  }
  return found.map((lb) => {
    const own = tags.get(lb.LoadBalancerArn);
    return {
      name: lb.LoadBalancerName ?? lb.LoadBalancerArn,
      arn: lb.LoadBalancerArn,
      dnsName: lb.DNSName,
      canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? '',
      region,
      state: lb.State?.Code ?? 'unknown',
      ...(own?.get(CLUSTER_TAG) ? { cluster: own.get(CLUSTER_TAG) } : {}),
      ...(own?.get(STACK_TAG) ? { stack: own.get(STACK_TAG) } : {}),
    };
  });
}

/**
 * The environment's load balancer among those of the region: the one the controller of cluster
 * biomage-<env> created for the ingress group biomage-<env>. None, several, or a failed one is an
 * OperationError that says what to look at next.
 */
export function environmentLoadBalancer(all: LoadBalancer[], env: Environment, region: string): LoadBalancer {
  const cluster = clusterName(env);
  const group = ingressGroup(env);
  const where = `configure, DNS step: ELBv2 DescribeLoadBalancers in ${region}`;
  const matches = all.filter((lb) => lb.cluster === cluster && lb.stack === group);
  const [ours] = matches;
  if (!ours) {
    const ofCluster = all.filter((lb) => lb.cluster === cluster);
    const others = ofCluster.length ? ` (cluster ${cluster} has load balancers of other groups: ${ofCluster.map((lb) => `${lb.name} for ${lb.stack ?? 'no group'}`).join(', ')})` : '';
    throw new OperationError(
      `no load balancer of the ingress group ${group} in ${region}: the AWS Load Balancer Controller of cluster ${cluster} has not created one${others}, so there is nothing to point the domain at`,
      {
        where,
        hint:
          `an Ingress of the group must exist (a service released with ingress.enabled and ingress.groupName ${group}), and the controller must be running ` +
          `(kubectl --context ${cluster} -n kube-system get deployment aws-load-balancer-controller); once \`kubectl --context ${cluster} get ingress -A\` shows an address, rerun configure`,
      },
    );
  }
  if (matches.length > 1) {
    throw new OperationError(`${matches.length} load balancers in ${region} carry the tags of the ingress group ${group}: ${matches.map((lb) => lb.name).join(', ')}`, {
      where,
      hint: `the controller keeps one per group: find the stale one (its listeners have no rules for the group's Ingresses) and delete it, then rerun configure`,
    });
  }
  if (ours.state === 'failed') {
    throw new OperationError(`load balancer ${ours.name} of the ingress group ${group} is in state failed`, {
      where,
      hint: `read the controller's events (kubectl --context ${cluster} get events -A --field-selector reason=FailedDeployModel), fix them, then rerun configure`,
    });
  }
  return ours;
}

/** Find the environment's load balancer; also returns every load balancer of the region, to name the owners of other aliases. */
export async function findLoadBalancer(
  elb: ElasticLoadBalancingV2Client,
  env: Environment,
  region: string,
): Promise<{ ours: LoadBalancer; all: LoadBalancer[] }> {
  const all = await listLoadBalancers(elb, region);
  return { ours: environmentLoadBalancer(all, env, region), all };
}

/**
 * A load balancer DNS name as Route 53 compares alias targets: lower case, no trailing dot, no
 * `dualstack.` prefix (the same load balancer, reached over IPv4 and IPv6).
 */
export function canonicalDnsName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^dualstack\./, '');
}

/**
 * The region of an Elastic Load Balancing DNS name: `<name>.<region>.elb.amazonaws.com` (ALB,
 * classic) or `<name>.elb.<region>.amazonaws.com` (NLB); undefined for anything else.
 */
export function elbRegion(dnsName: string): string | undefined {
  const name = canonicalDnsName(dnsName);
  const region = '([a-z]{2}(?:-[a-z]+)+-\\d+)';
  return (
    new RegExp(`\\.${region}\\.elb\\.amazonaws\\.com(?:\\.cn)?$`).exec(name)?.[1] ?? new RegExp(`\\.elb\\.${region}\\.amazonaws\\.com(?:\\.cn)?$`).exec(name)?.[1]
  );
}
