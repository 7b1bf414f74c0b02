import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import { resolveString } from '../../src/cf/references.js';
import { parseCfnYaml } from '../../src/yaml/cfn.js';
import { arnPattern, overlaps } from '../../src/checks/iam/arn.js';
import { matchActions } from '../../src/checks/iam/catalog.js';
import { HOSTED_ZONE_ID } from '../../src/config/dns.js';
import { ENVIRONMENTS } from '../../src/config/environments.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * infra/cf-github-oidc.yaml: who may assume the CI roles. `biomage check` judges the policies'
 * actions and resources; this judges the trust: which GitHub OIDC subjects each role accepts.
 */

const FILE = 'infra/cf-github-oidc.yaml';
const HOST = 'token.actions.githubusercontent.com';

type Map = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: Map;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Role {
  Type: string;
  Properties: { RoleName: unknown; AssumeRolePolicyDocument: { Statement: Statement[] }; Policies: { PolicyDocument: { Statement: Statement[] } }[] };
}

const body = readFileSync(join(repoRoot, FILE), 'utf8');
const doc = parseCfnYaml(body).value as {
  Parameters: Record<string, Map>;
  Conditions: Map;
  Resources: Record<string, Map>;
  Outputs: Record<string, { Value: unknown; Export: { Name: unknown } }>;
};
const role = (id: string) => doc.Resources[id] as unknown as Role;

const known = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  GitHubOrganisation: 'example-org',
  GitHubRepository: 'iac',
};
const resolve = (value: unknown, env: string) => {
  const text = resolveString(value, { ...known, Environment: env });
  expect(text, `${JSON.stringify(value)} resolves`).toBeDefined();
  return text!;
};

/** IAM's StringEquals / StringLike over one condition block, for one claim value. */
function conditionHolds(condition: Statement['Condition'], claims: Record<string, string>, env: string): boolean {
  return Object.entries(condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, expected]) => {
      const claim = claims[key];
      const values = (Array.isArray(expected) ? expected : [expected]).map((value) => resolve(value, env));
      if (claim === undefined) return false;
      if (operator === 'StringEquals') return values.includes(claim);
      if (operator === 'StringLike') return values.some((value) => overlaps(arnPattern(value), arnPattern(claim)));
      throw new Error(`unexpected condition operator ${operator}`);
    }),
  );
}

/** Whether a GitHub token with this subject (and the STS audience) can assume the role. */
function accepts(id: string, sub: string, env: string, aud = 'sts.amazonaws.com'): boolean {
  const statements = role(id).Properties.AssumeRolePolicyDocument.Statement;
  return statements.some(
    (s) => s.Effect === 'Allow' && conditionHolds(s.Condition, { [`${HOST}:aud`]: aud, [`${HOST}:sub`]: sub }, env),
  );
}

