import {
  BatchClient,
  DeleteComputeEnvironmentCommand,
  DeleteJobQueueCommand,
  DeregisterJobDefinitionCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
} from '@aws-sdk/client-batch';
import { CloudFormationClient, DeleteStackCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteLaunchTemplateCommand,
  DeleteVpcEndpointsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DeleteRepositoryCommand, DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import {
  DeleteInstanceProfileCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import { DeleteAliasCommand, DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DeleteFunctionCommand, GetFunctionCommand, GetPolicyCommand as GetFunctionPolicyCommand, LambdaClient, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { DeleteDBInstanceCommand, DeleteDBSubnetGroupCommand, DescribeDBInstancesCommand, DescribeDBSubnetGroupsCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { DeleteStateMachineCommand, DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteParameterCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { loadTemplates, planDeploy } from '../../src/cf/deploy.js';
import { NATIVE_CHECKS } from '../../src/dev/emulation-native.js';
import { EMULATED } from '../../src/dev/emulation.js';
import { checkPresence } from '../../src/dev/twin-stacks.js';
import { fixtureDeployer } from '../helpers/fixture-copy.js';
import { useEmulator } from '../helpers/emulator.js';

const STACKS = ['network', 'hook', 'batch', 'database'].map((name) => `biomage-${name}-development`);
const ZONE = 'development.fixture.example.org.';

/**
 * The resource types moto models itself (some mended in tools/emulator/extensions): deployed by
 * `biomage deploy-cf`, updated and deleted, and each step checked through the resource's own
 * service API, never through CloudFormation. Then `dev up`'s presence checks: present after a
 * deploy, missing once each resource is deleted behind CloudFormation's back.
 */
describe('the twin creates, updates and deletes the types moto models itself', () => {
  const { emulator, target } = useEmulator();
  const { root, deploy, edit } = fixtureDeployer('catalogue-native', () => emulator().endpoint);
  const client = <C>(Client: Parameters<typeof awsClient<C>>[0]) => awsClient(Client, target());
  let zoneId = '';

  /** Physical ids by logical id, of one stack. */
  async function resources(stack: string): Promise<Record<string, string>> {
    const { StackResourceSummaries = [] } = await client(CloudFormationClient).send(new ListStackResourcesCommand({ StackName: stack }));
    return Object.fromEntries(StackResourceSummaries.map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  }

  async function presence() {
    const plans = await planDeploy(await loadTemplates(root, { paths: [] }), { env: 'development', target: target(), cfn: client(CloudFormationClient) });
    return (await checkPresence(target(), plans)).filter((r) => r.type in NATIVE_CHECKS);
  }

  async function records(): Promise<Record<string, string[]>> {
    const { ResourceRecordSets = [] } = await client(Route53Client).send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    return Object.fromEntries(
      ResourceRecordSets.filter((r) => r.Type === 'CNAME').map((r) => [r.Name!.replace(/\.?$/, '.'), (r.ResourceRecords ?? []).map((v) => v.Value!)]),
    );
  }

  const policyDocument = (encoded: string | undefined) => JSON.parse(decodeURIComponent(encoded ?? '{}')) as { Statement: { Action: unknown }[] };

  it('deploys every type, each as the template declares it', async () => {
    // The environment's hosted zone comes from the DNS step, not from these stacks.
    const zone = await client(Route53Client).send(new CreateHostedZoneCommand({ Name: ZONE, CallerReference: 'catalogue-native' }));
    zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
    const { code, stderr } = await deploy();
    expect(code, stderr).toBe(0);
    const network = await resources('biomage-network-development');

    // Lambda: inline code, its role by GetAtt, the imported network, the environment; the permission's statement.
    const lambda = client(LambdaClient);
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'fixture-hook-development' }));
    const hook = await resources('biomage-hook-development');
    expect(Configuration).toMatchObject({
      Runtime: 'python3.12',
      MemorySize: 128,
      Role: expect.stringMatching(new RegExp(`:role/${hook.HookRole}$`)),
      Environment: { Variables: { SETTING: '/fixture/development/greeting' } },
      VpcConfig: { SubnetIds: [network.SubnetA, network.SubnetB], SecurityGroupIds: [network.NodeSecurityGroup], VpcId: network.Vpc },
    });
    const statements = (JSON.parse((await lambda.send(new GetFunctionPolicyCommand({ FunctionName: 'fixture-hook-development' }))).Policy!) as {
      Statement: Record<string, unknown>[];
    }).Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Sid: hook.HookInvoke!.split('|')[1], Principal: { Service: 'cognito-idp.amazonaws.com' }, Action: 'lambda:InvokeFunction' }),
    ]);

    // Logs, IAM: retention; the inline policy on the role; the managed policy attached to it.
    const { logGroups } = await client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/fixture-hook-development' }));
    expect(logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([['/aws/lambda/fixture-hook-development', 14]]);
    const iam = client(IAMClient);
    const inline = await iam.send(new GetRolePolicyCommand({ RoleName: hook.HookRole, PolicyName: 'write-logs' }));
    expect(policyDocument(inline.PolicyDocument).Statement[0]?.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: hook.HookRole }));
    expect(AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([hook.ReadSetting]);

    // KMS, SSM, ECR, Step Functions.
    const kms = client(KMSClient);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: hook.Key }))).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Description: 'fixture settings (development)' });
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: hook.Key }))).KeyRotationEnabled).toBe(true);
    expect((await kms.send(new ListAliasesCommand({ KeyId: hook.Key }))).Aliases?.map((a) => a.AliasName)).toEqual(['alias/fixture-development']);
    expect((await client(SSMClient).send(new GetParameterCommand({ Name: '/fixture/development/greeting' }))).Parameter?.Value).toBe('hello');
    const ecr = client(ECRClient);
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['fixture-pipeline-development'] }));
    expect(repositories?.map((r) => r.imageScanningConfiguration)).toEqual([{ scanOnPush: true }]);
    const lifecycle = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'fixture-pipeline-development' }));
    expect(JSON.parse(lifecycle.lifecyclePolicyText ?? '{}')).toMatchObject({ rules: [{ selection: { countNumber: 20 } }] });
    const machine = await client(SFNClient).send(new DescribeStateMachineCommand({ stateMachineArn: hook.Pipeline }));
    expect(machine.roleArn).toMatch(new RegExp(`:role/${hook.StatesRole}$`));
    expect(JSON.parse(machine.definition!)).toMatchObject({ States: { Hook: { Resource: Configuration?.FunctionArn } } });

    // EC2: the ingress rule from the nodes' group, the endpoint, the bastion's groups, the launch template.
    const ec2 = client(EC2Client);
    const { SecurityGroupRules } = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [network.DatabaseFromNodes!] }));
    expect(SecurityGroupRules).toEqual([
      expect.objectContaining({
        GroupId: network.DatabaseSecurityGroup,
        IsEgress: false,
        FromPort: 5432,
        ToPort: 5432,
        ReferencedGroupInfo: expect.objectContaining({ GroupId: network.NodeSecurityGroup }),
      }),
    ]);
    const { VpcEndpoints } = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [network.S3Endpoint!] }));
    expect(VpcEndpoints?.[0]).toMatchObject({ State: 'available', VpcId: network.Vpc, SubnetIds: [network.SubnetA, network.SubnetB] });
    const batch = await resources('biomage-batch-development');
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [batch.Bastion!] }));
    const bastion = Reservations?.[0]?.Instances?.[0];
    expect(bastion?.SecurityGroups?.map((g) => g.GroupId)).toEqual([network.NodeSecurityGroup]);
    expect(bastion?.IamInstanceProfile?.Arn).toMatch(new RegExp(`instance-profile/${batch.WorkerProfile}$`));
    const { InstanceProfile } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: batch.WorkerProfile }));
    expect(InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual([batch.WorkerRole]);
    const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: batch.WorkerTemplate }));
    expect(LaunchTemplateVersions?.[0]?.LaunchTemplateData?.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ VolumeSize: 100, VolumeType: 'gp3' });

    // Batch: the environment in the private subnets from the launch template, its queue, the job.
    const batchApi = client(BatchClient);
    const [environment] = (await batchApi.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: [batch.Compute!] }))).computeEnvironments ?? [];
    expect(environment?.computeResources).toMatchObject({
      maxvCpus: 4,
      subnets: [network.SubnetA, network.SubnetB],
      securityGroupIds: [network.NodeSecurityGroup],
      launchTemplate: { launchTemplateId: batch.WorkerTemplate },
    });
    const [queue] = (await batchApi.send(new DescribeJobQueuesCommand({ jobQueues: ['fixture-pipeline-development'] }))).jobQueues ?? [];
    expect(queue?.computeEnvironmentOrder).toEqual([{ order: 1, computeEnvironment: environment?.computeEnvironmentArn }]);
    const [job] = (await batchApi.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [batch.Job!] }))).jobDefinitions ?? [];
    expect(job).toMatchObject({ status: 'ACTIVE', timeout: { attemptDurationSeconds: 3600 }, retryStrategy: { attempts: 2 } });
    expect(job?.containerProperties).toMatchObject({ memory: 4096, image: expect.stringMatching(/fixture-pipeline-development:one$/) });

    // The private zone, in the network's VPC.
    const internal = await client(Route53Client).send(new GetHostedZoneCommand({ Id: network.InternalZone }));
    expect(internal.HostedZone).toMatchObject({ Name: 'internal.development.fixture.example.org.', Config: { PrivateZone: true, Comment: "the cluster's private names" } });
    expect(internal.VPCs?.map((v) => v.VPCId)).toEqual([network.Vpc]);

    // RDS and Route 53: the instance in its subnet group and security group; its address and the DKIM records.
    const [db] = (await client(RDSClient).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'fixture-db-development' }))).DBInstances ?? [];
    const database = await resources('biomage-database-development');
    expect(db).toMatchObject({
      DBInstanceClass: 'db.t4g.micro',
      Engine: 'postgres',
      DBSubnetGroup: { DBSubnetGroupName: database.DatabaseSubnets },
      VpcSecurityGroups: [expect.objectContaining({ VpcSecurityGroupId: network.DatabaseSecurityGroup })],
    });
    expect(await records()).toEqual({
      'db.development.fixture.example.org.': [db?.Endpoint?.Address],
      'one._domainkey.development.fixture.example.org.': ['one.dkim.amazonses.com'],
      'two._domainkey.development.fixture.example.org.': ['two.dkim.amazonses.com'],
    });
  });

  it("dev up's presence table finds every one of these resources through its own service", async () => {
    const rows = await presence();
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(Object.keys(NATIVE_CHECKS)));
    expect(rows.filter((r) => r.presence !== 'present')).toEqual([]);
    for (const type of Object.keys(NATIVE_CHECKS)) expect(EMULATED[type]).toBe(NATIVE_CHECKS[type]);
  });

  it('a stack update changes each resource in its service', async () => {
    // Template edits: resource properties, and parameter defaults (values no one passes).
    edit('network.yaml', "Comment: the cluster's private names", 'Comment: private names');
    edit('network.yaml', 'Default: 5432', 'Default: 5433');
    edit('hook.yaml', 'Default: 14', 'Default: 30');
    edit('hook.yaml', 'MemorySize: !Ref MemorySize', 'MemorySize: 256');
    edit('hook.yaml', 'Value: !Ref Greeting', 'Value: bonjour');
    edit('hook.yaml', 'Action: ssm:GetParameter', 'Action: [ssm:GetParameter, ssm:GetParameters]');
    edit('hook.yaml', '              return event', "              return {'ok': True}");
    edit('batch.yaml', 'MaxvCpus: !Ref MaxvCpus', 'MaxvCpus: 8');
    edit('batch.yaml', 'VolumeSize: 100', 'VolumeSize: 200');
    edit('batch.yaml', 'InstanceType: t3.micro', 'InstanceType: t3.small');
    edit('batch.yaml', 'Memory: !Ref JobMemory', 'Memory: 8192');
    edit('batch.yaml', ':${ImageTag}', ':two');
    edit('database.yaml', 'DBInstanceClass: !Ref InstanceClass', 'DBInstanceClass: db.t4g.small');
    edit('database.yaml', '[two.dkim.amazonses.com]', '[second.dkim.amazonses.com]');
    const { code, stderr, by } = await deploy();
    expect(code, stderr).toBe(0);
    for (const stack of STACKS) expect(by[stack], stack).toMatchObject({ action: 'update', result: 'ok' });

    const network = await resources('biomage-network-development');
    const { SecurityGroupRules } = await client(EC2Client).send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [network.DatabaseFromNodes!] }));
    expect(SecurityGroupRules?.map((r) => [r.GroupId, r.FromPort, r.ToPort])).toEqual([[network.DatabaseSecurityGroup, 5433, 5433]]);

    expect((await client(Route53Client).send(new GetHostedZoneCommand({ Id: network.InternalZone }))).HostedZone?.Config?.Comment).toBe('private names');

    const hook = await resources('biomage-hook-development');
    const { Configuration } = await client(LambdaClient).send(new GetFunctionCommand({ FunctionName: 'fixture-hook-development' }));
    expect(Configuration?.MemorySize).toBe(256);
    const { logGroups } = await client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/fixture-hook-development' }));
    expect(logGroups?.[0]?.retentionInDays).toBe(30);
    expect((await client(SSMClient).send(new GetParameterCommand({ Name: '/fixture/development/greeting' }))).Parameter?.Value).toBe('bonjour');
    const iam = client(IAMClient);
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: hook.ReadSetting }));
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: hook.ReadSetting, VersionId: Policy?.DefaultVersionId }));
    expect(policyDocument(version.PolicyVersion?.Document).Statement[0]?.Action).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    expect(Policy?.AttachmentCount).toBe(1);

    const batch = await resources('biomage-batch-development');
    const batchApi = client(BatchClient);
    const [environment] = (await batchApi.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: [batch.Compute!] }))).computeEnvironments ?? [];
    expect(environment?.computeResources?.maxvCpus).toBe(8);
    const [job] = (await batchApi.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [batch.Job!] }))).jobDefinitions ?? [];
    expect(job).toMatchObject({ revision: 2, status: 'ACTIVE', containerProperties: { memory: 8192, image: expect.stringMatching(/:two$/) } });
    const [queue] = (await batchApi.send(new DescribeJobQueuesCommand({ jobQueues: [batch.Queue!] }))).jobQueues ?? [];
    expect(queue?.computeEnvironmentOrder?.[0]?.computeEnvironment).toBe(environment?.computeEnvironmentArn);
    // The bastion resized in place.
    const { Reservations } = await client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: [batch.Bastion!] }));
    expect(Reservations?.[0]?.Instances?.[0]?.InstanceType).toBe('t3.small');
    // A new launch template version, made the default one (which Batch's workers start from).
    const { LaunchTemplateVersions } = await client(EC2Client).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: batch.WorkerTemplate }));
    const current = LaunchTemplateVersions?.find((v) => v.DefaultVersion);
    expect([current?.VersionNumber, current?.LaunchTemplateData?.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize]).toEqual([2, 200]);

    const [db] = (await client(RDSClient).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'fixture-db-development' }))).DBInstances ?? [];
    expect(db?.DBInstanceClass).toBe('db.t4g.small');
    expect((await records())['two._domainkey.development.fixture.example.org.']).toEqual(['second.dkim.amazonses.com']);
    expect((await presence()).filter((r) => r.presence !== 'present')).toEqual([]);
  });

  it('deleting the stacks removes every resource from its service', async () => {
    const before = Object.fromEntries(await Promise.all(STACKS.map(async (s) => [s, await resources(s)] as const)));
    const cfn = client(CloudFormationClient);
    for (const stack of [...STACKS].reverse()) await cfn.send(new DeleteStackCommand({ StackName: stack }));

    await expect(client(LambdaClient).send(new GetFunctionCommand({ FunctionName: 'fixture-hook-development' }))).rejects.toThrow(/not found/i);
    expect((await client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/fixture-hook' }))).logGroups).toEqual([]);
    await expect(client(IAMClient).send(new GetPolicyCommand({ PolicyArn: before['biomage-hook-development']!.ReadSetting }))).rejects.toThrow();
    await expect(client(IAMClient).send(new GetInstanceProfileCommand({ InstanceProfileName: before['biomage-batch-development']!.WorkerProfile }))).rejects.toThrow();
    // A KMS key deleted by CloudFormation waits out its deletion window.
    expect((await client(KMSClient).send(new DescribeKeyCommand({ KeyId: before['biomage-hook-development']!.Key }))).KeyMetadata?.KeyState).toBe('PendingDeletion');
    await expect(client(SSMClient).send(new GetParameterCommand({ Name: '/fixture/development/greeting' }))).rejects.toThrow();
    await expect(client(ECRClient).send(new DescribeRepositoriesCommand({ repositoryNames: ['fixture-pipeline-development'] }))).rejects.toThrow();
    await expect(client(SFNClient).send(new DescribeStateMachineCommand({ stateMachineArn: before['biomage-hook-development']!.Pipeline }))).rejects.toThrow();
    const batchApi = client(BatchClient);
    expect((await batchApi.send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments).toEqual([]);
    expect((await batchApi.send(new DescribeJobQueuesCommand({}))).jobQueues).toEqual([]);
    const { jobDefinitions = [] } = await batchApi.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'fixture-pipeline-development' }));
    expect(jobDefinitions.filter((d) => d.status === 'ACTIVE')).toEqual([]);
    const rds = client(RDSClient);
    expect((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances).toEqual([]);
    expect((await rds.send(new DescribeDBSubnetGroupsCommand({}))).DBSubnetGroups?.filter((g) => g.DBSubnetGroupName !== 'default')).toEqual([]);
    expect(await records()).toEqual({});
    await expect(client(Route53Client).send(new GetHostedZoneCommand({ Id: before['biomage-network-development']!.InternalZone }))).rejects.toThrow();
    const { Reservations } = await client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: [before['biomage-batch-development']!.Bastion!] }));
    expect(Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('terminated');
    const { VpcEndpoints = [] } = await client(EC2Client).send(new DescribeVpcEndpointsCommand({}));
    expect(VpcEndpoints.filter((e) => e.State?.toLowerCase() === 'available')).toEqual([]);
  });

  it("dev up's presence checks report each resource missing once it is deleted through its own service", async () => {
    const { code, stderr } = await deploy();
    expect(code, stderr).toBe(0);
    expect((await presence()).filter((r) => r.presence !== 'present')).toEqual([]);
    const [network, hook, batch, database] = await Promise.all(STACKS.map(resources));

    const lambda = client(LambdaClient);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'fixture-hook-development', StatementId: hook!.HookInvoke!.split('|')[1] }));
    const afterPermission = await presence();
    expect(afterPermission.filter((r) => r.presence !== 'present').map((r) => r.logicalId)).toEqual(['HookInvoke']);

    await client(CloudWatchLogsClient).send(new DeleteLogGroupCommand({ logGroupName: '/aws/lambda/fixture-hook-development' }));
    const iam = client(IAMClient);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: hook!.HookRole, PolicyName: 'write-logs' }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: hook!.HookRole, PolicyArn: hook!.ReadSetting }));
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: batch!.WorkerProfile, RoleName: batch!.WorkerRole }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: batch!.WorkerProfile }));
    const kms = client(KMSClient);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/fixture-development' }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: hook!.Key, PendingWindowInDays: 7 }));
    await client(SSMClient).send(new DeleteParameterCommand({ Name: '/fixture/development/greeting' }));
    await client(ECRClient).send(new DeleteRepositoryCommand({ repositoryName: 'fixture-pipeline-development' }));
    await client(SFNClient).send(new DeleteStateMachineCommand({ stateMachineArn: hook!.Pipeline }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'fixture-hook-development' }));

    const ec2 = client(EC2Client);
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: network!.DatabaseSecurityGroup, SecurityGroupRuleIds: [network!.DatabaseFromNodes!] }));
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [network!.S3Endpoint!] }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [batch!.Bastion!] }));
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: batch!.WorkerTemplate }));
    const batchApi = client(BatchClient);
    await batchApi.send(new DeleteJobQueueCommand({ jobQueue: batch!.Queue }));
    await batchApi.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: batch!.Compute }));
    await batchApi.send(new DeregisterJobDefinitionCommand({ jobDefinition: batch!.Job }));
    const rds = client(RDSClient);
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'fixture-db-development', SkipFinalSnapshot: true }));
    await rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: database!.DatabaseSubnets }));
    const route53 = client(Route53Client);
    const { ResourceRecordSets = [] } = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: ResourceRecordSets.filter((r) => r.Type === 'CNAME').map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) },
      }),
    );

    await route53.send(new DeleteHostedZoneCommand({ Id: network!.InternalZone }));

    const rows = await presence();
    expect(rows.filter((r) => r.presence === 'present').map((r) => `${r.stack} ${r.logicalId}`)).toEqual([]);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(Object.keys(NATIVE_CHECKS)));
  });
});
