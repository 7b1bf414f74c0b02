import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RDSClient } from '@aws-sdk/client-rds';
import { awsClient } from '../aws/clients.js';
import {
  batchSdk,
  cloudFormationSdk,
  cloudWatchLogsSdk,
  ec2Sdk,
  ecrSdk,
  iamSdk,
  kmsSdk,
  lambdaSdk,
  rdsSdk,
  route53Sdk,
  sfnSdk,
  ssmSdk,
} from '../aws/sdk.js';
import type { AwsTarget } from '../aws/target.js';
import type { CfnValue } from '../cf/template.js';

/*
 * Presence checks for the types moto models itself (some mended by tools/emulator/extensions:
 * awslambda.py, logs.py, kms.py, ec2_native.py, rds_native.py, batch.py, iam_managed_policy.py,
 * route53_hosted_zone.py, route53_record_set_group.py). Each proves the resource through its own
 * service's API, never through CloudFormation, which reports resources moto skipped or half-made
 * as complete.
 */

const { GetFunctionCommand, GetPolicyCommand: GetFunctionPolicyCommand } = lambdaSdk();
const { DescribeLogGroupsCommand } = cloudWatchLogsSdk();
const {
  GetGroupPolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} = iamSdk();
const { DescribeInstancesCommand, DescribeLaunchTemplatesCommand, DescribeSecurityGroupRulesCommand, DescribeVpcEndpointsCommand } = ec2Sdk();
const { DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand } = rdsSdk();
const { DescribeKeyCommand, ListAliasesCommand } = kmsSdk();
const { DescribeComputeEnvironmentsCommand, DescribeJobDefinitionsCommand, DescribeJobQueuesCommand } = batchSdk();
const { GetHostedZoneCommand, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand } = route53Sdk();
const { DescribeStateMachineCommand } = sfnSdk();
const { GetParameterCommand } = ssmSdk();
const { DescribeRepositoriesCommand } = ecrSdk();
const { ListExportsCommand } = cloudFormationSdk();

/** The clients these checks use beyond those presenceClients (emulation.ts) already has. */
export function nativePresenceClients(target: AwsTarget) {
  return {
    batch: awsClient(batchSdk().BatchClient, target),
    cloudFormation: awsClient(cloudFormationSdk().CloudFormationClient, target),
    ecr: awsClient(ecrSdk().ECRClient, target),
    kms: awsClient(kmsSdk().KMSClient, target),
    lambda: awsClient(lambdaSdk().LambdaClient, target),
    logs: awsClient(cloudWatchLogsSdk().CloudWatchLogsClient, target),
    route53: awsClient(route53Sdk().Route53Client, target),
    sfn: awsClient(sfnSdk().SFNClient, target),
    ssm: awsClient(ssmSdk().SSMClient, target),
  };
}

export interface NativePresenceInput {
  clients: ReturnType<typeof nativePresenceClients> & { ec2: EC2Client; iam: IAMClient; rds: RDSClient };
  physicalId: string;
  properties: Record<string, CfnValue>;
  physicalIdOf: (value: CfnValue) => string | undefined;
}

type NativeCheck = (input: NativePresenceInput) => Promise<unknown>;

class Absent extends Error {
  override name = 'NotFound';
}

/**
 * A property naming another resource, as far as it can be known without deploying: a literal, a
 * Ref or a GetAtt of a resource of the same stack (its physical id: a role's or function's name),
 * or an import of a literal export name (its exported value).
 */
