import type { IAMClient } from '@aws-sdk/client-iam';
import type { Repository } from '../checks/context.js';
import type { CiPolicy } from '../config/ci-config.js';
import type { GithubRepository } from '../github/client.js';
import { UsageError } from '../ui/errors.js';
import type { ConfigFile } from './discovery.js';
import { keyRef, listKeys, planKeys, redactKeyIds, type AccessKeyInfo, type KeyPlan } from './keys.js';
import { ciUserName, userLogicalId } from './naming.js';
import { emptyRepositoryReport, type RepositoryReport } from './report.js';
import { reviewCiConfig } from './review.js';
import { isUnchanged, policyDiff, userResource, type CurrentUsersStack, type UserResource } from './users-stack.js';

/**
 * Everything rotate-ci decides from reads alone (GitHub, the stack, the users' keys), before it
 * changes anything: which users the stack defines, which repositories rotate, which fail and why.
 */

/** A repository whose user will be deployed and whose key will rotate. */
export interface Candidate {
  repo: string;
  user: string;
  logicalId: string;
  resource: UserResource;
  keys: Extract<KeyPlan, { ok: true }>;
  report: RepositoryReport;
}

/** A user of the stack whose repository no longer declares CI privileges. */
export interface Orphan {
  repo: string;
  user: string;
  logicalId: string;
  keys: AccessKeyInfo[];
  report: RepositoryReport;
}

export interface RunPlan {
  reports: RepositoryReport[];
  candidates: Candidate[];
  orphans: Orphan[];
}

export interface PlanInput {
  org: string;
  files: ConfigFile[];
  /** Every repository of the organisation; undefined with --repo (no orphans are judged then). */
  allRepos?: GithubRepository[];
  /** Repositories (lower-case names) whose policies may grant `*` on `*`. */
  allowAdmin: ReadonlySet<string>;
  templates: Repository;
  current: CurrentUsersStack | undefined;
  iam: IAMClient;
  prune: boolean;
  mask(value: string): void;
}

export async function planRun(input: PlanInput): Promise<RunPlan> {
  const { org, current } = input;
  if (current?.organisation && current.organisation !== org) {
    throw new UsageError(`stack biomage-ci-users holds the CI users of ${current.organisation}, not ${org}`, {
      hint: `run with --org ${current.organisation} (the default comes from infra/github.yaml); nothing was changed`,
    });
  }
  const reports: RepositoryReport[] = [];
  const candidates: Candidate[] = [];

  for (const found of input.files) {
    const repo = found.repo.name;
    const report = emptyRepositoryReport(repo);
    reports.push(report);
    if (found.file === undefined) {
      if (found.error) fail(report, `reading .ci.yaml failed: ${found.error.message}`, (found.error as { hint?: string }).hint);
      else {
        report.result = 'skipped';
        report.notes.push(`no .ci.yaml or .ci.yml on ${found.repo.defaultBranch}`);
      }
      continue;
    }
    report.file = found.file;
    const review = reviewCiConfig({
      repo,
      file: `${org}/${repo}/${found.file}`,
      text: found.text,
      allowAdmin: input.allowAdmin.has(repo.toLowerCase()),
      templates: input.templates,
    });
    if (!review.ok) {
      for (const problem of review.problems) fail(report, problem);
      const last = report.errors.at(-1);
      if (!last) throw new Error('internal: a failed review has at least one problem');
      last.hint = review.hint;
      continue;
    }
    report.notes.push(...review.warnings);
    const candidate = await planCandidate(input, repo, review.policies, report);
    if (candidate) candidates.push(candidate);
  }

  const orphans = input.allRepos ? await findOrphans(input, input.allRepos, reports) : [];
  return { reports, candidates, orphans };
}

async function planCandidate(input: PlanInput, repo: string, policies: CiPolicy[], report: RepositoryReport): Promise<Candidate | undefined> {
  const user = ciUserName(repo);
  const logicalId = userLogicalId(repo);
  report.user = user;
  const existing = input.current?.users.get(repo);
  if (existing && existing.logicalId !== logicalId) {
    fail(report, `${user} is defined in biomage-ci-users as ${existing.logicalId}, not ${logicalId}: another tool wrote it`, 'see docs/runbooks/rotate-ci.md (a stack from another tool)');
    return undefined;
  }
  let keys: AccessKeyInfo[] | undefined;
  let plan: KeyPlan;
  try {
    keys = await listKeys(input.iam, user);
    for (const key of keys ?? []) input.mask(key.id);
    plan = await planKeys(input.iam, user, keys ?? []);
  } catch (error) {
    fail(report, `reading the access keys of ${user} failed: ${redactKeyIds((error as Error).message)}`);
    return undefined;
  }
  // CloudFormation cannot create a user whose name is taken: the whole stack would roll back.
  if (keys && !existing) {
    fail(report, `IAM user ${user} exists but is not part of biomage-ci-users: the stack cannot create it`, 'see docs/runbooks/rotate-ci.md (a user made outside the stack)');
    return undefined;
  }
  if (!plan.ok) {
    fail(report, plan.message, plan.hint);
    return undefined;
  }
  const resource = userResource(repo, policies);
  report.policyChanges = policyDiff(existing?.resource, resource);
  report.policies = !existing ? 'create' : isUnchanged(report.policyChanges) ? 'unchanged' : 'update';
  return { repo, user, logicalId, resource, keys: plan, report };
}

/**
 * Users of the stack whose repository is archived, gone, or declares no .ci.yaml: kept (and
 * reported), or with --prune deleted. A repository whose .ci.yaml could not be read or is invalid
 * is not an orphan: its user stays as it is.
 */
async function findOrphans(input: PlanInput, allRepos: GithubRepository[], reports: RepositoryReport[]): Promise<Orphan[]> {
  const byName = new Map(allRepos.map((r) => [r.name, r]));
  const reportOf = new Map(reports.map((r) => [r.repository, r]));
  const orphans: Orphan[] = [];
  for (const [repo, { logicalId }] of input.current?.users ?? []) {
    const github = byName.get(repo);
    const seen = reportOf.get(repo);
    const why = !github ? `${input.org} has no repository ${repo} any more` : github.archived ? `${repo} is archived` : seen?.result === 'skipped' ? `${repo} declares no .ci.yaml any more` : undefined;
    if (!why) continue;
    const report = seen ?? emptyRepositoryReport(repo);
    if (!seen) reports.push(report);
    const user = ciUserName(repo);
    report.user = user;
    report.notes.length = 0;
    let keys: AccessKeyInfo[];
    try {
      keys = (await listKeys(input.iam, user)) ?? [];
      for (const key of keys) input.mask(key.id);
    } catch (error) {
      fail(report, `reading the access keys of ${user} failed: ${redactKeyIds((error as Error).message)}`);
      continue;
    }
    if (input.prune) {
      report.policies = 'remove';
      report.deletedKeys = keys.map((k) => ({ ...keyRef(k), why: 'pruned' }));
      report.notes.push(`${why}: ${user} and its ${keys.length} key(s) are removed (--prune)`);
    } else {
      report.result = 'kept';
      report.notes.push(`${why}: ${user} and its ${keys.length} key(s) are kept; rerun with --prune to remove them`);
    }
    orphans.push({ repo, user, logicalId, keys, report });
  }
  return orphans;
}

function fail(report: RepositoryReport, message: string, hint?: string): void {
  report.result = 'failed';
  report.errors.push({ message, ...(hint ? { hint } : {}) });
}
