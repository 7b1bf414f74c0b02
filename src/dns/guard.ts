import type { ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { route53Sdk } from '../aws/sdk.js';
import type { EnvironmentDns } from '../config/dns.js';
import { BiomageError, ExitCode, InputError, type ErrorDetails } from '../ui/errors.js';
import { canonicalDnsName, elbRegion, type LoadBalancer } from './load-balancer.js';

/** The runbook every refusal points to. */
export const CUTOVER_RUNBOOK = 'docs/runbooks/dns-cutover.md';

/** The names the environment's stack holds, as Route 53 writes them: the apex and the wildcard. */
export function recordNames(domain: string): { apex: string; wildcard: string } {
  return { apex: `${domain}.`, wildcard: `*.${domain}.` };
}

/**
 * What a name resolves through now, compared with what the stack would make it:
 * - absent: no A or CNAME record;
 * - ours: an alias A record to our load balancer, exactly as the stack writes it;
 * - ours-differs: an alias to our load balancer with other details (dualstack prefix, zone,
 *   EvaluateTargetHealth);
 * - previous: an alias to the load balancer this region's stack was last deployed with, which is
 *   no longer ours (the ingress group's load balancer was replaced): the stack moves it;
 * - elsewhere: an alias to any other name (another cluster's or region's load balancer, ...);
 * - in-the-way: records the stack's simple alias A record cannot sit beside or replace as they
 *   are (a CNAME, A records with addresses, routing-policy records).
 */
export type RecordState = 'absent' | 'ours' | 'ours-differs' | 'previous' | 'elsewhere' | 'in-the-way';

export interface RecordCheck {
  /** As Route 53 names it, with the trailing dot: `staging.example.org.`, `*.staging.example.org.` */
  name: string;
  state: RecordState;
  /** The A and CNAME record sets at the name, as Route 53 returned them. */
  current: ResourceRecordSet[];
  /** What the name points at now, in words. */
  now: string;
}

/** The record the stack declares for a name: an alias A record to the load balancer. */
export function desiredRecord(name: string, ours: LoadBalancer): ResourceRecordSet {
  return {
    Name: name,
    Type: 'A',
    AliasTarget: { DNSName: ours.dnsName, HostedZoneId: ours.canonicalHostedZoneId, EvaluateTargetHealth: true },
  };
}

/**
 * The hosted zone of infra/dns.yaml exists, is public, and holds the domain. Reads only; a wrong
 * zone is bad input that names the line of infra/dns.yaml.
 */
export async function checkHostedZone(route53: Route53Client, dns: EnvironmentDns): Promise<void> {
  const { GetHostedZoneCommand } = route53Sdk();
  let zone: { Name?: string; Config?: { PrivateZone?: boolean } } | undefined;
  try {
    zone = (await route53.send(new GetHostedZoneCommand({ Id: dns.hostedZoneId }))).HostedZone;
  } catch (error) {
    if ((error as Error).name !== 'NoSuchHostedZone') throw error;
    throw new InputError(`hosted zone ${dns.hostedZoneId} does not exist in this account`, {
      where: dns.where.hostedZoneId,
      hint: `set hostedZoneId to the public hosted zone that holds ${dns.domain} (aws route53 list-hosted-zones-by-name --dns-name ${dns.domain}); nothing was changed`,
    });
  }
  const zoneName = canonicalName(zone?.Name ?? '').replace(/\.$/, '');
  if (zone?.Config?.PrivateZone) {
    throw new InputError(`hosted zone ${dns.hostedZoneId} (${zoneName}) is private: the domain must resolve on the internet`, {
      where: dns.where.hostedZoneId,
      hint: `set hostedZoneId to the public hosted zone of ${dns.domain}; nothing was changed`,
    });
  }
  if (dns.domain !== zoneName && !dns.domain.endsWith(`.${zoneName}`)) {
    throw new InputError(`${dns.domain} is not in hosted zone ${dns.hostedZoneId}, which holds ${zoneName}`, {
      where: dns.where.hostedZoneId,
      hint: `set hostedZoneId to the public hosted zone of ${dns.domain}, or domain to a name under ${zoneName}; nothing was changed`,
    });
  }
}

/** The A and CNAME record sets at exactly this name (every routing policy). Reads only. */
export async function readRecordSets(route53: Route53Client, zoneId: string, name: string): Promise<ResourceRecordSet[]> {
  const { ListResourceRecordSetsCommand } = route53Sdk();
  const wanted = canonicalName(name);
  const found: ResourceRecordSet[] = [];
  let start: { name?: string; type?: ResourceRecordSet['Type']; identifier?: string } = { name };
  for (;;) {
    // Listing starts at the name: its records come first, then the names after it.
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: start.name,
        ...(start.type ? { StartRecordType: start.type } : {}),
        ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
        MaxItems: 50,
      }),
    );
    const sets = page.ResourceRecordSets ?? [];
    const here = sets.filter((s) => canonicalName(s.Name ?? '') === wanted);
    found.push(...here);
    if (!page.IsTruncated || here.length < sets.length || canonicalName(page.NextRecordName ?? '') !== wanted) break;
    start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
  }
  return found.filter((s) => s.Type === 'A' || s.Type === 'CNAME');
}

/**
 * Judge one name's records against our load balancer. `known` (the region's load balancers)
 * names the owner of another alias; `previous` is the load balancer DNS name this region's stack
 * was last deployed with.
 */