async function resolve(input: NativePresenceInput, value: CfnValue): Promise<string | undefined> {
  const direct = input.physicalIdOf(value);
  if (direct) return direct;
  const node = (value ?? {}) as Record<string, unknown>;
  const getAtt = node['Fn::GetAtt'];
  const logicalId = Array.isArray(getAtt) ? (getAtt as unknown[])[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
  if (typeof logicalId === 'string') return input.physicalIdOf({ Ref: logicalId });
  const exportName = node['Fn::ImportValue'];
  if (typeof exportName === 'string') {
    let NextToken: string | undefined;
    do {
      const page = await input.clients.cloudFormation.send(new ListExportsCommand({ NextToken }));
      const found = page.Exports?.find((e) => e.Name === exportName);
      if (found) return found.Value;
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return undefined;
}

/** IAM's Get*Policy calls take names; templates often hand over ARNs (GetAtt, imports). */
const iamName = (value: string) => (value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value);

const list = (value: CfnValue): CfnValue[] => (Array.isArray(value) ? value : []);

/** Route 53 compares names in lower case with the trailing dot, and writes `*` as `\052`. */
const dnsName = (name: string) => {
  const lower = name.replace(/\\052/g, '*').toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
};

/**
 * The hosted zone a record (set or group) is in: its HostedZoneId, a literal HostedZoneName, or
 * else, for a record whose name is known, every zone whose name ends the record's (the zone and
 * name are often built with Fn::Sub from parameters, which a check cannot see), or the zone moto
 * names in a group's physical id.
 */
async function hostedZoneIds(input: NativePresenceInput, recordName?: string): Promise<string[]> {
  const { properties, clients } = input;
  if (properties.HostedZoneId !== undefined) {
    const id = await resolve(input, properties.HostedZoneId);
    if (id) return [id];
  }
  const zoneName = typeof properties.HostedZoneName === 'string' ? dnsName(properties.HostedZoneName) : undefined;
  const fromGroupId = /hostedzone\/([A-Z0-9]+)$/.exec(input.physicalId)?.[1];
  if (!zoneName && fromGroupId) return [fromGroupId];
  const zones = [];
  let page: { HostedZones?: { Id?: string; Name?: string }[]; IsTruncated?: boolean; NextDNSName?: string; NextHostedZoneId?: string } = {};
  do {
    page = await clients.route53.send(
      new ListHostedZonesByNameCommand({ ...(page.NextDNSName ? { DNSName: page.NextDNSName, HostedZoneId: page.NextHostedZoneId } : {}) }),
    );
    zones.push(...(page.HostedZones ?? []));
  } while (page.IsTruncated);
  const ids = zones
    .filter((z) => {
      const name = dnsName(z.Name ?? '');
      return zoneName ? name === zoneName : !!recordName && (dnsName(recordName) === name || dnsName(recordName).endsWith(`.${name}`));
    })
    .flatMap((z) => (z.Id === undefined ? [] : [z.Id]));
  if (!ids.length) throw new Absent(`no hosted zone ${zoneName ?? `for ${recordName ?? 'its records'}`}`);
  return ids;
}

/** Whether the zone holds a record of this name (when known) and type. */
async function recordPresent(input: NativePresenceInput, zoneId: string, name: string | undefined, type: CfnValue): Promise<void> {
  const { ResourceRecordSets } = await input.clients.route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ...(name ? { StartRecordName: name, ...(typeof type === 'string' ? { StartRecordType: type as never } : {}) } : {}),
    }),
  );
  const found = (ResourceRecordSets ?? []).some(
    (r) => (typeof type !== 'string' || r.Type === type) && (name ? dnsName(r.Name ?? '') === dnsName(name) : !['NS', 'SOA'].includes(r.Type ?? '')),
  );
  if (!found) throw new Absent(`no ${typeof type === 'string' ? type : ''} record ${name ?? ''} in zone ${zoneId}`.replace(/\s+/g, ' '));
}

/** The IAM identities a policy names (Roles, Users, Groups), by kind, as far as they resolve. */
async function policyTargets(input: NativePresenceInput) {
  const kinds = { Roles: [] as string[], Users: [] as string[], Groups: [] as string[] };
  for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
    for (const value of list(input.properties[kind])) {
      const name = await resolve(input, value);
      if (name) kinds[kind].push(iamName(name));
    }
  }
  if (!kinds.Roles.length && !kinds.Users.length && !kinds.Groups.length) throw new Absent('none of its roles, users or groups resolves');
  return kinds;
}

