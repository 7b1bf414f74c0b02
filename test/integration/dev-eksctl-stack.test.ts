import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStacksCommand, ListExportsCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateRouteTableCommand,
  CreateSubnetCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DescribeCacheSubnetGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';
import { deployTemplates } from '../../src/cf/deploy-command.js';
import type { StackPlan } from '../../src/cf/plan.js';
import { EKSCTL_STACK_TEMPLATE, loadEksctlStackTemplate } from '../../src/dev/eksctl-stack.js';
import { checkPresence, registerDevCluster, type DevCluster } from '../../src/dev/twin-stacks.js';
import { twinDown, twinUp } from '../../src/dev/twin.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { lintTemplates } from '../../src/tools/cfn-lint.js';
import { go } from '../../src/tools/go.js';
import { runToolOk } from '../../src/tools/run.js';
import { pinned } from '../../src/tools/versions.js';
import { OperationError } from '../../src/ui/errors.js';
import { cleanEnv } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

const env = cleanEnv({ BIOMAGE_STATE_DIR: mkdtempSync(join(tmpdir(), 'biomage-eksctl-stack-')), CI: 'true' });
const STACK = 'eksctl-biomage-development-cluster';
const ASSUME_ROLE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/**
 * The cluster stack's outputs for infra/cluster.yaml's cluster (new VPC, HighlyAvailable NAT, a
 * service role eksctl creates), by the name of their constant in eksctl's pkg/cfn/outputs/api.go,
 * and whether eksctl exports them: the builder's defineOutput* calls in pkg/cfn/builder/cluster.go,
 * vpc_ipv4.go and iam.go at EKSCTL_VERSION.
 */
const EKSCTL_CLUSTER_OUTPUTS: Record<string, boolean> = {
  ClusterVPC: true,
  ClusterFeatureNATMode: false,
  ClusterSubnetsPrivate: true,
  ClusterSubnetsPublic: true,
  ClusterSecurityGroup: true,
  ClusterSharedNodeSecurityGroup: true,
  ClusterServiceRoleARN: true,
  ClusterCertificateAuthorityData: false,
  ClusterEndpoint: true,
  ClusterARN: true,
  ClusterDefaultSecurityGroup: true,
  ClusterStackName: false,
};

/** The Go string constants of eksctl's files, evaluated (`"Subnets" + api.SubnetTopologyPrivate` → "SubnetsPrivate"). */
function goStringConstants(sources: string[]): Map<string, string> {
  const expressions = new Map<string, string>();
  for (const source of sources) {
    for (const match of source.matchAll(/^\s*(\w+)(?:\s+\w+)?\s*=\s*(.+)$/gm)) expressions.set(match[1]!, match[2]!.replace(/\/\/.*$/, '').trim());
  }
  const values = new Map<string, string>();
  const evaluate = (name: string, depth = 0): string | undefined => {
    if (values.has(name)) return values.get(name);
    const expression = expressions.get(name);
    if (expression === undefined || depth > 10) return undefined;
    const parts = expression.replace(/\b\w+\(/g, '').replace(/\)/g, '').split('+').map((p) => p.trim());
    const resolved = parts.map((p) => (/^".*"$/.test(p) ? p.slice(1, -1) : evaluate(p.replace(/^api\./, ''), depth + 1)));
    if (resolved.some((p) => p === undefined)) return undefined;
    values.set(name, resolved.join(''));
    return values.get(name);
  };
  for (const name of expressions.keys()) evaluate(name);
  return values;
}

