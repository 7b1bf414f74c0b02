import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, ListChangeSetsCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { awsClient } from '../../src/aws/clients.js';
import type { AwsTarget } from '../../src/aws/target.js';
import { HASH_TAG } from '../../src/cf/plan.js';
import { githubOidcStep } from '../../src/configure/github-oidc.js';
import type { ClusterEnvironment } from '../../src/infra/cluster-config.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import { BiomageError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { useEmulator } from '../helpers/emulator.js';

/**
 * configure's github-oidc step against the emulator: infra/cf-github-oidc.yaml deployed as
 * biomage-github-oidc-<env> through change sets. Outcomes are asserted through CloudFormation and
 * IAM. moto's CloudFormation has no AWS::IAM::OIDCProvider of its own: the emulator's extension
 * (tools/emulator/extensions/iam.py) creates it through moto's IAM backend, so the provider is
 * real to IAM's API here and is asserted there.
 *
 * IAM is account-wide (one provider, role names shared by every region) while stacks are per
 * region: the tests below share one account and run in order, as an operator would (staging
 * first, then production); the dry run uses a region of its own.
 */
const HOST = 'token.actions.githubusercontent.com';
const ZONES = { staging: 'Z0000000000STAGING', production: 'Z00000000PRODUCTION' } as const;

