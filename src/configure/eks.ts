import type { Context } from '../context.js';
import { accessStep } from '../access/apply.js';
import { awsClient } from '../aws/clients.js';
import type { AwsTarget } from '../aws/target.js';
import { requireCallerIdentity } from '../aws/identity.js';
import { eksSdk } from '../aws/sdk.js';
import { describeCluster } from '../cluster/live.js';
import type { ClusterEnvironment } from '../infra/cluster-config.js';
import { loadGithubConfig } from '../config/github.js';
import { GithubClient, githubApiUrl, githubToken } from '../github/client.js';
import { loadKubeConfig } from '../k8s/client.js';
import { githubSource } from '../releases/flux-sync.js';
import { UsageError } from '../ui/errors.js';
import type { ClusterTarget } from './cluster-target.js';
import { ensureDeployKey } from './deploy-key.js';
import { fluxStep } from './flux-install.js';
import { fluxSyncStep } from './flux-sync.js';
import { githubOidcStep } from './github-oidc.js';
import { ingressStep } from './ingress.js';
import type { ConfigureReport } from './local.js';
import { readOnlyGroupStep } from './read-only-group.js';
import { runSteps, type Step } from './steps.js';

export interface EksConfigureOptions {
  timeoutMs: number;
  /** Where AWS is; default ctx.aws(). */
  aws?: AwsTarget;
  /** Let the DNS step move records that alias another deployment's load balancer (a planned cut-over). */
  takeOverDns: boolean;
  /** Replace Flux's deploy key even though the current one works. */
  rotateDeployKey: boolean;
}

/**
 * configure on an EKS cluster (staging, production): the load balancer controller, Flux
 * (installed if absent, its deploy key, the sync of releases/<env>), the read-only group, the
 * access lists, and DNS. What every step needs is checked first (the AWS identity, the cluster and its
 * kubeconfig context, the GitHub token), so bad input changes nothing.
 */
export async function configureEks(ctx: Context, target: ClusterTarget, root: string, options: EksConfigureOptions): Promise<ConfigureReport> {
  const env = target.env as ClusterEnvironment;
  const cluster = `biomage-${env}`;
  const aws = options.aws ?? (await ctx.aws());
  await requireCallerIdentity(aws);
  const eks = awsClient(eksSdk().EKSClient, aws);
  const live = await describeCluster(eks, cluster).finally(() => eks.destroy());
  if (!live.exists || !live.vpcId) {
    throw new UsageError(`cluster ${cluster} does not exist in ${aws.region}, so there is nothing to configure`, {
      hint: `create it first: biomage deploy-infra --env ${env} --action deploy-and-configure`,
    });
  }
  const kc = await loadKubeConfig(target.kubeconfig, target.context).catch(() => undefined);
  if (!target.context || !kc?.getContextObject(target.context)) {
    throw new UsageError(`the kubeconfig ${target.kubeconfig} has no context ${target.context}`, {
      hint: `write it with: biomage kubeconfig --env ${env}`,
    });
  }
  const github = loadGithubConfig(root);
  const client = new GithubClient({
    token: githubToken(ctx.processEnv),
    baseUrl: githubApiUrl(ctx.processEnv),
    // A wait for GitHub (rate limit, 502) can last a minute: say why the step paused.
    retry: { onRetry: (notice) => ctx.out.warn(`GitHub ${notice.request}: ${notice.message}`) },
  });
  const { timeoutMs } = options;
  const vpcId = live.vpcId;

  const steps: Step[] = [
    { name: 'github-oidc', run: () => githubOidcStep(ctx, env, { root, aws, dryRun: ctx.dryRun }) },
    { name: 'ingress', run: () => ingressStep(target, { cluster, region: aws.region, vpcId }, timeoutMs, ctx.dryRun, ctx.processEnv) },
    { name: 'flux', run: () => fluxStep(kc, target, timeoutMs, ctx.dryRun, ctx.processEnv) },
    {
      name: 'deploy-key',
      async run() {
        const key = await ensureDeployKey({ kc, github: client, owner: github.organisation, repo: github.repository, env, rotate: options.rotateDeployKey, dryRun: ctx.dryRun });
        const removed = key.removed.length ? `, ${key.removed.length} older key(s) of ${env} removed` : '';
        return { result: key.action, changed: key.action !== 'unchanged' || key.removed.length > 0, detail: `${github.organisation}/${github.repository}${key.keyId ? ` key ${key.keyId}` : ''}${removed}` };
      },
    },
    { name: 'flux-sync', run: () => fluxSyncStep(kc, env, githubSource(github), timeoutMs, ctx.dryRun) },
    { name: 'read-only-group', run: () => readOnlyGroupStep(target, root, timeoutMs, ctx.dryRun, ctx.processEnv) },
    { name: 'access', run: () => accessStep(ctx, target, root, aws) },
    // Last: the load balancer exists only once Flux has applied a release with an Ingress of the
    // environment's group, and a refusal of the DNS guard (exit 2) then leaves every other step done.
    {
      name: 'dns',
      async run() {
        const { configureDns } = await import('../dns/index.js');
        // configure confirmed the whole run already (production asks once).
        const dns = await configureDns(ctx, env, { takeOver: options.takeOverDns, root, target: aws, confirm: () => Promise.resolve(undefined) });
        return { result: dns.step.result, changed: !/^unchanged$/.test(dns.step.result), detail: dns.step.detail };
      },
    },
  ];
  const reports = await runSteps(ctx, steps);
  return { cluster: target.label, steps: reports, changes: reports.filter((r) => r.changed).length };
}