describe(FILE, () => {
  it('takes the Environment parameter in the form of cf/ and GitHub parameters; creates the provider only without an existing one', () => {
    expect(doc.Parameters.Environment).toEqual({
      Type: 'String',
      Description: expect.any(String),
      AllowedValues: [...ENVIRONMENTS],
    });
    expect(doc.Parameters.GitHubOrganisation).toMatchObject({ Type: 'String' });
    expect(doc.Parameters.GitHubRepository).toMatchObject({ Type: 'String' });
    expect(doc.Parameters.ExistingProviderArn).toMatchObject({ Type: 'String', Default: '' });
    // infra/dns.yaml's hostedZoneId, validated as biomage validates it; no default: every deploy names the zone.
    expect(doc.Parameters.HostedZoneId).toEqual({ Type: 'String', Description: expect.any(String), AllowedPattern: HOSTED_ZONE_ID.source, ConstraintDescription: expect.any(String) });
    expect(doc.Conditions.CreateProvider).toEqual({ 'Fn::Equals': [{ Ref: 'ExistingProviderArn' }, ''] });
    const provider = Object.values(doc.Resources).filter((r) => r.Type === 'AWS::IAM::OIDCProvider');
    expect(provider).toEqual([
      expect.objectContaining({
        Condition: 'CreateProvider',
        DeletionPolicy: 'Retain',
        Properties: { Url: `https://${HOST}`, ClientIdList: ['sts.amazonaws.com'] },
      }),
    ]);
  });

  it('roles trust only web identities from that provider', () => {
    const provider = { 'Fn::If': ['CreateProvider', { Ref: 'GitHubOidcProvider' }, { Ref: 'ExistingProviderArn' }] };
    for (const id of ['IacRole', 'EcrRole']) {
      const statements = role(id).Properties.AssumeRolePolicyDocument.Statement;
      expect(statements, id).toHaveLength(1);
      expect(statements[0], id).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: provider } });
      expect(Object.keys(statements[0]!.Principal!), id).toEqual(['Federated']);
      expect(statements[0]!.Condition!.StringEquals, id).toMatchObject({ [`${HOST}:aud`]: 'sts.amazonaws.com' });
    }
  });

  it.each(['staging', 'production'])('the deploy role accepts only this repository in the GitHub environment %s', (env) => {
    const other = env === 'staging' ? 'production' : 'staging';
    expect(resolve(role('IacRole').Properties.RoleName, env)).toBe(`biomage-ci-iac-${env}`);
    expect(role('IacRole').Properties.AssumeRolePolicyDocument.Statement[0]!.Condition).toEqual({
      StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com', [`${HOST}:sub`]: { 'Fn::Sub': 'repo:${GitHubOrganisation}/${GitHubRepository}:environment:${Environment}' } },
    });
    expect(accepts('IacRole', `repo:example-org/iac:environment:${env}`, env)).toBe(true);
    expect(accepts('IacRole', `repo:example-org/iac:environment:${env}`, env, 'https://github.com/example-org')).toBe(false);
    for (const sub of [
      `repo:example-org/iac:environment:${other}`,
      'repo:example-org/iac:ref:refs/heads/main',
      'repo:example-org/iac:pull_request',
      `repo:example-org/ui:environment:${env}`,
      `repo:someone-else/iac:environment:${env}`,
    ]) {
      expect(accepts('IacRole', sub, env), sub).toBe(false);
    }
  });

  it.each(['staging', 'production'])('the ECR role (%s) accepts any repository of the organisation, from main only', (env) => {
    expect(resolve(role('EcrRole').Properties.RoleName, env)).toBe(`biomage-ci-ecr-${env}`);
    expect(role('EcrRole').Properties.AssumeRolePolicyDocument.Statement[0]!.Condition!.StringLike).toEqual({
      [`${HOST}:sub`]: { 'Fn::Sub': 'repo:${GitHubOrganisation}/*:ref:refs/heads/main' },
    });
    for (const repository of ['ui', 'api', 'worker']) {
      expect(accepts('EcrRole', `repo:example-org/${repository}:ref:refs/heads/main`, env)).toBe(true);
    }
    for (const sub of [
      'repo:example-org/ui:ref:refs/heads/feature',
      'repo:example-org/ui:ref:refs/tags/v1',
      'repo:example-org/ui:pull_request',
      `repo:example-org/ui:environment:${env}`,
      'repo:example-org-fork/ui:ref:refs/heads/main',
      'repo:someone-else/ui:ref:refs/heads/main',
    ]) {
      expect(accepts('EcrRole', sub, env), sub).toBe(false);
    }
  });

  /**
   * An action that may reach a role: any `*`, or an IAM action that takes the role resource type
   * (the catalogue's). IAM actions that take only "*" (iam:ListOpenIDConnectProviders) list the
   * account and act on no role.
   */
  const actsOnRoles = (action: string): boolean => {
    if (action === '*') return true;
    if (!action.toLowerCase().startsWith('iam:')) return false;
    const match = matchActions(action);
    return match.kind !== 'actions' || match.actions.some((a) => a.resourceTypes.includes('role'));
  };

  it('the deploy role can change neither its own roles nor its own stack', () => {
    expect(actsOnRoles('iam:ListOpenIDConnectProviders')).toBe(false);
    expect(actsOnRoles('iam:PutRolePolicy')).toBe(true);
    expect(actsOnRoles('iam:*')).toBe(true);

    const statements = role('IacRole').Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const list = (value: unknown) => (Array.isArray(value) ? value : [value]);
    for (const env of ['staging', 'production']) {
      const own = [`arn:aws:iam::123456789012:role/biomage-ci-iac-${env}`, `arn:aws:iam::123456789012:role/biomage-ci-ecr-${env}`];
      for (const statement of statements.filter((s) => s.Effect === 'Allow' && list(s.Action).some((a) => actsOnRoles(String(a))))) {
        for (const resource of list(statement.Resource).map((r) => resolve(r, env))) {
          for (const arn of own) expect(overlaps(arnPattern(resource), arnPattern(arn)), `${resource} reaches ${arn}`).toBe(false);
        }
      }
      const deny = statements.find((s) => s.Effect === 'Deny')!;
      expect(list(deny.Action)).toEqual(expect.arrayContaining(['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:DeleteStack']));
      const denied = list(deny.Resource).map((r) => resolve(r, env));
      for (const stack of [`biomage-github-oidc-${env}`, `biomage-cf-github-oidc-${env}`]) {
        const arn = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${stack}/0f0e0d0c`;
        expect(denied.some((resource) => overlaps(arnPattern(resource), arnPattern(arn))), stack).toBe(true);
      }
    }
  });

  it('exports the role ARNs per environment', () => {
    expect(doc.Outputs.IacRoleArn).toMatchObject({ Value: { 'Fn::GetAtt': ['IacRole', 'Arn'] } });
    expect(doc.Outputs.EcrRoleArn).toMatchObject({ Value: { 'Fn::GetAtt': ['EcrRole', 'Arn'] } });
    for (const output of Object.values(doc.Outputs)) expect(resolve(output.Export.Name, 'staging')).toMatch(/-staging$/);
  });

  describe('deployed to two environments of one account (the emulator)', () => {
    const { target } = useEmulator();

    const ZONES: Record<string, string> = { staging: 'Z0000000000STAGING', production: 'Z00000000PRODUCTION' };

    async function deploy(env: string, existingProviderArn: string): Promise<Stack> {
      const cfn = awsClient(CloudFormationClient, target());
      const StackName = `biomage-github-oidc-${env}`;
      const parameters = { Environment: env, GitHubOrganisation: 'example-org', GitHubRepository: 'iac', HostedZoneId: ZONES[env]!, ExistingProviderArn: existingProviderArn };
      await cfn.send(
        new CreateStackCommand({
          StackName,
          TemplateBody: body,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        }),
      );
      for (;;) {
        const stack = (await cfn.send(new DescribeStacksCommand({ StackName }))).Stacks![0]!;
        if (!stack.StackStatus!.endsWith('_IN_PROGRESS')) return stack;
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    const output = (stack: Stack, key: string) => stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;

    it('creates the provider once; the second environment trusts the same one', async () => {
      const iam = awsClient(IAMClient, target());
      const staging = await deploy('staging', '');
      expect(staging.StackStatus).toBe('CREATE_COMPLETE');
      const provider = output(staging, 'OidcProviderArn')!;
      expect(provider).toMatch(new RegExp(`:oidc-provider/${HOST.replace(/\./g, '\\.')}$`));
      const production = await deploy('production', provider);
      expect(production.StackStatus).toBe('CREATE_COMPLETE');
      expect(output(production, 'OidcProviderArn')).toBe(provider);
      expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([{ Arn: provider }]);

      for (const [env, stack] of [['staging', staging], ['production', production]] as const) {
        for (const [kind, key] of [['iac', 'IacRoleArn'], ['ecr', 'EcrRoleArn']] as const) {
          const role = (await iam.send(new GetRoleCommand({ RoleName: `biomage-ci-${kind}-${env}` }))).Role!;
          expect(role.Arn).toBe(output(stack, key));
          const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as { Statement: Statement[] };
          expect(trust.Statement.map((s) => s.Principal)).toEqual([{ Federated: provider }]);
        }
        // configure's DNS step: the environment's own hosted zone only.
        const dns = await iam.send(new GetRolePolicyCommand({ RoleName: `biomage-ci-iac-${env}`, PolicyName: 'dns' }));
        const statements = (JSON.parse(decodeURIComponent(dns.PolicyDocument!)) as { Statement: (Statement & { Sid: string })[] }).Statement;
        expect(statements.find((s) => s.Sid === 'HostedZoneRecords')).toMatchObject({
          Effect: 'Allow',
          Action: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'],
          Resource: [`arn:aws:route53:::hostedzone/${ZONES[env]}`],
        });
      }
    });
  });
});
