import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Context } from '../context.js';
import type { DriftRequest } from '../drift/run.js';
import type { Runner } from './runner.js';

interface DriftOptions {
  only?: 'stacks' | 'cluster';
  concurrency: number;
}

export function registerDrift(program: Command, runner: Runner): void {
  program
    .command('drift')
    .description('what differs between the code and what runs in <env>: stacks against cf/, the cluster against infra/ and releases/; changes nothing')
    .argument('[templates...]', 'templates under cf/ whose stacks to compare (default: all of cf/, and stacks no template makes)')
    .addOption(new Option('--only <part>', 'compare only the stacks, or only the cluster (default: both)').choices(['stacks', 'cluster']))
    .addOption(
      new Option('--concurrency <n>', 'drift detections run at once').default(4).argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('must be a whole number from 1 to 16');
        return n;
      }),
    )
    .addHelpText(
      'after',
      `
Stacks: CloudFormation drift detection on each stack biomage-<template>-<env> of cf/, then each
MODIFIED or DELETED resource with each differing property: its path, the template's value, the
running value. A value that comes from a NoEcho parameter or a {{resolve:secretsmanager:…}} or
{{resolve:ssm-secure:…}} reference, or a secret-valued property (SecretString, MasterUserPassword,
Password, AuthToken…), is shown as ****. Also reported, each as its own kind: a template (or its
cf/parameters.yaml values) changed since its stack was deployed ("not deployed yet", not drift),
a template with no stack, and (with no template named) a biomage-*-<env> stack no template makes.
With no template named, the environment's stacks configure deploys from infra/ (DNS, CI roles) are
detected for drift too.
--env development compares the twin (the emulator biomage dev up started).

Cluster, when the kubeconfig has the context biomage-<env> (biomage kubeconfig writes it; for
development, the local cluster of biomage dev cluster up): node groups and the Kubernetes version
against infra/cluster.yaml (biomage plan's comparison), aws-auth or EKS access entries (as the
cluster's authentication mode requires) against the access lists (biomage access plan's), and
Flux: the Kustomization applied the branch head, each HelmRelease of releases/<env>/ is Ready
with git's spec. Without a context the cluster is skipped, and
--only cluster exits 2.

Only reads: CloudFormation DescribeStacks, DetectStackDrift, DescribeStackDriftDetectionStatus,
DescribeStackResourceDrifts, GetTemplate (stacks behind the code); EKS DescribeCluster (IRSA
templates' OIDC provider, the cluster), ListNodegroups/DescribeNodegroup, ListAccessEntries/
DescribeAccessEntry/ListAssociatedAccessPolicies, EC2 DescribeLaunchTemplateVersions, CloudFormation ListStacks, IAM ListOpenIDConnectProviders, STS
GetCallerIdentity; IAM GetUser/GetRole for bare names in the access lists; Kubernetes reads of
aws-auth and Flux's objects. DetectStackDrift records a detection on the stack; nothing is changed.
Exit 0: no drift (what is only not deployed yet included); 3: something drifted (--json lists every difference: kind, stack, logical id,
type, property path, expected, actual); 1: a stack or cluster part could not be checked.`,
    )
    .action(
      runner.action<DriftOptions, [string[]]>(async (ctx, options, templates) =>
        driftCommand(ctx, { paths: templates, scope: options.only ? [options.only] : ['stacks', 'cluster'], concurrency: options.concurrency }),
      ),
    );
}

/** Compare, then show the report: exit 3 on drift, 1 when something could not be checked. */
export async function driftCommand(ctx: Context, request: DriftRequest): Promise<number> {
  const [{ runDrift }, { driftExitCode, renderDriftReport }] = await Promise.all([import('../drift/run.js'), import('../drift/report.js')]);
  const report = await runDrift(ctx, request);
  const exitCode = driftExitCode(report);
  ctx.out.result(ctx.command, report, renderDriftReport, exitCode);
  return exitCode;
}
