import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListChangeSetsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer as ElbLoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';
import { HASH_TAG } from '../../src/cf/plan.js';
import { DnsInUseError } from '../../src/dns/guard.js';
import { configureDns, type DnsResult } from '../../src/dns/index.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { BiomageError, ConfirmationRequiredError, OperationError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * The DNS step of configure against the emulator: real ELBv2 load balancers (tagged as the AWS
 * Load Balancer Controller tags them), a real hosted zone, the stack deployed through change sets.
 * Outcomes are asserted through Route 53 and CloudFormation, never through the step's own result.
 * Each test has a region of its own (the stack and the load balancer's tags are per region) and a
 * hosted zone of its own.
 */
const STACK = 'biomage-k8s-route53-staging';
/** Another region, where "the other deployment" of a cut-over runs. */
const ELSEWHERE = 'us-east-1';

describe('configure, DNS step', () => {
  const { target } = useEmulator();
  const REGIONS = ['eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1', 'sa-east-1'];
  let used = 0;
  const freshTarget = (): AwsTarget => {
    const region = REGIONS[used++];
    if (!region) throw new Error('add regions to REGIONS: one per test');
    return { ...target(), region };
  };
  const route53 = () => awsClient(Route53Client, target());
  const cfn = (at: AwsTarget) => awsClient(CloudFormationClient, at);

  /** An application load balancer, tagged as the controller of `cluster` tags the one of `group`. */
  async function loadBalancer(at: AwsTarget, name: string, tags: { cluster?: string; group?: string } = { cluster: 'biomage-staging', group: 'biomage-staging' }) {
    const ec2 = awsClient(EC2Client, at);
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnets = await Promise.all(
      ['a', 'b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `${at.region}${zone}` }))).Subnet!.SubnetId!),
    );
    const elb = awsClient(ElasticLoadBalancingV2Client, at);
    const { LoadBalancers } = await elb.send(
      new CreateLoadBalancerCommand({
        Name: name,
        Subnets: subnets,
        Type: 'application',
        Scheme: 'internet-facing',
        Tags: [
          ...(tags.cluster ? [{ Key: 'elbv2.k8s.aws/cluster', Value: tags.cluster }] : []),
          ...(tags.group ? [{ Key: 'ingress.k8s.aws/stack', Value: tags.group }] : []),
        ],
      }),
    );
    return LoadBalancers![0]!;
  }

  /** A public hosted zone for `zoneName`; its id as infra/dns.yaml holds it. */
  async function hostedZone(zoneName: string): Promise<string> {
    const { HostedZone } = await route53().send(new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `${zoneName}-${Date.now()}` }));
    return HostedZone!.Id!.replace('/hostedzone/', '');
  }

  /** A repository root with infra/dns.yaml for this domain and zone, and the real template. */
  function repository(staging: { domain: string; zone: string; region: string }, production = staging): string {
    const root = mkdtempSync(join(tmpdir(), 'biomage-dns-'));
    mkdirSync(join(root, 'infra'));
    copyFileSync(join(repoRoot, 'infra', 'cf-route53.yaml'), join(root, 'infra', 'cf-route53.yaml'));
    const entry = (s: typeof staging, id: string) =>
      [`  domain: ${s.domain}`, `  hostedZoneId: ${s.zone}`, `  certificateArn: arn:aws:acm:${s.region}:123456789012:certificate/00000000-0000-0000-0000-00000000000${id}`].join('\n');
    const prod = production === staging ? { ...staging, domain: `www.${staging.domain}` } : production;
    writeFileSync(join(root, 'infra', 'dns.yaml'), `staging:\n${entry(staging, '1')}\nproduction:\n${entry(prod, '2')}\n`);
    return root;
  }

  /** Our load balancer, a hosted zone holding the domain, and a repository that names them. */
  async function scenario(label: string) {
    const at = freshTarget();
    const ours = await loadBalancer(at, `k8s-biomagestaging-${label}`);
    const zoneName = `${label}.cellenics.example`;
    const domain = `staging.${zoneName}`;
    const zone = await hostedZone(zoneName);
    return { at, ours, domain, zone, root: repository({ domain, zone, region: at.region }) };
  }

  async function run(s: { at: AwsTarget; root: string }, options: { takeOver?: boolean; dryRun?: boolean; env?: 'staging' | 'production'; yes?: boolean } = {}) {
    const c = testContext('configure', { env: options.env ?? 'staging', region: s.at.region, yes: options.yes ?? true, dryRun: options.dryRun ?? false });
    const result = await configureDns(c.ctx, options.env ?? 'staging', { takeOver: options.takeOver ?? false, root: s.root, target: s.at }).then(
      (r): DnsResult | BiomageError => r,
      (e: unknown) => e as BiomageError,
    );
    return { result, stderr: c.stderr() };
  }

  /** The zone's A and CNAME records, as Route 53 lists them. */
  async function records(zone: string): Promise<ResourceRecordSet[]> {
    const { ResourceRecordSets = [] } = await route53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }));
    return ResourceRecordSets.filter((r) => r.Type === 'A' || r.Type === 'CNAME');
  }

  /** Each name's records in short: `A alias <dns>` or `CNAME <value>`. */
  async function summary(zone: string): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const r of await records(zone)) {
      const name = r.Name!.replace('\\052', '*');
      const what = r.AliasTarget
        ? `${r.Type} alias ${r.AliasTarget.DNSName!.replace(/\.$/, '')} ${r.AliasTarget.HostedZoneId} ${r.AliasTarget.EvaluateTargetHealth ? 'health' : 'no-health'}`
        : `${r.Type} ${(r.ResourceRecords ?? []).map((v) => v.Value).join(',')}`;
      (out[name] ??= []).push(what);
    }
    return out;
  }

  const aliasTo = (lb: ElbLoadBalancer) => `A alias ${lb.DNSName} ${lb.CanonicalHostedZoneId} health`;
  const servedBy = (domain: string, lb: ElbLoadBalancer) => ({ [`${domain}.`]: [aliasTo(lb)], [`*.${domain}.`]: [aliasTo(lb)] });

  async function upsert(zone: string, sets: ResourceRecordSet[]) {
    await route53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: sets.map((s) => ({ Action: 'UPSERT', ResourceRecordSet: s })) } }));
  }
  const alias = (name: string, lb: ElbLoadBalancer, health = true): ResourceRecordSet => ({
    Name: name,
    Type: 'A',
    AliasTarget: { DNSName: lb.DNSName, HostedZoneId: lb.CanonicalHostedZoneId, EvaluateTargetHealth: health },
  });

  async function stack(at: AwsTarget) {
    const client = cfn(at);
    const { StackSummaries = [] } = await client.send(new ListStacksCommand({}));
    const live = StackSummaries.filter((s) => s.StackName === STACK && s.StackStatus !== 'DELETE_COMPLETE');
    if (!live.length) return undefined;
    const [described] = (await client.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks!;
    const { StackResources = [] } = await client.send(new DescribeStackResourcesCommand({ StackName: STACK }));
    return { ...described!, resources: Object.fromEntries(StackResources.map((r) => [r.LogicalResourceId, `${r.ResourceStatus} ${r.PhysicalResourceId}`])) };
  }

  it('records absent: creates the stack, both names alias our load balancer in Route 53; a second run is unchanged', async () => {
    const s = await scenario('absent');

    const planned = await run(s, { dryRun: true });
    expect(planned.result).toMatchObject({ result: 'would create', stackAction: 'create' });
    expect(await summary(s.zone), 'a dry run writes nothing').toEqual({});
    expect(await stack(s.at), 'a dry run deploys nothing').toBeUndefined();

    const { result, stderr } = await run(s);
    expect(result, stderr).toMatchObject({ result: 'created', stackAction: 'create', stack: STACK, domain: s.domain });
    expect(await summary(s.zone)).toEqual(servedBy(s.domain, s.ours));
    const created = await stack(s.at);
    expect(created).toMatchObject({
      StackStatus: 'CREATE_COMPLETE',
      resources: { ApexRecord: `CREATE_COMPLETE ${s.domain}.`, WildcardRecord: `CREATE_COMPLETE *.${s.domain}.` },
    });
    expect(created!.Tags?.find((t) => t.Key === HASH_TAG)?.Value).toMatch(/^[0-9a-f]{64}$/);
    expect(stderr).toMatch(new RegExp(`${STACK} {2}CREATE_COMPLETE {2}AWS::Route53::RecordSet {2}ApexRecord`));

    const events = async () => (await cfn(s.at).send(new DescribeStackEventsCommand({ StackName: STACK }))).StackEvents!.length;
    const changeSets = async () => ((await cfn(s.at).send(new ListChangeSetsCommand({ StackName: STACK }))).Summaries ?? []).length;
    const [eventsBefore, changeSetsBefore] = [await events(), await changeSets()];
    const again = await run(s);
    expect(again.result).toMatchObject({ result: 'unchanged', stackAction: 'unchanged', records: [{ change: 'none' }, { change: 'none' }] });
    expect(await summary(s.zone)).toEqual(servedBy(s.domain, s.ours));
    expect(await events(), 'no change set was executed').toBe(eventsBefore);
    expect(await changeSets(), 'none was even created').toBe(changeSetsBefore);
  });

  it("records aliasing another region's load balancer: refused (exit 2) with the cut-over, nothing changed; --take-over-dns moves them", async () => {
    const s = await scenario('region');
    const other = await loadBalancer({ ...s.at, region: ELSEWHERE }, 'k8s-biomagestaging-old');
    await upsert(s.zone, [alias(`${s.domain}.`, other), alias(`*.${s.domain}.`, other)]);
    const before = await summary(s.zone);

    for (const dryRun of [false, true]) {
      const { result } = await run(s, { dryRun });
      expect(result).toBeInstanceOf(DnsInUseError);
      const error = result as DnsInUseError;
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(
        `${s.domain} is served by another deployment: ` +
          `${s.domain}. is an A record aliasing ${other.DNSName} (a load balancer in ${ELSEWHERE}); ` +
          `*.${s.domain}. is an A record aliasing ${other.DNSName} (a load balancer in ${ELSEWHERE}). ` +
          `The load balancer of biomage-staging is k8s-biomagestaging-region (${s.ours.DNSName}) in ${s.at.region}. ` +
          'One deployment per domain: moving the domain here is a cut-over',
      );
      expect(error.where).toBe(`Route 53 hosted zone ${s.zone}: ${s.domain}., *.${s.domain}.`);
      expect(error.hint).toContain('create the new deployment first');
      expect(error.hint).toContain('--take-over-dns');
      expect(error.hint).toContain('never destroy it first (docs/runbooks/dns-cutover.md)');
      expect(await summary(s.zone), 'Route 53 is as it was').toEqual(before);
      expect(await stack(s.at), 'no stack was created').toBeUndefined();
    }

    const planned = await run(s, { takeOver: true, dryRun: true });
    expect(planned.result).toMatchObject({ result: 'would take over', records: [{ change: 'move' }, { change: 'move' }] });
    expect(await summary(s.zone)).toEqual(before);
    expect(await stack(s.at)).toBeUndefined();

    const { result, stderr } = await run(s, { takeOver: true });
    expect(result, stderr).toMatchObject({ result: 'taken over', stackAction: 'create' });
    // One record per name (taken over by the stack, not duplicated), aliasing our load balancer.
    expect(await summary(s.zone)).toEqual(servedBy(s.domain, s.ours));
    expect(await stack(s.at)).toMatchObject({ StackStatus: 'CREATE_COMPLETE', resources: { ApexRecord: `CREATE_COMPLETE ${s.domain}.`, WildcardRecord: `CREATE_COMPLETE *.${s.domain}.` } });

    // The domain is ours now: the guard passes without the flag.
    expect((await run(s)).result).toMatchObject({ result: 'unchanged' });
  });

  it("another cluster's load balancer in this region and a CNAME in the way: both named, then replaced with --take-over-dns", async () => {
    const s = await scenario('cluster');
    const qa = await loadBalancer(s.at, 'k8s-biomageqa-web', { cluster: 'biomage-qa', group: 'biomage-qa' });
    await upsert(s.zone, [
      { Name: `${s.domain}.`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'legacy.cellenics.example' }] },
      alias(`*.${s.domain}.`, qa),
    ]);
    const before = await summary(s.zone);

    const { result } = await run(s);
    expect(result).toBeInstanceOf(DnsInUseError);
    expect((result as DnsInUseError).message).toContain(`${s.domain}. is a CNAME record to legacy.cellenics.example; `);
    expect((result as DnsInUseError).message).toContain(
      `*.${s.domain}. is an A record aliasing ${qa.DNSName} (load balancer k8s-biomageqa-web of cluster biomage-qa, ingress group biomage-qa, in ${s.at.region})`,
    );
    expect(await summary(s.zone)).toEqual(before);
    expect(await stack(s.at)).toBeUndefined();

    const taken = await run(s, { takeOver: true });
    expect(taken.result, taken.stderr).toMatchObject({ result: 'taken over', records: [{ change: 'replace' }, { change: 'move' }] });
    expect(await summary(s.zone), 'the CNAME is gone, both names alias our load balancer').toEqual(servedBy(s.domain, s.ours));
    expect(await stack(s.at)).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
  });

  it('records already aliasing our load balancer (written by hand) pass: the stack takes them over, one differing detail aligned', async () => {
    const s = await scenario('ours');
    await upsert(s.zone, [alias(`${s.domain}.`, s.ours), alias(`*.${s.domain}.`, s.ours, false)]);

    const { result, stderr } = await run(s);
    expect(result, stderr).toMatchObject({ result: 'created', records: [{ change: 'none' }, { change: 'align' }] });
    expect(await summary(s.zone)).toEqual(servedBy(s.domain, s.ours));
    expect(await stack(s.at)).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
  });

  it('the ingress group got a new load balancer: the stack moves the records without --take-over-dns', async () => {
    const s = await scenario('replaced');
    expect((await run(s)).result).toMatchObject({ result: 'created' });
    await awsClient(ElasticLoadBalancingV2Client, s.at).send(new DeleteLoadBalancerCommand({ LoadBalancerArn: s.ours.LoadBalancerArn }));
    const next = await loadBalancer(s.at, 'k8s-biomagestaging-replaced2');

    const { result, stderr } = await run(s);
    expect(result, stderr).toMatchObject({ result: 'updated', stackAction: 'update', records: [{ change: 'update' }, { change: 'update' }] });
    expect(await summary(s.zone)).toEqual(servedBy(s.domain, next));
    expect(await stack(s.at)).toMatchObject({ StackStatus: 'UPDATE_COMPLETE' });
  });

  it('records deleted by hand while the stack holds them are written back', async () => {
    const s = await scenario('restore');
    expect((await run(s)).result).toMatchObject({ result: 'created' });
    const [apex] = (await records(s.zone)).filter((r) => r.Name === `${s.domain}.`);
    await route53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId: s.zone, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: apex }] } }));

    const { result } = await run(s);
    expect(result).toMatchObject({ result: 'updated', stackAction: 'unchanged', records: [{ change: 'restore' }, { change: 'none' }] });
    expect(await summary(s.zone)).toEqual(servedBy(s.domain, s.ours));
  });

  it('no load balancer for the environment: the error names the ingress group, the region and what to check', async () => {
    const at = freshTarget();
    await loadBalancer(at, 'k8s-biomagestaging-admin', { cluster: 'biomage-staging', group: 'biomage-admin' });
    const zoneName = 'none.cellenics.example';
    const zone = await hostedZone(zoneName);
    const { result } = await run({ at, root: repository({ domain: `staging.${zoneName}`, zone, region: at.region }) });
    expect(result).toBeInstanceOf(OperationError);
    const error = result as OperationError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      `no load balancer of the ingress group biomage-staging in ${at.region}: the AWS Load Balancer Controller of cluster biomage-staging has not created one ` +
        '(cluster biomage-staging has load balancers of other groups: k8s-biomagestaging-admin for biomage-admin), so there is nothing to point the domain at',
    );
    expect(error.where).toBe(`configure, DNS step: ELBv2 DescribeLoadBalancers in ${at.region}`);
    expect(error.hint).toContain('an Ingress of the group must exist');
    expect(error.hint).toContain('aws-load-balancer-controller');
    expect(await summary(zone)).toEqual({});
    expect(await stack(at)).toBeUndefined();
  });

  it('production: a change needs confirmation, and without it nothing is changed', async () => {
    const at = freshTarget();
    const ours = await loadBalancer(at, 'k8s-biomageproduction-web', { cluster: 'biomage-production', group: 'biomage-production' });
    const zone = await hostedZone('prod.cellenics.example');
    const root = repository({ domain: 'staging.prod.cellenics.example', zone, region: at.region }, { domain: 'prod.cellenics.example', zone, region: at.region });

    const refused = await run({ at, root }, { env: 'production', yes: false });
    expect(refused.result).toBeInstanceOf(ConfirmationRequiredError);
    expect(await summary(zone)).toEqual({});

    const { result } = await run({ at, root }, { env: 'production', yes: true });
    expect(result).toMatchObject({ result: 'created', stack: 'biomage-k8s-route53-production' });
    expect(await summary(zone)).toEqual(servedBy('prod.cellenics.example', ours));
  });

  /**
   * Bad infra/dns.yaml (and a hosted zone that does not exist): each case is a folder under
   * test/fixtures/bad/dns-*, with its infra/dns.yaml and the exact error in expected.txt. Every one
   * exits 2 and changes nothing. Regenerate the golden files with:
   * UPDATE_GOLDEN=1 npx vitest run test/integration/configure-dns.test.ts
   */
  const BAD = join(repoRoot, 'test', 'fixtures', 'bad');
  const describeError = (error: BiomageError) => [error.message, ...(error.where ? [`  where: ${error.where}`] : []), `  next:  ${error.hint ?? ''}`, ''].join('\n');

  it.each(['dns-missing-field', 'dns-domain', 'dns-hosted-zone-id', 'dns-certificate-region', 'dns-development', 'dns-same-domain', 'dns-unreadable-yaml', 'dns-no-such-zone'])(
    'bad input %s: exit 2, the file and line named, nothing changed',
    async (name) => {
      // The case's infra/dns.yaml beside the real template.
      const root = mkdtempSync(join(tmpdir(), 'biomage-dns-bad-'));
      mkdirSync(join(root, 'infra'));
      copyFileSync(join(BAD, name, 'infra', 'dns.yaml'), join(root, 'infra', 'dns.yaml'));
      copyFileSync(join(repoRoot, 'infra', 'cf-route53.yaml'), join(root, 'infra', 'cf-route53.yaml'));
      const at = target(); // eu-west-1: no test above uses it
      const c = testContext('configure', { env: 'staging', region: at.region, yes: true });
      const error = await configureDns(c.ctx, 'staging', { takeOver: false, root, target: at }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BiomageError);
      expect((error as BiomageError).exitCode).toBe(2);
      const actual = describeError(error as BiomageError);
      const golden = join(BAD, name, 'expected.txt');
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
      expect(actual).toBe(readFileSync(golden, 'utf8'));
      const { StackSummaries = [] } = await awsClient(CloudFormationClient, at).send(new ListStacksCommand({}));
      expect(StackSummaries).toEqual([]);
    },
  );
});