describe("dev up's twin setup: eksctl's cluster stack (registerDevCluster)", () => {
  let target: AwsTarget;
  let issuer: string;
  let oidcProviderArn: string;
  let cluster: DevCluster;
  let stack: StackPlan;
  let progress: () => string;

  beforeAll(async () => {
    // An older twin: the emulator running, the cluster registered without subnets and its OIDC
    // provider, as dev up did before it made eksctl's stack.
    const twin = await twinUp(env.BIOMAGE_STATE_DIR!, env, 'eu-west-1', undefined);
    target = { region: 'eu-west-1', endpoint: twin.endpoint!, local: true };
    const { cluster: record } = await awsClient(EKSClient, target).send(
      new CreateClusterCommand({ name: 'biomage-development', roleArn: 'arn:aws:iam::123456789012:role/biomage-development-cluster', resourcesVpcConfig: { subnetIds: [] } }),
    );
    issuer = record!.identity!.oidc!.issuer!;
    const iam = awsClient(IAMClient, target);
    oidcProviderArn = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['0'.repeat(40)] })))
      .OpenIDConnectProviderArn!;
    // What dev up does next, with dev up's context (its progress is captured).
    const context = testContext('dev up', {}, env);
    progress = context.stderr;
    ({ cluster, stack } = await registerDevCluster(target, context.ctx));
  });
  afterAll(async () => {
    await twinDown(env.BIOMAGE_STATE_DIR!);
  });

  it("the template's outputs are eksctl's for this cluster, exported as eksctl exports them (its source at EKSCTL_VERSION)", async () => {
    const module = `github.com/weaveworks/eksctl@${pinned('EKSCTL_VERSION')}`;
    // The module the installer builds eksctl from; cached by `make tools`, so this reads the cache.
    const download = await runToolOk(go, ['mod', 'download', '-json', module], { cwd: tmpdir(), env: { ...process.env, GOFLAGS: '-mod=mod' } });
    const dir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
    expect(dir, `go mod download ${module}`).toBeTruthy();
    const api = readFileSync(join(dir!, 'pkg/cfn/outputs/api.go'), 'utf8');
    const constants = goStringConstants([api, readFileSync(join(dir!, 'pkg/apis/eksctl.io/v1alpha5/vpc.go'), 'utf8')]);
    // CollectorSet.Define: an exported output is exported as `${AWS::StackName}::<output>`.
    expect(api).toContain('fmt.Sprintf("${%s}::%s", gfnt.StackName, name)');

    const outputs = loadEksctlStackTemplate().doc.Outputs ?? {};
    const expected = Object.fromEntries(Object.entries(EKSCTL_CLUSTER_OUTPUTS).map(([constant, exported]) => [constants.get(constant), exported]));
    expect(expected).not.toHaveProperty('undefined');
    expect(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, !!output.Export]))).toEqual(expected);
  });

  it('the template passes cfn-lint', async () => {
    expect(await lintTemplates([EKSCTL_STACK_TEMPLATE], { cwd: repoRoot, regions: ['eu-west-1'] })).toEqual([]);
  });

  it('creates the stack with its progress shown, attaches its subnets to the older record, and keeps the OIDC issuer and provider', () => {
    expect(cluster).toMatchObject({ name: 'biomage-development', issuer, oidcProviderArn });
    expect(cluster.network).toMatchObject({ stack: STACK, action: 'create', attached: true });
    expect(progress()).toContain(`${STACK}: create: ok`);
  });

  it("ListExports has every export of eksctl's cluster stack", async () => {
    const cfn = awsClient(CloudFormationClient, target);
    const { Exports = [] } = await cfn.send(new ListExportsCommand({}));
    const exported = new Map(Exports.filter((e) => e.Name?.startsWith(`${STACK}::`)).map((e) => [e.Name!.slice(STACK.length + 2), e.Value]));
    const { network } = cluster;
    expect(Object.fromEntries(exported)).toEqual({
      VPC: network.vpcId,
      SubnetsPrivate: network.privateSubnets.join(','),
      SubnetsPublic: network.publicSubnets.join(','),
      SecurityGroup: network.securityGroup,
      ClusterSecurityGroupId: network.clusterSecurityGroupId,
      SharedNodeSecurityGroup: network.sharedNodeSecurityGroup,
      ServiceRoleARN: expect.stringMatching(/:role\/biomage-development-cluster$/),
      ARN: expect.stringMatching(/:cluster\/biomage-development$/),
      Endpoint: expect.stringMatching(/^https:\/\//),
    });
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: STACK }));
    const outputs = Object.fromEntries((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toMatchObject({ FeatureNATMode: 'HighlyAvailable', ClusterStackName: STACK, CertificateAuthorityData: expect.any(String) });
  });

  it('EC2 holds the VPC, two private and two public subnets in two zones of the region, routed as eksctl routes them, and the security groups', async () => {
    const ec2 = awsClient(EC2Client, target);
    const { network } = cluster;
    const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [network.vpcId] }));
    expect(Vpcs[0]?.CidrBlock).toBe('192.168.0.0/16');

    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }));
    const byId = new Map(Subnets.map((s) => [s.SubnetId!, s]));
    const subnets = (ids: string[]) => ids.map((id) => byId.get(id)!);
    expect(Subnets).toHaveLength(4);
    for (const [ids, isPublic, role] of [[network.publicSubnets, true, 'kubernetes.io/role/elb'], [network.privateSubnets, false, 'kubernetes.io/role/internal-elb']] as const) {
      expect(ids).toHaveLength(2);
      expect(new Set(subnets(ids).map((s) => s.AvailabilityZone))).toEqual(new Set(['eu-west-1a', 'eu-west-1b']));
      for (const subnet of subnets(ids)) {
        expect(subnet.MapPublicIpOnLaunch, subnet.SubnetId).toBe(isPublic);
        expect(subnet.Tags?.find((t) => t.Key === role)?.Value, subnet.SubnetId).toBe('1');
      }
    }

    // Public subnets route to the internet gateway, each private subnet to the NAT gateway of its zone.
    const { RouteTables = [] } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }));
    const defaultRoute = (subnet: string) =>
      RouteTables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet))?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    for (const subnet of network.publicSubnets) expect(defaultRoute(subnet)?.GatewayId, subnet).toMatch(/^igw-/);
    for (const subnet of network.privateSubnets) expect(defaultRoute(subnet)?.NatGatewayId, subnet).toMatch(/^nat-/);

    const groups = [network.securityGroup, network.clusterSecurityGroupId, network.sharedNodeSecurityGroup];
    const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groups }));
    expect(SecurityGroups.map((g) => g.VpcId)).toEqual(groups.map(() => network.vpcId));
    const clusterGroup = SecurityGroups.find((g) => g.GroupId === network.clusterSecurityGroupId);
    expect(clusterGroup?.GroupName).toBe('eks-cluster-sg-biomage-development');
    // Nodes and the cluster security group reach each other, as eksctl's ingress rules let them.
    const sources = (id: string) => SecurityGroups.find((g) => g.GroupId === id)?.IpPermissions?.flatMap((p) => p.UserIdGroupPairs ?? []).map((p) => p.GroupId);
    expect(sources(network.sharedNodeSecurityGroup)).toEqual(expect.arrayContaining([network.sharedNodeSecurityGroup, network.clusterSecurityGroupId]));
    expect(sources(network.clusterSecurityGroupId)).toEqual(expect.arrayContaining([network.clusterSecurityGroupId, network.sharedNodeSecurityGroup]));
  });

  it("EKS reports the stack's VPC, subnets and security groups for biomage-development", async () => {
    const eks = awsClient(EKSClient, target);
    const { cluster: described } = await eks.send(new DescribeClusterCommand({ name: 'biomage-development' }));
    const { network } = cluster;
    expect(described?.resourcesVpcConfig?.vpcId).toBe(network.vpcId);
    expect(described?.resourcesVpcConfig?.subnetIds?.slice().sort()).toEqual([...network.publicSubnets, ...network.privateSubnets].sort());
    expect(described?.resourcesVpcConfig?.securityGroupIds).toEqual([network.securityGroup]);
    expect(described?.resourcesVpcConfig?.clusterSecurityGroupId).toBe(network.clusterSecurityGroupId);
    expect(described?.roleArn).toMatch(/:role\/biomage-development-cluster$/);
  });

  it("dev up's presence check finds every resource of the stack in its service", async () => {
    const rows = await checkPresence(target, [stack]);
    expect(rows.map((r) => r.logicalId)).toEqual(Object.keys(loadEksctlStackTemplate().doc.Resources));
    for (const row of rows) expect(row.presence, `${row.logicalId} (${row.type}): ${row.detail ?? ''}`).toBe('present');
  });

  it("a template importing the cluster's network deploys through deploy-cf, into that VPC and those subnets", async () => {
    const { ctx } = testContext('deploy-cf', {}, env);
    const root = join(repoRoot, 'test', 'fixtures', 'eksctl-imports');
    const { report: deployed } = await deployTemplates(ctx, { paths: [], force: false, concurrency: 1, root });
    expect(deployed.stacks.map((s) => ({ stack: s.stack, result: s.result, error: s.error }))).toEqual([{ stack: 'biomage-cache-network-development', result: 'ok', error: undefined }]);

    const cfn = awsClient(CloudFormationClient, target);
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: 'biomage-cache-network-development' }));
    const groupId = Stacks[0]?.Outputs?.find((o) => o.OutputKey === 'CacheSecurityGroupId')?.OutputValue;
    const ec2 = awsClient(EC2Client, target);
    const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId!] }));
    const { network } = cluster;
    expect(SecurityGroups[0]?.VpcId).toBe(network.vpcId);
    const sources = SecurityGroups[0]?.IpPermissions?.filter((p) => p.FromPort === 6379).flatMap((p) => p.UserIdGroupPairs ?? []).map((p) => p.GroupId);
    expect(sources?.sort()).toEqual([network.clusterSecurityGroupId, network.securityGroup].sort());

    const elasticache = awsClient(ElastiCacheClient, target);
    const { CacheSubnetGroups = [] } = await elasticache.send(new DescribeCacheSubnetGroupsCommand({ CacheSubnetGroupName: 'biomage-network-consumer-development' }));
    expect(CacheSubnetGroups[0]?.VpcId).toBe(network.vpcId);
    expect(CacheSubnetGroups[0]?.Subnets?.map((s) => s.SubnetIdentifier).sort()).toEqual([...network.privateSubnets].sort());
  });

  it('a second run finds the stack and the record as they are, and changes neither', async () => {
    const cfn = awsClient(CloudFormationClient, target);
    const stackId = async () => (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks?.[0]?.StackId;
    const id = await stackId();
    const again = await registerDevCluster(target);
    expect(again.cluster).toEqual({ ...cluster, network: { ...cluster.network, action: 'unchanged', attached: false } });
    expect(await stackId()).toBe(id);
  });

  it("a stack's route table association is EC2's: listed by the route table, and gone when the stack is deleted", async () => {
    const cfn = awsClient(CloudFormationClient, target);
    const ec2 = awsClient(EC2Client, target);
    const { network } = cluster;
    const { RouteTable } = await ec2.send(new CreateRouteTableCommand({ VpcId: network.vpcId }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: network.vpcId, CidrBlock: '192.168.128.0/24', AvailabilityZone: 'eu-west-1a' }));
    const Properties = { RouteTableId: RouteTable!.RouteTableId, SubnetId: Subnet!.SubnetId };
    const body = JSON.stringify({ Resources: { Association: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties } } });
    await cfn.send(new CreateStackCommand({ StackName: 'association-smoke', TemplateBody: body }));
    const associations = async () =>
      (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [RouteTable!.RouteTableId!] }))).RouteTables?.[0]?.Associations?.map((a) => a.SubnetId);
    expect(await associations()).toEqual([Subnet!.SubnetId]);
    await cfn.send(new DeleteStackCommand({ StackName: 'association-smoke' }));
    expect(await associations()).toEqual([]);
  });
});

describe("the twin's eksctl stack when it cannot be created", () => {
  const { target } = useEmulator();

  it('a role already named as its service role fails the stack: an operation failure naming the stack, the resource and the way back', async () => {
    const iam = awsClient(IAMClient, target());
    await iam.send(new CreateRoleCommand({ RoleName: 'biomage-development-cluster', AssumeRolePolicyDocument: ASSUME_ROLE }));
    const error = await registerDevCluster(target()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toMatch(new RegExp(`^${STACK} ended ROLLBACK_COMPLETE: rolled back: .*biomage-development-cluster`));
    expect((error as OperationError).where).toBe(`stack ${STACK}, ServiceRole (AWS::IAM::Role)`);
    expect((error as OperationError).hint).toMatch(/fix the cause, then rerun dev up$/);
  });
});