export const NATIVE_CHECKS: Readonly<Record<string, NativeCheck>> = {
  'AWS::Lambda::Function': ({ clients, physicalId }) => clients.lambda.send(new GetFunctionCommand({ FunctionName: physicalId })),
  'AWS::Lambda::Permission': async (input) => {
    // Physical id: CloudFormation's `<function>|<statement id>`; the statement must be in the function's policy.
    const [fnPart, sid] = input.physicalId.includes('|') ? input.physicalId.split('|') : [undefined, undefined];
    const fn = fnPart ?? (await resolve(input, input.properties.FunctionName));
    if (!fn) throw new Absent('its function cannot be resolved');
    const { Policy } = await input.clients.lambda.send(new GetFunctionPolicyCommand({ FunctionName: fn }));
    const statements = (JSON.parse(Policy ?? '{}') as { Statement?: { Sid?: string; Principal?: unknown }[] }).Statement ?? [];
    const principal = input.properties.Principal;
    const found = statements.some((s) =>
      sid ? s.Sid === sid : typeof principal === 'string' && JSON.stringify(s.Principal ?? '').includes(JSON.stringify(principal).slice(1, -1)),
    );
    if (!found) throw new Absent(`no statement ${sid ?? `for ${String(principal)}`} in the policy of ${fn}`);
  },
  'AWS::Logs::LogGroup': async ({ clients, physicalId, properties }) => {
    const { logGroups } = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: physicalId }));
    const group = logGroups?.find((g) => g.logGroupName === physicalId);
    if (!group) throw new Absent(`no log group ${physicalId}`);
    // Retention is what the platform sets on every log group; a literal one must have been applied.
    const retention = properties.RetentionInDays;
    if ((typeof retention === 'number' || typeof retention === 'string') && group.retentionInDays !== Number(retention)) {
      throw new Absent(`retention ${group.retentionInDays ?? 'never expires'}, template ${retention}`);
    }
  },
  'AWS::IAM::InstanceProfile': ({ clients, physicalId }) =>
    clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: iamName(physicalId) })),
  'AWS::IAM::ManagedPolicy': async (input) => {
    const { clients, physicalId } = input;
    await clients.iam.send(new GetPolicyCommand({ PolicyArn: physicalId }));
    const targets = ['Roles', 'Users', 'Groups'].some((k) => list(input.properties[k]).length) ? await policyTargets(input) : undefined;
    const attached = async (kind: string, name: string) => {
      const out =
        kind === 'Roles'
          ? await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))
          : kind === 'Users'
            ? await clients.iam.send(new ListAttachedUserPoliciesCommand({ UserName: name }))
            : await clients.iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: name }));
      if (!out.AttachedPolicies?.some((p) => p.PolicyArn === physicalId)) throw new Absent(`not attached to ${name}`);
    };
    for (const [kind, names] of Object.entries(targets ?? {})) for (const name of names) await attached(kind, name);
  },
  'AWS::IAM::Policy': async (input) => {
    const { clients, properties } = input;
    const targets = await policyTargets(input);
    const policyName = typeof properties.PolicyName === 'string' ? properties.PolicyName : undefined;
    // A PolicyName built at deploy time (Fn::Sub) cannot be named here: then the identity must at
    // least hold an inline policy.
    for (const RoleName of targets.Roles) {
      if (policyName) await clients.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: policyName }));
      else if (!(await clients.iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames?.length) throw new Absent(`no inline policy on ${RoleName}`);
    }
    for (const UserName of targets.Users) {
      if (policyName) await clients.iam.send(new GetUserPolicyCommand({ UserName, PolicyName: policyName }));
      else if (!(await clients.iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames?.length) throw new Absent(`no inline policy on ${UserName}`);
    }
    for (const GroupName of targets.Groups) {
      if (policyName) await clients.iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName: policyName }));
      else if (!(await clients.iam.send(new ListGroupPoliciesCommand({ GroupName }))).PolicyNames?.length) throw new Absent(`no inline policy on ${GroupName}`);
    }
  },
  'AWS::EC2::LaunchTemplate': async ({ clients, physicalId }) => {
    // EC2 answers an unknown id with an error, moto with an empty list: both are absence.
    const { LaunchTemplates } = await clients.ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [physicalId] }));
    if (!LaunchTemplates?.length) throw new Absent(`no launch template ${physicalId}`);
  },
  'AWS::EC2::Instance': async ({ clients, physicalId }) => {
    const { Reservations } = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [physicalId] }));
    const state = Reservations?.[0]?.Instances?.[0]?.State?.Name;
    if (!state || state === 'terminated' || state === 'shutting-down') throw new Absent(`instance ${physicalId} is ${state ?? 'unknown'}`);
  },
  'AWS::EC2::VPCEndpoint': async ({ clients, physicalId }) => {
    const { VpcEndpoints } = await clients.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [physicalId] }));
    const state = VpcEndpoints?.[0]?.State;
    if (!state || /^delet/i.test(state)) throw new Absent(`endpoint ${physicalId} is ${state ?? 'unknown'}`);
  },
  'AWS::EC2::SecurityGroupIngress': async (input) => {
    // Physical id: the rule's id (sgr-…); it must be an ingress rule of the group the template names.
    const { SecurityGroupRules } = await input.clients.ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [input.physicalId] }));
    const rule = SecurityGroupRules?.find((r) => r.SecurityGroupRuleId === input.physicalId);
    const group = await resolve(input, input.properties.GroupId);
    if (!rule || rule.IsEgress || (group && rule.GroupId !== group)) throw new Absent(`no ingress rule ${input.physicalId}${group ? ` on ${group}` : ''}`);
  },
  'AWS::RDS::DBInstance': ({ clients, physicalId }) => clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: physicalId })),
  'AWS::RDS::DBSubnetGroup': ({ clients, physicalId }) => clients.rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: physicalId })),
  'AWS::KMS::Key': async ({ clients, physicalId }) => {
    const { KeyMetadata } = await clients.kms.send(new DescribeKeyCommand({ KeyId: physicalId }));
    // A deleted key stays describable for its waiting period, as PendingDeletion.
    if (KeyMetadata?.KeyState === 'PendingDeletion' || KeyMetadata?.KeyState === 'PendingReplicaDeletion') throw new Absent(`key ${physicalId} is ${KeyMetadata.KeyState}`);
  },
  'AWS::KMS::Alias': async (input) => {
    const target = await resolve(input, input.properties.TargetKeyId);
    let Marker: string | undefined;
    do {
      const page = await input.clients.kms.send(new ListAliasesCommand({ Marker }));
      const alias = page.Aliases?.find((a) => a.AliasName === input.physicalId);
      if (alias) {
        if (target && alias.TargetKeyId !== target && !target.endsWith(`/${alias.TargetKeyId}`)) throw new Absent(`${input.physicalId} points at ${alias.TargetKeyId}`);
        return;
      }
      Marker = page.NextMarker;
    } while (Marker);
    throw new Absent(`no alias ${input.physicalId}`);
  },
  'AWS::Batch::ComputeEnvironment': async ({ clients, physicalId }) => {
    const { computeEnvironments } = await clients.batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: [physicalId] }));
    if (!computeEnvironments?.length) throw new Absent(`no compute environment ${physicalId}`);
  },
  'AWS::Batch::JobQueue': async ({ clients, physicalId }) => {
    const { jobQueues } = await clients.batch.send(new DescribeJobQueuesCommand({ jobQueues: [physicalId] }));
    if (!jobQueues?.length) throw new Absent(`no job queue ${physicalId}`);
  },
  'AWS::Batch::JobDefinition': async ({ clients, physicalId }) => {
    const { jobDefinitions } = await clients.batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [physicalId] }));
    // Deregistered revisions stay listed, INACTIVE.
    if (!jobDefinitions?.some((d) => d.jobDefinitionArn === physicalId && d.status === 'ACTIVE')) throw new Absent(`no active job definition ${physicalId}`);
  },
  'AWS::Route53::HostedZone': ({ clients, physicalId }) => clients.route53.send(new GetHostedZoneCommand({ Id: physicalId })),
  'AWS::Route53::RecordSet': async (input) => {
    // Physical id: the record's name.
    const zones = await hostedZoneIds(input, input.physicalId);
    const found = await Promise.allSettled(zones.map((zone) => recordPresent(input, zone, input.physicalId, input.properties.Type)));
    const hit = found.find((r) => r.status === 'fulfilled');
    if (!hit) throw (found[0] as PromiseRejectedResult).reason;
  },
  'AWS::Route53::RecordSetGroup': async (input) => {
    const records = list(input.properties.RecordSets) as Record<string, CfnValue>[];
    const [zone] = await hostedZoneIds(input, records.map((r) => r.Name).find((n): n is string => typeof n === 'string'));
    if (zone === undefined) throw new Error('internal: hostedZoneIds returns at least one zone or throws');
    for (const record of records) {
      // A name built at deploy time (an SES identity's DKIM token) cannot be named here: then the
      // zone must at least hold a record of the type.
      await recordPresent(input, zone, typeof record.Name === 'string' ? record.Name : undefined, record.Type);
    }
  },
  'AWS::StepFunctions::StateMachine': ({ clients, physicalId }) => clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: physicalId })),
  'AWS::SSM::Parameter': ({ clients, physicalId }) => clients.ssm.send(new GetParameterCommand({ Name: physicalId })),
  'AWS::ECR::Repository': ({ clients, physicalId }) => clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [physicalId] })),
};
