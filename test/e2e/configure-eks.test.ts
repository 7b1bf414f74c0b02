import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { EC2Client, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { parse, stringify } from 'yaml';
import { awsClient } from '../../src/aws/clients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTarget } from '../../src/configure/cluster-target.js';
import { configureCluster } from '../../src/configure/index.js';
import { StepFailedError } from '../../src/configure/steps.js';
import { installRoot as repoRoot } from '../../src/paths.js';
import type { BiomageError } from '../../src/ui/errors.js';
import { testContext } from '../helpers/context.js';
import { seedCluster } from '../helpers/eks-cluster.js';
import { useEmulator } from '../helpers/emulator.js';
import { startFakeGithub, type FakeGithub } from '../helpers/github-server.js';
import { startLocalCluster, type LocalCluster } from './helpers/local-cluster.js';

const FIXTURES = join(repoRoot, 'test', 'fixtures');

/**
 * configure --env staging, with the local cluster standing in for EKS (a kubeconfig context
 * biomage-staging pointing at it), the emulator for AWS (the cluster biomage-staging, its VPC), a
 * local server for GitHub's deploy-key endpoints, and recording fakes for the two steps that need
 * the internet (the load balancer controller chart download, `flux install`). GitHub's SSH endpoint
 * is out of reach here, so the run stops at flux-sync, which is the failure path to test: the step
 * is named, the steps before it stand, and a rerun resumes with them unchanged.
 */
describe('configure on an EKS cluster (local cluster as the API server, fakes for the internet)', () => {
  const aws = useEmulator();
  let cluster: LocalCluster;
  let github: FakeGithub;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  const helmLog = () => readLines(join(scratch, 'helm.log'));
  const fluxLog = () => readLines(join(scratch, 'flux.log'));

  beforeAll(async () => {
    cluster = await startLocalCluster();
    github = await startFakeGithub({ org: 'hms-dbmi-cellenics', repos: [{ name: 'iac' }] });
    scratch = mkdtempSync(join(tmpdir(), 'biomage-e2e-eks-'));
    // The real toolchain, except helm and flux: their recording fakes, which delegate to the real helm.
    const tools = join(scratch, 'tools');
    mkdirSync(join(tools, 'bin'), { recursive: true });
    for (const binary of readdirSync(join(repoRoot, '.tools', 'bin'))) {
      if (binary !== 'helm') symlinkSync(join(repoRoot, '.tools', 'bin', binary), join(tools, 'bin', binary));
    }
    symlinkSync(join(FIXTURES, 'fake-helm-repo', 'helm'), join(tools, 'bin', 'helm'));
    symlinkSync(join(FIXTURES, 'fake-flux', 'flux'), join(tools, 'bin', 'flux'));
    // The kubeconfig `biomage kubeconfig --env staging` would write, here for the local cluster.
    const kubeconfig = parse(readFileSync(cluster.record.kubeconfig, 'utf8')) as { contexts: { name: string }[]; 'current-context': string };
    kubeconfig.contexts[0]!.name = 'biomage-staging';
    kubeconfig['current-context'] = 'biomage-staging';
    writeFileSync(join(scratch, 'kubeconfig'), stringify(kubeconfig));
    env = {
      ...cluster.env,
      BIOMAGE_TOOLS_DIR: tools,
      KUBECONFIG: join(scratch, 'kubeconfig'),
      FAKE_HELM_REAL: join(repoRoot, '.tools', 'bin', 'helm'),
      FAKE_HELM_LOG: join(scratch, 'helm.log'),
      FAKE_FLUX_LOG: join(scratch, 'flux.log'),
      GITHUB_API_URL: github.url,
      GITHUB_TOKEN: github.token,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    };
    await seedCluster(aws.target());
    // The load balancer the controller makes for the ingress group biomage-staging, and the zone of the domain.
    const at = aws.target();
    const ec2 = awsClient(EC2Client, at);
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const subnets = await Promise.all(
      ['a', 'b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `${at.region}${zone}` }))).Subnet!.SubnetId!),
    );
    await awsClient(ElasticLoadBalancingV2Client, at).send(
      new CreateLoadBalancerCommand({
        Name: 'k8s-biomagestaging-0123456789',
        Subnets: subnets,
        Type: 'application',
        Tags: [
          { Key: 'elbv2.k8s.aws/cluster', Value: 'biomage-staging' },
          { Key: 'ingress.k8s.aws/stack', Value: 'biomage-staging' },
        ],
      }),
    );
    const { HostedZone } = await awsClient(Route53Client, at).send(new CreateHostedZoneCommand({ Name: 'cellenics.example', CallerReference: `e2e-${Date.now()}` }));
    const dns = parse(readFileSync(join(cluster.repo, 'infra', 'dns.yaml'), 'utf8')) as Record<string, { hostedZoneId: string; certificateArn: string }>;
    dns.staging!.hostedZoneId = HostedZone!.Id!.replace('/hostedzone/', '');
    dns.staging!.certificateArn = dns.staging!.certificateArn.replace(/:acm:[^:]+:/, `:acm:${at.region}:`);
    writeFileSync(join(cluster.repo, 'infra', 'dns.yaml'), stringify(dns));
    // eksctl creates the controller's service account (with its IRSA role) with the cluster.
    await cluster.kc.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: 'kube-system', body: { metadata: { name: 'aws-load-balancer-controller' } } });
  });
  // Assigned in beforeAll, which may have failed before that.
  afterAll(async () => {
    await (github as FakeGithub | undefined)?.close();
    await (cluster as LocalCluster | undefined)?.down();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function configure(options: { dryRun?: boolean } = {}) {
    const c = testContext('configure', { env: 'staging', yes: true, dryRun: options.dryRun ?? false }, env);
    const target = clusterTarget('staging', env, () => c.ctx.stateDir);
    const error = await configureCluster(c.ctx, target, cluster.repo, { timeoutMs: 60_000, takeOverDns: false, rotateDeployKey: false, aws: aws.target() }).then(
      () => undefined,
      (e: unknown) => e as BiomageError,
    );
    return { error, stderr: c.stderr() };
  }

  it('--dry-run reports what each step would do, DNS included, and changes nothing', async () => {
    const { error, stderr } = await configure({ dryRun: true });
    expect(error, stderr).toBeUndefined();
    expect(stderr).toMatch(/github-oidc: would create/);
    expect(stderr).toMatch(/ingress: would install/);
    expect(stderr).toMatch(/flux: would install/);
    expect(stderr).toMatch(/deploy-key: would-create/);
    expect(stderr).toMatch(/dns: would create/);
    expect(helmLog()).toEqual([]);
    expect(fluxLog()).toEqual([]);
    expect(github.deployKeys('iac')).toEqual([]);
  });

  it('installs the controller and Flux, registers the deploy key, then stops at flux-sync naming it (GitHub unreachable), earlier steps kept', async () => {
    const { error, stderr } = await configure();
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as StepFailedError).step, error?.message).toBe('flux-sync');
    expect(error!.exitCode).toBe(1);
    expect(error!.message).toMatch(/^configure stopped at step flux-sync: Flux reports GitRepository flux-system\/flux-system \(ssh:\/\/git@github\.com\/hms-dbmi-cellenics\/iac\.git\) not ready/);
    expect(error!.hint).toContain('the steps before it (github-oidc, ingress, flux, deploy-key) are done and stay in place');
    expect(stderr).toMatch(/ingress: installed/);

    // The chart download was the fake's; the arguments are what the real helm would get.
    const [install] = helmLog();
    expect(install?.slice(0, 4)).toEqual(['upgrade', '--install', 'aws-load-balancer-controller', 'aws-load-balancer-controller']);
    expect(install).toEqual(expect.arrayContaining(['--repo', 'https://aws.github.io/eks-charts', '--version', '1.15.0', '--namespace', 'kube-system', '--kube-context', 'biomage-staging', '--wait', '--atomic']));
    const deployment = await cluster.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'kube-system', name: 'aws-load-balancer-controller' });
    const args = deployment.spec!.template.spec!.containers[0]!.args!;
    expect(args).toContain('--cluster-name=biomage-staging');
    expect(args.find((a) => a.startsWith('--aws-vpc-id='))).toMatch(/^--aws-vpc-id=vpc-[0-9a-f]{17}$/);
    expect(deployment.spec!.template.spec!.serviceAccountName).toBe('aws-load-balancer-controller');

    expect(fluxLog()).toEqual([expect.arrayContaining(['install', '--version=v2.9.5', '--components=source-controller,kustomize-controller,helm-controller', '--context=biomage-staging'])]);
    const keys = github.deployKeys('iac');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ read_only: false, title: expect.stringMatching(/^biomage-flux-staging /) });
  });

  it('a rerun resumes: the finished steps report unchanged (no helm, no flux install, no new key) and it stops at the same step', async () => {
    const { error, stderr } = await configure();
    expect((error as StepFailedError).step, error?.message).toBe('flux-sync');
    expect(stderr.split('\n').find((l) => l.includes('ingress:'))).toMatch(/ingress: unchanged/);
    expect(stderr).toMatch(/github-oidc: unchanged/);
    expect(stderr).toMatch(/flux: present/);
    expect(stderr).toMatch(/deploy-key: unchanged/);
    expect(helmLog()).toHaveLength(1);
    expect(fluxLog()).toHaveLength(1);
    expect(github.deployKeys('iac')).toHaveLength(1);
  });
});

function readLines(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[]);
  } catch {
    return [];
  }
}