export function judgeRecord(name: string, current: ResourceRecordSet[], ours: LoadBalancer, known: LoadBalancer[], previous?: string): RecordCheck {
  const base = { name, current };
  if (current.length === 0) return { ...base, state: 'absent', now: 'no A or CNAME record' };
  const now = current.map((set) => describeSet(set, ours, known)).join('; ');
  const [only] = current;
  const alias = current.length === 1 && only?.Type === 'A' && !only.SetIdentifier ? only.AliasTarget : undefined;
  const aliasName = alias?.DNSName;
  if (!alias || !aliasName) return { ...base, state: 'in-the-way', now };
  const target = canonicalDnsName(aliasName);
  if (target === canonicalDnsName(ours.dnsName)) {
    const exact =
      aliasName.toLowerCase().replace(/\.$/, '') === ours.dnsName.toLowerCase().replace(/\.$/, '') &&
      alias.HostedZoneId === ours.canonicalHostedZoneId &&
      alias.EvaluateTargetHealth === true;
    return { ...base, state: exact ? 'ours' : 'ours-differs', now };
  }
  // The load balancer this region's stack last pointed the name at, unless it now serves someone else.
  const owner = known.find((lb) => canonicalDnsName(lb.dnsName) === target);
  if (previous && canonicalDnsName(previous) === target && (!owner || (owner.cluster === ours.cluster && owner.stack === ours.stack))) {
    return { ...base, state: 'previous', now };
  }
  return { ...base, state: 'elsewhere', now };
}

/** One record set in words: `an A record aliasing X (load balancer k8s-… of cluster biomage-qa, in eu-west-1)`. */
function describeSet(set: ResourceRecordSet, ours: LoadBalancer, known: LoadBalancer[]): string {
  const kind = set.SetIdentifier ? `a ${routingPolicy(set)} ${set.Type} record (set ${set.SetIdentifier})` : `${set.Type === 'A' ? 'an' : 'a'} ${set.Type} record`;
  if (set.AliasTarget?.DNSName) {
    const dns = set.AliasTarget.DNSName.replace(/\.$/, '');
    return `${kind} aliasing ${dns} (${aliasOwner(dns, ours, known)})`;
  }
  const values = (set.ResourceRecords ?? []).map((r) => r.Value).join(', ') || '(no values)';
  return set.Type === 'CNAME' ? `${kind} to ${values}` : `${kind} of ${values}`;
}

function aliasOwner(dns: string, ours: LoadBalancer, known: LoadBalancer[]): string {
  const target = canonicalDnsName(dns);
  if (target === canonicalDnsName(ours.dnsName)) return `our load balancer ${ours.name}`;
  const lb = known.find((k) => canonicalDnsName(k.dnsName) === target);
  if (lb) {
    const owner = lb.cluster ? `of cluster ${lb.cluster}${lb.stack ? `, ingress group ${lb.stack}` : ''}` : 'not created by a cluster';
    return `load balancer ${lb.name} ${owner}, in ${lb.region}`;
  }
  const region = elbRegion(dns);
  if (!region) return 'not a load balancer';
  return region === ours.region ? `a load balancer in ${region} that is not one of its application load balancers` : `a load balancer in ${region}`;
}

function routingPolicy(set: ResourceRecordSet): string {
  if (set.Weight !== undefined) return 'weighted';
  if (set.Failover) return 'failover';
  if (set.GeoLocation) return 'geolocation';
  if (set.Region) return 'latency';
  if (set.MultiValueAnswer) return 'multivalue';
  return 'routing-policy';
}

/** Names as Route 53 returns them escape `*` as `\052`; compare them unescaped, lower case, with the trailing dot. */
export function canonicalName(name: string): string {
  const unescaped = name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return (unescaped.endsWith('.') ? unescaped : `${unescaped}.`).toLowerCase();
}

/** Another deployment serves the domain: configure stops before changing anything (exit 2). */
export class DnsInUseError extends BiomageError {
  readonly exitCode = ExitCode.BadInput;
  readonly code = 'dns-in-use';
  constructor(
    message: string,
    details: ErrorDetails,
    readonly records: RecordCheck[],
  ) {
    super(message, details);
  }
}

export interface GuardInput {
  env: string;
  domain: string;
  hostedZoneId: string;
  ours: LoadBalancer;
  takeOver: boolean;
}

/**
 * One deployment per domain. Records that alias another load balancer (another cluster's, another
 * region's) or that are in the way stop the run with the cut-over explained, unless the operator
 * takes the domain over. Absent records and records already ours pass.
 */
export function assertOneDeployment(checks: RecordCheck[], input: GuardInput): void {
  const blocking = checks.filter((c) => c.state === 'elsewhere' || c.state === 'in-the-way');
  if (!blocking.length || input.takeOver) return;
  const { ours } = input;
  throw new DnsInUseError(
    `${input.domain} is served by another deployment: ${blocking.map((c) => `${c.name} is ${c.now}`).join('; ')}. ` +
      `The load balancer of biomage-${input.env} is ${ours.name} (${ours.dnsName}) in ${ours.region}. ` +
      'One deployment per domain: moving the domain here is a cut-over',
    {
      where: `Route 53 hosted zone ${input.hostedZoneId}: ${blocking.map((c) => c.name).join(', ')}`,
      hint:
        `create the new deployment first and check it through its load balancer's address; then rerun with --take-over-dns, which moves both records in one change; ` +
        `keep the old deployment running until its traffic has drained, and never destroy it first (${CUTOVER_RUNBOOK}). Nothing was changed`,
    },
    blocking,
  );
}
