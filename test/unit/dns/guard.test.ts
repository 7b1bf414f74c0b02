import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { recordChange, recordWrites } from '../../../src/dns/deploy.js';
import { assertOneDeployment, canonicalName, DnsInUseError, judgeRecord } from '../../../src/dns/guard.js';
import { canonicalDnsName, elbRegion, environmentLoadBalancer, type LoadBalancer } from '../../../src/dns/load-balancer.js';
import { OperationError } from '../../../src/ui/errors.js';

const lb = (name: string, region: string, tags: Partial<LoadBalancer> = {}): LoadBalancer => ({
  name,
  arn: `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/${name}/0123456789abcdef`,
  dnsName: `${name}-1234567890.${region}.elb.amazonaws.com`,
  canonicalHostedZoneId: 'Z32O12XQLNTSW2',
  region,
  state: 'active',
  cluster: 'biomage-staging',
  stack: 'biomage-staging',
  ...tags,
});
const ours = lb('k8s-biomagestaging-abc', 'eu-west-1');
const NAME = 'staging.example.org.';
const alias = (dns: string, extra: Partial<ResourceRecordSet> = {}, health = true): ResourceRecordSet => ({
  Name: NAME,
  Type: 'A',
  AliasTarget: { DNSName: dns, HostedZoneId: 'Z32O12XQLNTSW2', EvaluateTargetHealth: health },
  ...extra,
});

describe('load balancer names', () => {
  it.each([
    ['k8s-a-123.eu-west-1.elb.amazonaws.com', 'eu-west-1'],
    ['dualstack.k8s-a-123.us-east-1.elb.amazonaws.com.', 'us-east-1'],
    ['internal-k8s-a-123.eu-central-1.elb.amazonaws.com', 'eu-central-1'],
    ['my-nlb-0123456789abcdef.elb.ap-southeast-2.amazonaws.com', 'ap-southeast-2'],
    ['k8s-a-123.cn-north-1.elb.amazonaws.com.cn', 'cn-north-1'],
    ['d111111abcdef8.cloudfront.net', undefined],
  ])('%s is in %s', (dns, region) => {
    expect(elbRegion(dns)).toBe(region);
  });

  it('compare without case, trailing dot or dualstack prefix; Route 53 escapes * as \\052', () => {
    expect(canonicalDnsName('dualstack.K8s-A-1.eu-west-1.elb.amazonaws.com.')).toBe('k8s-a-1.eu-west-1.elb.amazonaws.com');
    expect(canonicalName('\\052.Staging.example.org.')).toBe('*.staging.example.org.');
    expect(canonicalName('staging.example.org')).toBe('staging.example.org.');
  });

  it('the environment has exactly one load balancer of its group, not failed', () => {
    const other = lb('k8s-biomageqa-x', 'eu-west-1', { cluster: 'biomage-qa', stack: 'biomage-qa' });
    expect(environmentLoadBalancer([other, ours], 'staging', 'eu-west-1')).toBe(ours);
    expect(() => environmentLoadBalancer([other], 'staging', 'eu-west-1')).toThrow(OperationError);
    expect(() => environmentLoadBalancer([ours, lb('k8s-biomagestaging-def', 'eu-west-1')], 'staging', 'eu-west-1')).toThrow(
      '2 load balancers in eu-west-1 carry the tags of the ingress group biomage-staging',
    );
    expect(() => environmentLoadBalancer([{ ...ours, state: 'failed' }], 'staging', 'eu-west-1')).toThrow('is in state failed');
  });
});

describe('judging the records of a name', () => {
  const judge = (current: ResourceRecordSet[], known: LoadBalancer[] = [ours], previous?: string) => judgeRecord(NAME, current, ours, known, previous);

  it('absent, ours, and ours with other details', () => {
    expect(judge([]).state).toBe('absent');
    expect(judge([alias(`${ours.dnsName.toUpperCase()}.`)]).state).toBe('ours');
    expect(judge([alias(`dualstack.${ours.dnsName}`)]).state).toBe('ours-differs');
    expect(judge([alias(ours.dnsName, {}, false)]).state).toBe('ours-differs');
  });

  it("another region's or cluster's load balancer is elsewhere, and named", () => {
    const away = judge([alias('k8s-biomagestaging-old-1.us-east-1.elb.amazonaws.com')]);
    expect(away).toMatchObject({ state: 'elsewhere', now: 'an A record aliasing k8s-biomagestaging-old-1.us-east-1.elb.amazonaws.com (a load balancer in us-east-1)' });
    const qa = lb('k8s-biomageqa-x', 'eu-west-1', { cluster: 'biomage-qa', stack: 'biomage-qa' });
    expect(judge([alias(qa.dnsName)], [ours, qa])).toMatchObject({
      state: 'elsewhere',
      now: `an A record aliasing ${qa.dnsName} (load balancer k8s-biomageqa-x of cluster biomage-qa, ingress group biomage-qa, in eu-west-1)`,
    });
    expect(judge([alias('d111111abcdef8.cloudfront.net')]).now).toContain('(not a load balancer)');
  });

  it("the load balancer this region's stack last used is previous, unless another cluster has it now", () => {
    const old = 'k8s-biomagestaging-old-1.eu-west-1.elb.amazonaws.com';
    expect(judge([alias(old)], [ours], old).state).toBe('previous');
    expect(judge([alias(old)], [ours, { ...lb('k8s-biomagestaging-old', 'eu-west-1', { cluster: 'biomage-qa' }), dnsName: old }], old).state).toBe('elsewhere');
  });

  it('CNAMEs, addresses and routing-policy records are in the way', () => {
    expect(judge([{ Name: NAME, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'old.example.net' }] }])).toMatchObject({
      state: 'in-the-way',
      now: 'a CNAME record to old.example.net',
    });
    expect(judge([{ Name: NAME, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] }]).now).toBe('an A record of 192.0.2.1');
    expect(judge([alias(ours.dnsName, { SetIdentifier: 'blue', Weight: 100 })])).toMatchObject({
      state: 'in-the-way',
      now: `a weighted A record (set blue) aliasing ${ours.dnsName} (our load balancer ${ours.name})`,
    });
  });

  it('the guard refuses elsewhere and in-the-way unless taking over; the writes delete what an UPSERT cannot replace', () => {
    const cname: ResourceRecordSet = { Name: NAME, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'old.example.net' }] };
    const checks = [judge([cname]), judgeRecord(`*.${NAME}`, [], ours, [ours])];
    const input = { env: 'staging', domain: 'staging.example.org', hostedZoneId: 'ZONE', ours, takeOver: false };
    expect(() => assertOneDeployment(checks, input)).toThrow(DnsInUseError);
    expect(() => assertOneDeployment(checks, { ...input, takeOver: true })).not.toThrow();
    expect(() => assertOneDeployment([judge([alias(ours.dnsName)])], input)).not.toThrow();

    const changes = checks.map((check) => ({ check, change: recordChange(check, false) }));
    expect(changes.map((c) => c.change)).toEqual(['replace', 'create']);
    expect(recordWrites(changes, ours)).toEqual([
      { Action: 'DELETE', ResourceRecordSet: cname },
      { Action: 'UPSERT', ResourceRecordSet: { Name: NAME, Type: 'A', AliasTarget: { DNSName: ours.dnsName, HostedZoneId: ours.canonicalHostedZoneId, EvaluateTargetHealth: true } } },
    ]);
    // An absent record the stack already holds (deleted by hand) is written back.
    expect(recordChange(checks[1]!, true)).toBe('restore');
  });
});
