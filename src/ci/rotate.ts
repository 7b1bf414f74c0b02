import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { IAMClient } from '@aws-sdk/client-iam';
import { awsClient } from '../aws/clients.js';
import { cloudFormationSdk, iamSdk } from '../aws/sdk.js';
import { deployStack } from '../cf/stack-deployer.js';
import { loadTemplateRepository } from '../checks/repository.js';
import { needsConfirmation } from '../config/environments.js';
import { GITHUB_ORGANISATION, GITHUB_REPOSITORY, loadGithubConfig } from '../config/github.js';
import type { Context } from '../context.js';
import { GithubClient, githubApiUrl, githubToken } from '../github/client.js';
import { loadSealer } from '../github/sealed-box.js';
import { confirmChange } from '../ui/confirm.js';
import { UsageError } from '../ui/errors.js';
import { discoverRepositories, readCiConfigs } from './discovery.js';
import { keyRef, redactKeyIds, rotateKeys, SECRET_NAMES } from './keys.js';
import { CI_USERS_STACK } from './naming.js';
import { planRun, type Candidate, type Orphan, type RunPlan } from './plan.js';
import type { RotateCiReport } from './report.js';
import { buildUsersTemplate, readUsersStack, recordedHash, usersStackPlan, type CurrentUsersStack } from './users-stack.js';

export interface RotateCiRequest {
  /** Default: infra/github.yaml's organisation. */
  org?: string;
  /** Only these repositories (--repo); empty: every live repository of the organisation. */
  repos: string[];
  /** Repositories whose policies may grant `*` on `*`. */
  allowAdmin: string[];
  /** Delete the users (and keys) of repositories that no longer declare CI privileges. */
  prune: boolean;
  /** Tests pass clients with call counters; otherwise they are built for the target. */
  cfn?: CloudFormationClient;
  iam?: IAMClient;
  root?: string;
}

/**
 * `biomage rotate-ci`: read every repository's `.ci.yaml`, deploy the CI users stack, then rotate
 * each user's access key into its repository's Actions secrets. A repository (or the stack) that
 * failed is in the report.
 */
export async function rotateCi(ctx: Context, request: RotateCiRequest): Promise<RotateCiReport> {
  // Everything the operator typed is checked before the first call.
  const token = githubToken(ctx.processEnv);
  ctx.out.secret(token);
  const apiUrl = githubApiUrl(ctx.processEnv);
  if (request.prune && request.repos.length) {
    throw new UsageError('--prune cannot be combined with --repo', { hint: 'pruning judges every user of the stack against the whole organisation: run it without --repo' });
  }
  for (const name of [...request.repos, ...request.allowAdmin]) {
    if (!GITHUB_REPOSITORY.test(name)) throw new UsageError(`'${name}' is not a GitHub repository name`, { hint: 'letters, digits, `.`, `_` and `-`, at most 100' });
  }
  const root = request.root ?? ctx.root;
  const org = request.org ?? loadGithubConfig(root).organisation;
  if (!GITHUB_ORGANISATION.test(org)) throw new UsageError(`'${org}' is not a GitHub organisation login`, { hint: 'pass --org <login>' });

  // A wait for GitHub (rate limit, 502) can last a minute: say why the run paused.
  const github = new GithubClient({ token, baseUrl: apiUrl, retry: { onRetry: (notice) => ctx.out.warn(`GitHub ${notice.request}: ${notice.message}`) } });
  ctx.out.step(`listing the repositories of ${org}`);
  const discovery = await discoverRepositories(github, org, request.repos);
  // GitHub's repository names are case-insensitive.
  const allowAdmin = new Set(request.allowAdmin.map((name) => name.toLowerCase()));
  for (const name of request.allowAdmin) {
    if (!discovery.selected.some((r) => r.name.toLowerCase() === name.toLowerCase())) ctx.out.warn(`--allow-admin ${name}: not among the repositories of this run`);
  }
  ctx.out.step(`reading .ci.yaml of ${discovery.selected.length} repositor${discovery.selected.length === 1 ? 'y' : 'ies'}`);
  const files = await readCiConfigs(github, org, discovery.selected);

  const target = await ctx.aws();
  const cfn = request.cfn ?? awsClient(cloudFormationSdk().CloudFormationClient, target);
  const iam = request.iam ?? awsClient(iamSdk().IAMClient, target);
  try {
    const current = await readUsersStack(cfn);
    const plan = await planRun({
      org,
      files,
      ...(request.repos.length ? {} : { allRepos: discovery.all }),
      allowAdmin,
      templates: loadTemplateRepository(root),
      current,
      iam,
      prune: request.prune,
      mask: (value) => ctx.out.secret(value),
    });
    const report: RotateCiReport = {
      organisation: org,
      env: ctx.env,
      region: target.region,
      dryRun: ctx.dryRun,
      prune: request.prune,
      stack: { name: CI_USERS_STACK, action: 'none', result: 'skipped' },
      repositories: plan.reports.sort((a, b) => a.repository.localeCompare(b.repository)),
    };
    // Built now for the limits and the dry run: over a limit nothing is changed (exit 2).
    const pruned = request.prune ? plan.orphans : [];
    const stack = stackFor(org, current, plan.candidates, pruned);

    if (ctx.dryRun) {
      describeDryRun(report, plan, Boolean(current?.resources), stack.changes);
    } else if (!plan.candidates.length && !pruned.length && !stack.changes) {
      report.stack = { name: CI_USERS_STACK, action: current?.resources ? 'unchanged' : 'none', result: current?.resources ? 'ok' : 'skipped' };
    } else {
      // Show what is being confirmed before the prompt (or before the refusal, in CI).
      if (needsConfirmation(ctx.env) && !ctx.yes) for (const line of describePlan(plan.candidates, pruned)) ctx.out.info(line);
      await confirmChange(ctx, `rotate-ci of ${plan.candidates.length} repositor${plan.candidates.length === 1 ? 'y' : 'ies'}`);
      await applyPlan(ctx, { github, cfn, iam, org, current, plan, pruned, local: target.local, report });
    }
    return report;
  } finally {
    if (!request.cfn) cfn.destroy();
    if (!request.iam) iam.destroy();
  }
}

