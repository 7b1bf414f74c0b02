import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityClient, DescribeIdentityPoolCommand, GetIdentityPoolRolesCommand, ListIdentityPoolsCommand } from '@aws-sdk/client-cognito-identity';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { loadTemplates, planDeploy } from '../../src/cf/deploy.js';
import { checkPresence } from '../../src/dev/twin-stacks.js';
import { fixtureDeployer } from '../helpers/fixture-copy.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * The resource types moto has no CloudFormation model for, added in tools/emulator/extensions:
 * deployed by `biomage deploy-cf` (change sets, CAPABILITY_AUTO_EXPAND) and checked through each
 * service's own API, never through CloudFormation. Secret values are compared, never printed.
 */
describe('the twin creates Aurora, Secrets Manager, SES and Cognito identity pool resources', () => {
  const { emulator, target } = useEmulator();
  const { root, deploy, edit } = fixtureDeployer('catalogue-new', () => emulator().endpoint);
  const client = <C>(Client: Parameters<typeof awsClient<C>>[0]) => awsClient(Client, target());

  it('deploys an Aurora cluster whose credentials are a generated, attached and rotated secret', async () => {
    const { code, stderr } = await deploy();
    expect(code, stderr).toBe(0);

    const rds = client(RDSClient);
    const [cluster] = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'fixture-db-development' }))).DBClusters ?? [];
    expect(cluster).toMatchObject({
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      DBSubnetGroup: 'fixture-db-development',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
    });
    expect(cluster?.DBClusterMembers?.map((m) => m.DBInstanceIdentifier)).toEqual(['fixture-db-development-writer']);
    const [writer] = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'fixture-db-development-writer' }))).DBInstances ?? [];
    expect(writer).toMatchObject({ DBInstanceClass: 'db.serverless', DBClusterIdentifier: 'fixture-db-development' });

    // The generated secret holds the cluster's master user, and the attachment's connection details.
    const secrets = client(SecretsManagerClient);
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: 'fixture-db-development' }));
    const value = JSON.parse(SecretString ?? '{}') as Record<string, unknown>;
    expect(cluster?.MasterUsername).toBe(value.username);
    expect(value.username).toBe('fixture_admin');
    expect(typeof value.password === 'string' && value.password.length === 32 && !/["@/\\]/.test(value.password)).toBe(true);
    expect({ host: value.host, port: value.port, engine: value.engine, dbClusterIdentifier: value.dbClusterIdentifier }).toEqual({
      host: cluster?.Endpoint,
      port: 5432,
      engine: 'postgres',
      dbClusterIdentifier: 'fixture-db-development',
    });

    // The transform's rotation function, its role and its permission exist, and the secret rotates with it.
    const lambda = client(LambdaClient);
    const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'fixture-db-rotation-development' }));
    const secret = await secrets.send(new DescribeSecretCommand({ SecretId: 'fixture-db-development' }));
    expect(secret).toMatchObject({ RotationEnabled: true, RotationLambdaARN: Configuration?.FunctionArn, RotationRules: { AutomaticallyAfterDays: 30 } });
    expect(Configuration?.VpcConfig?.SecurityGroupIds).toEqual([cluster?.VpcSecurityGroups?.[0]?.VpcSecurityGroupId]);
    expect(Configuration?.VpcConfig?.SubnetIds).toHaveLength(2);
    const policy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'fixture-db-rotation-development' }))).Policy ?? '{}') as {
      Statement: { Principal: unknown; Action: unknown }[];
    };
    expect(policy.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction' })]);
    const role = await client(IAMClient).send(new GetRoleCommand({ RoleName: Configuration?.Role?.split('/').pop() }));
    expect(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')).toContain('lambda.amazonaws.com');
  });

  it('deploys a mail domain with DKIM tokens and an identity pool with its signed-in role', async () => {
    const ses = client(SESv2Client);
    const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'development.fixture.example.org' }));
    expect(identity.IdentityType).toBe('DOMAIN');
    expect(identity.DkimAttributes?.Tokens).toHaveLength(3);

    const cognito = client(CognitoIdentityClient);
    const { IdentityPools = [] } = await cognito.send(new ListIdentityPoolsCommand({ MaxResults: 10 }));
    const id = IdentityPools.find((p) => p.IdentityPoolName === 'fixture_identities_development')?.IdentityPoolId;
    const pool = await cognito.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id }));
    expect(pool.AllowUnauthenticatedIdentities).toBe(false);
    expect(pool.CognitoIdentityProviders?.[0]?.ProviderName).toMatch(/^cognito-idp\.eu-west-1\.amazonaws\.com\/eu-west-1_/);
    const { Roles } = await cognito.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: id }));
    expect(Roles).toEqual({ authenticated: expect.stringMatching(/:role\/fixture-signed-in-development$/) });
  });

  it("dev up's presence table finds every resource through its own service", async () => {
    const cfn = client(CloudFormationClient);
    const plans = await planDeploy(await loadTemplates(root, { paths: [] }), { env: 'development', target: target(), cfn });
    const rows = await checkPresence(target(), plans);
    const ours = rows.filter((r) => /RDS::DBCluster|SecretsManager|SES|IdentityPool/.test(r.type));
    expect(ours.map((r) => r.type).sort()).toEqual([
      'AWS::Cognito::IdentityPool',
      'AWS::Cognito::IdentityPoolRoleAttachment',
      'AWS::RDS::DBCluster',
      'AWS::SES::EmailIdentity',
      'AWS::SecretsManager::RotationSchedule',
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::SecretTargetAttachment',
    ]);
    expect(ours.filter((r) => r.presence !== 'present')).toEqual([]);
  });

  it('a stack update changes the cluster, the rotation and the pool in place', async () => {
    edit('database.yaml', 'MaxCapacity: !Ref MaxCapacity', 'MaxCapacity: 8');
    edit('database.yaml', 'AutomaticallyAfterDays: !Ref RotationDays', 'AutomaticallyAfterDays: 7');
    edit('identity.yaml', 'AllowUnauthenticatedIdentities: !Ref Guests', 'AllowUnauthenticatedIdentities: true');
    const { code, stderr, by } = await deploy();
    expect(code, stderr).toBe(0);
    expect(by['biomage-database-development']).toMatchObject({ action: 'update', result: 'ok' });
    expect(by['biomage-identity-development']).toMatchObject({ action: 'update', result: 'ok' });

    const [cluster] = (await client(RDSClient).send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'fixture-db-development' }))).DBClusters ?? [];
    expect(cluster?.ServerlessV2ScalingConfiguration?.MaxCapacity).toBe(8);
    const secret = await client(SecretsManagerClient).send(new DescribeSecretCommand({ SecretId: 'fixture-db-development' }));
    expect(secret.RotationRules?.AutomaticallyAfterDays).toBe(7);
    const cognito = client(CognitoIdentityClient);
    const { IdentityPools = [] } = await cognito.send(new ListIdentityPoolsCommand({ MaxResults: 10 }));
    expect(IdentityPools).toHaveLength(1);
    const pool = await cognito.send(new DescribeIdentityPoolCommand({ IdentityPoolId: IdentityPools[0]?.IdentityPoolId }));
    expect(pool.AllowUnauthenticatedIdentities).toBe(true);
  });

  it('deleting the stacks removes every resource from its service', async () => {
    const cfn = client(CloudFormationClient);
    for (const stack of ['biomage-database-development', 'biomage-identity-development']) await cfn.send(new DeleteStackCommand({ StackName: stack }));

    const rds = client(RDSClient);
    expect((await rds.send(new DescribeDBClustersCommand({}))).DBClusters).toEqual([]);
    expect((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances).toEqual([]);
    await expect(client(SecretsManagerClient).send(new DescribeSecretCommand({ SecretId: 'fixture-db-development' }))).rejects.toThrow(/can't find|not found/i);
    await expect(client(LambdaClient).send(new GetFunctionCommand({ FunctionName: 'fixture-db-rotation-development' }))).rejects.toThrow(/not found/i);
    await expect(client(SESv2Client).send(new GetEmailIdentityCommand({ EmailIdentity: 'development.fixture.example.org' }))).rejects.toThrow();
    const { IdentityPools } = await client(CognitoIdentityClient).send(
      new ListIdentityPoolsCommand({ MaxResults: 10 }),
    );
    expect(IdentityPools).toEqual([]);
  });
});