describe('configure, github-oidc step', () => {
  const { target } = useEmulator();
  const at = (): AwsTarget => target(); // eu-west-1
  const cfn = (where: AwsTarget = at()) => awsClient(CloudFormationClient, where);
  const iam = () => awsClient(IAMClient, at());

  /** A scratch repository: the real template, and infra/github.yaml and infra/dns.yaml of its own. */
  function repository(github = { organisation: 'example-org', repository: 'iac' }, files: { dns?: boolean } = {}): string {
    const root = mkdtempSync(join(tmpdir(), 'biomage-github-oidc-'));
    mkdirSync(join(root, 'infra'));
    copyFileSync(join(repoRoot, 'infra', 'cf-github-oidc.yaml'), join(root, 'infra', 'cf-github-oidc.yaml'));
    writeFileSync(join(root, 'infra', 'github.yaml'), `organisation: ${github.organisation}\nrepository: ${github.repository}\ndefaultBranch: main\n`);
    if (files.dns !== false) {
      const entry = (env: keyof typeof ZONES, domain: string, n: number) =>
        `${env}:\n  domain: ${domain}\n  hostedZoneId: ${ZONES[env]}\n  certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-00000000000${n}\n`;
      writeFileSync(join(root, 'infra', 'dns.yaml'), entry('staging', 'staging.cellenics.example', 1) + entry('production', 'cellenics.example', 2));
    }
    return root;
  }
  const root = repository();

  async function run(env: ClusterEnvironment, options: { dryRun?: boolean; where?: AwsTarget; root?: string } = {}) {
    const where = options.where ?? at();
    const c = testContext('configure', { env, region: where.region, yes: true, dryRun: options.dryRun ?? false });
    const result = await githubOidcStep(c.ctx, env, { root: options.root ?? root, aws: where, dryRun: options.dryRun ?? false }).catch((e: unknown) => e as BiomageError);
    return { result, stderr: c.stderr() };
  }

  /**
   * The requests that reach the emulator while `body` runs, by action name: the step's clients
   * talk to a recording proxy in front of it. This is how a test sees that a change set was never
   * even created (an empty one would be deleted again and leave no trace in CloudFormation).
   */
  async function requests(where: AwsTarget, body: (through: AwsTarget) => Promise<void>): Promise<string[]> {
    const upstream = new URL(where.endpoint!);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const payload = Buffer.concat(chunks);
        const target = req.headers['x-amz-target'];
        seen.push(typeof target === 'string' ? target.slice(target.lastIndexOf('.') + 1) : (new URLSearchParams(payload.toString()).get('Action') ?? `${req.method} ${req.url}`));
        const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', (error) => res.destroy(error));
        forward.end(payload);
      });
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    try {
      await body({ ...where, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    } finally {
      await new Promise((closed) => server.close(closed));
    }
    return seen;
  }

  /** A run that finds the stack up to date: unchanged, and it only read the stack and IAM's providers. */
  async function expectUnchanged(env: ClusterEnvironment, options: { root?: string; dryRun?: boolean } = {}) {
    let outcome: Awaited<ReturnType<typeof run>> | undefined;
    const calls = await requests(at(), async (where) => {
      outcome = await run(env, { ...options, where });
    });
    expect(outcome!.result, outcome!.stderr).toMatchObject({
      result: 'unchanged',
      changed: false,
      detail: expect.stringMatching(new RegExp(`^stack biomage-github-oidc-${env}, IacRoleArn arn:aws:iam::\\d{12}:role/biomage-ci-iac-${env}$`)),
    });
    // Exactly what the IaC role may do with this stack in CI (DescribeStacks, ListOpenIDConnectProviders).
    expect(calls, `${env}${options.dryRun ? ', dry run' : ''}: the requests`).toEqual(['DescribeStacks', 'ListOpenIDConnectProviders']);
  }

  async function stack(env: ClusterEnvironment, where: AwsTarget = at()) {
    const { StackSummaries = [] } = await cfn(where).send(new ListStacksCommand({}));
    if (!StackSummaries.some((s) => s.StackName === `biomage-github-oidc-${env}` && s.StackStatus !== 'DELETE_COMPLETE')) return undefined;
    return (await cfn(where).send(new DescribeStacksCommand({ StackName: `biomage-github-oidc-${env}` }))).Stacks![0]!;
  }
  const parameter = (s: Awaited<ReturnType<typeof stack>>, key: string) => s?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
  const output = (s: Awaited<ReturnType<typeof stack>>, key: string) => s?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  const providers = async () => ((await iam().send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).map((p) => p.Arn);

  interface Statement {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, string>>;
  }
  const document = (text: string) => JSON.parse(decodeURIComponent(text)) as { Statement: Statement[] };
  const trust = async (name: string) => document((await iam().send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!).Statement;

  /**
   * What shows that CloudFormation did nothing: the stack's events, change sets, last update (moto
   * leaves LastUpdatedTime unset after a change set; AWS sets it), status and recorded hash.
   */
  async function footprint(env: ClusterEnvironment) {
    const name = `biomage-github-oidc-${env}`;
    const events = (await cfn().send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!.length;
    const changeSets = ((await cfn().send(new ListChangeSetsCommand({ StackName: name }))).Summaries ?? []).length;
    const s = await stack(env);
    return { events, changeSets, lastUpdated: s?.LastUpdatedTime?.toISOString() ?? null, status: s?.StackStatus, hash: s?.Tags?.find((t) => t.Key === HASH_TAG)?.Value };
  }

  it('bad input (no infra/dns.yaml): exit 2 before anything is read from AWS, no stack', async () => {
    const { result } = await run('staging', { root: repository(undefined, { dns: false }) });
    expect(result).toBeInstanceOf(BiomageError);
    expect((result as BiomageError).exitCode).toBe(2);
    expect((result as BiomageError).message).toBe('infra/dns.yaml is missing');
    expect(await stack('staging')).toBeUndefined();
  });

  it('the first environment in an account: creates the stack and GitHub\'s provider; the IaC role may reach only its own hosted zone', async () => {
    expect(await providers(), 'a fresh account').toEqual([]);
    const { result, stderr } = await run('staging');
    expect(result, stderr).toMatchObject({ result: 'created', changed: true });

    const created = await stack('staging');
    expect(created).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
    expect(created!.Tags?.find((t) => t.Key === HASH_TAG)?.Value).toMatch(/^[0-9a-f]{64}$/);
    expect(parameter(created, 'ExistingProviderArn') ?? '').toBe('');
    expect(parameter(created, 'HostedZoneId')).toBe(ZONES.staging);
    expect(parameter(created, 'GitHubOrganisation')).toBe('example-org');
    expect(stderr).toMatch(/biomage-github-oidc-staging {2}CREATE_COMPLETE {2}AWS::IAM::OIDCProvider {2}GitHubOidcProvider/);

    // The provider, as IAM has it (moto's CloudFormation alone would have skipped it).
    const provider = output(created, 'OidcProviderArn')!;
    expect(provider).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/);
    expect(await providers()).toEqual([provider]);
    const described = await iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider }));
    expect(described).toMatchObject({ Url: HOST, ClientIDList: ['sts.amazonaws.com'] });

    const role = (await iam().send(new GetRoleCommand({ RoleName: 'biomage-ci-iac-staging' }))).Role!;
    expect(role.Arn).toBe(output(created, 'IacRoleArn'));
    expect((result as { detail: string }).detail).toBe(`stack biomage-github-oidc-staging, IacRoleArn ${role.Arn}`);
    expect((await trust('biomage-ci-iac-staging')).map((s) => s.Principal)).toEqual([{ Federated: provider }]);

    const { PolicyNames = [] } = await iam().send(new ListRolePoliciesCommand({ RoleName: 'biomage-ci-iac-staging' }));
    expect(PolicyNames).toEqual(expect.arrayContaining(['cloudformation', 'dns']));
    const dns = document((await iam().send(new GetRolePolicyCommand({ RoleName: 'biomage-ci-iac-staging', PolicyName: 'dns' }))).PolicyDocument!).Statement;
    expect(dns).toEqual([
      {
        Sid: 'HostedZoneRecords',
        Effect: 'Allow',
        Action: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'],
        Resource: [`arn:aws:route53:::hostedzone/${ZONES.staging}`],
      },
      { Sid: 'RecordChanges', Effect: 'Allow', Action: ['route53:GetChange'], Resource: ['arn:aws:route53:::change/*'] },
      { Sid: 'FindLoadBalancer', Effect: 'Allow', Action: ['elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeTags'], Resource: '*' },
    ]);
    // What this step itself reads in CI, while the stack is unchanged.
    const cloudformation = document((await iam().send(new GetRolePolicyCommand({ RoleName: 'biomage-ci-iac-staging', PolicyName: 'cloudformation' }))).PolicyDocument!).Statement;
    expect(cloudformation.find((s) => s.Sid === 'ListOidcProviders')).toEqual({ Sid: 'ListOidcProviders', Effect: 'Allow', Action: ['iam:ListOpenIDConnectProviders'], Resource: '*' });
  });

  it('a second run is unchanged: only reads, no change set is even created', async () => {
    const before = await footprint('staging');
    expect(before).toMatchObject({ status: 'CREATE_COMPLETE', hash: expect.any(String) });

    await expectUnchanged('staging', { dryRun: true });
    await expectUnchanged('staging');
    expect(await footprint('staging')).toEqual(before);
  });

  it('production in the same account: ExistingProviderArn is the first provider, IAM still has one; staging stays unchanged', async () => {
    const [provider] = await providers();
    const { result, stderr } = await run('production');
    expect(result, stderr).toMatchObject({ result: 'created', changed: true });

    const created = await stack('production');
    expect(created).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
    expect(parameter(created, 'ExistingProviderArn')).toBe(provider);
    expect(parameter(created, 'HostedZoneId')).toBe(ZONES.production);
    expect(output(created, 'OidcProviderArn')).toBe(provider);
    expect(stderr, 'the provider is not created twice').not.toMatch(/CREATE_COMPLETE {2}AWS::IAM::OIDCProvider/);
    expect(await providers()).toEqual([provider]);
    for (const kind of ['iac', 'ecr']) expect((await trust(`biomage-ci-${kind}-production`)).map((s) => s.Principal), kind).toEqual([{ Federated: provider }]);
    const dns = document((await iam().send(new GetRolePolicyCommand({ RoleName: 'biomage-ci-iac-production', PolicyName: 'dns' }))).PolicyDocument!).Statement;
    expect(dns[0]!.Resource).toEqual([`arn:aws:route53:::hostedzone/${ZONES.production}`]);

    // The provider is the staging stack's own: staging keeps an empty ExistingProviderArn.
    const staging = await footprint('staging');
    const production = await footprint('production');
    await expectUnchanged('staging');
    await expectUnchanged('production');
    expect(await footprint('staging')).toEqual(staging);
    expect(await footprint('production')).toEqual(production);
  });

  // A changed template (an operator's deploy after a pull request). A change of a parameter that
  // the template uses only inside Fn::Sub (GitHubRepository, HostedZoneId) is not exercised here:
  // moto's change sets count only the resources that `Ref` a changed parameter, so the emulator
  // would report no changes where CloudFormation updates the roles.
  it('a changed template updates the stack (dry run first: would update, nothing changed)', async () => {
    const changed = repository();
    const file = join(changed, 'infra', 'cf-github-oidc.yaml');
    const body = readFileSync(file, 'utf8');
    expect(body).toContain('      MaxSessionDuration: 7200\n');
    writeFileSync(file, body.replace('      MaxSessionDuration: 7200\n', '      MaxSessionDuration: 3600\n'));

    const before = await footprint('staging');
    const planned = await run('staging', { root: changed, dryRun: true });
    expect(planned.result).toMatchObject({ result: 'would update', changed: true });
    expect(await footprint('staging')).toEqual(before);

    const { result, stderr } = await run('staging', { root: changed });
    expect(result, stderr).toMatchObject({ result: 'updated', changed: true });
    const after = await footprint('staging');
    expect(after.status).toBe('UPDATE_COMPLETE');
    expect(after.events, 'a change set was executed').toBeGreaterThan(before.events);
    expect(after.hash).not.toBe(before.hash);
    expect((await iam().send(new GetRoleCommand({ RoleName: 'biomage-ci-iac-staging' }))).Role!.MaxSessionDuration).toBe(3600);
    const updated = await stack('staging');
    expect(parameter(updated, 'ExistingProviderArn') ?? '', 'the provider stays the staging stack\'s').toBe('');
    expect(await providers()).toEqual([output(updated, 'OidcProviderArn')]);
    await expectUnchanged('staging', { root: changed });
  });

  it('dry run in a region without the stack: would create, and no stack is created', async () => {
    const fresh = { ...at(), region: 'eu-central-1' };
    const before = await providers();
    let outcome: Awaited<ReturnType<typeof run>> | undefined;
    const calls = await requests(fresh, async (where) => {
      outcome = await run('staging', { dryRun: true, where });
    });
    expect(outcome!.result).toMatchObject({ result: 'would create', changed: true, detail: 'stack biomage-github-oidc-staging, IacRoleArn (none yet)' });
    expect(calls, 'reads only').toEqual(['DescribeStacks', 'ListOpenIDConnectProviders']);
    const { StackSummaries = [] } = await cfn(fresh).send(new ListStacksCommand({}));
    expect(StackSummaries).toEqual([]);
    expect(await providers()).toEqual(before);
  });
});