interface Apply {
  github: GithubClient;
  cfn: CloudFormationClient;
  iam: IAMClient;
  org: string;
  current: CurrentUsersStack | undefined;
  plan: RunPlan;
  pruned: Orphan[];
  local: boolean;
  report: RotateCiReport;
}

/** Prune's key deletions, the stack, then the keys: a failed stack rotates nothing. */
async function applyPlan(ctx: Context, input: Apply): Promise<void> {
  const { plan, report } = input;
  // CloudFormation cannot delete a user that has access keys: they go first.
  const prunable = await deleteOrphanKeys(input.iam, input.pruned, ctx);
  const stack = stackFor(input.org, input.current, plan.candidates, prunable);
  report.stack = await deploy(ctx, input.cfn, stack.plan, input.current, input.local, stack.changes);
  if (report.stack.result === 'failed') {
    const failure = `not applied: stack ${CI_USERS_STACK} failed (${report.stack.error?.message ?? 'see above'})`;
    for (const c of plan.candidates) {
      c.report.result = 'failed';
      c.report.errors.push({ message: failure, hint: 'fix the stack problem, then rerun; no key was rotated' });
    }
    for (const o of prunable) {
      o.report.result = 'failed';
      o.report.errors.push({ message: `${failure}; its keys were already deleted`, hint: 'fix the stack problem, then rerun with --prune' });
    }
    return;
  }
  for (const orphan of prunable) orphan.report.result = 'pruned';
  for (const c of plan.candidates) c.report.policiesApplied = c.report.policies === 'create' || c.report.policies === 'update';
  await rotateAll(ctx, input.github, input.iam, input.org, plan.candidates);
}

/** The next template: the current one, the candidates' users set, the pruned users removed. */
function stackFor(org: string, current: CurrentUsersStack | undefined, candidates: Candidate[], pruned: Orphan[]) {
  const resources: Record<string, unknown> = { ...(current?.resources ?? {}) };
  for (const c of candidates) resources[c.logicalId] = c.resource;
  for (const o of pruned) delete resources[o.logicalId];
  const { body, template } = buildUsersTemplate(org, resources);
  const plan = usersStackPlan(body, template);
  const exists = Boolean(current?.resources);
  // No stack and no user to put in it: nothing to deploy (CloudFormation wants one resource).
  const changes = exists ? recordedHash(current?.stack) !== plan.hash : Object.keys(resources).length > 0;
  return { plan, hash: plan.hash, changes };
}

function describeDryRun(report: RotateCiReport, plan: RunPlan, exists: boolean, changes: boolean): void {
  report.stack = { name: CI_USERS_STACK, action: changes ? (exists ? 'update' : 'create') : exists ? 'unchanged' : 'none', result: 'planned' };
  for (const c of plan.candidates) {
    c.report.result = 'planned';
    c.report.secretsUpdated = [SECRET_NAMES.id, SECRET_NAMES.secret];
    if (c.keys.removeFirst) c.report.deletedKeys.push({ ...keyRef(c.keys.removeFirst), why: 'inactive-at-limit' });
    for (const old of c.keys.older) c.report.deletedKeys.push({ ...keyRef(old), why: 'replaced' });
  }
  for (const o of plan.orphans) if (report.prune) o.report.result = 'planned';
}

/** One line per repository that will change, for the production prompt. */
function describePlan(candidates: Candidate[], pruned: Orphan[]): string[] {
  return [
    ...candidates.map((c) => {
      const { added, updated, removed } = c.report.policyChanges;
      const policies = c.report.policies === 'create' ? 'new user' : c.report.policies === 'update' ? `policies +${added.length} ~${updated.length} -${removed.length}` : 'policies unchanged';
      return `${c.repo}: ${policies}; key rotated${c.keys.removeFirst ? ' (the inactive key deleted first)' : ''}`;
    }),
    ...pruned.map((o) => `${o.repo}: ${o.user} and its ${o.keys.length} key(s) deleted (--prune)`),
  ];
}

/** Deletes the keys of the users --prune removes; a user whose keys could not all go stays (failed). */
async function deleteOrphanKeys(iam: IAMClient, orphans: Orphan[], ctx: Context): Promise<Orphan[]> {
  const { DeleteAccessKeyCommand } = iamSdk();
  const removable: Orphan[] = [];
  for (const orphan of orphans) {
    ctx.out.step(`${orphan.repo}: deleting the ${orphan.keys.length} key(s) of ${orphan.user} (--prune)`);
    try {
      for (const key of orphan.keys) await iam.send(new DeleteAccessKeyCommand({ UserName: orphan.user, AccessKeyId: key.id }));
      removable.push(orphan);
    } catch (error) {
      orphan.report.result = 'failed';
      orphan.report.errors.push({ message: `deleting the keys of ${orphan.user} failed: ${redactKeyIds((error as Error).message)}; the user stays`, hint: 'rerun with --prune' });
    }
  }
  return removable;
}

async function deploy(
  ctx: Context,
  cfn: CloudFormationClient,
  plan: ReturnType<typeof usersStackPlan>,
  current: CurrentUsersStack | undefined,
  local: boolean,
  changes: boolean,
): Promise<RotateCiReport['stack']> {
  if (!changes) return { name: CI_USERS_STACK, action: current?.resources ? 'unchanged' : 'none', result: current?.resources ? 'ok' : 'skipped' };
  const progress = ctx.out.liveStatus();
  progress.set(CI_USERS_STACK, 'starting');
  const outcome = await deployStack(cfn, plan, current?.stack, {
    env: ctx.env,
    dryRun: false,
    force: false,
    pollMs: local ? 50 : 3_000,
    hooks: {
      status: (stack, message) => progress.set(stack, message),
      event: (stack, e) =>
        progress.log(`  ${stack}  ${e.ResourceStatus ?? ''}  ${e.ResourceType ?? ''}  ${e.LogicalResourceId ?? ''}${e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : ''}`),
    },
  });
  progress.set(CI_USERS_STACK, `${outcome.action}: ${outcome.result} (${(outcome.durationMs / 1000).toFixed(1)}s)`);
  progress.finish();
  return {
    name: CI_USERS_STACK,
    action: outcome.action,
    result: outcome.result === 'failed' ? 'failed' : 'ok',
    ...(outcome.changes ? { changes: outcome.changes } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

/** One repository after the other; a failure is that repository's result, and the next one goes on. */
async function rotateAll(ctx: Context, github: GithubClient, iam: IAMClient, org: string, candidates: Candidate[]): Promise<void> {
  if (!candidates.length) return;
  const sealer = await loadSealer();
  for (const c of candidates) {
    const outcome = await rotateKeys({
      iam,
      github,
      sealer,
      org,
      repo: c.repo,
      user: c.user,
      plan: c.keys,
      mask: (value) => ctx.out.secret(value),
      progress: (message) => ctx.out.step(`${c.repo}: ${message}`),
    });
    c.report.keyRotated = outcome.rotated;
    c.report.newKey = outcome.newKey ?? null;
    c.report.deletedKeys.push(...outcome.deleted);
    c.report.secretsUpdated = outcome.secretsUpdated;
    c.report.errors.push(...outcome.errors);
    if (outcome.errors.length) c.report.result = 'failed';
  }
}
