import type { ECRClient, Repository } from '@aws-sdk/client-ecr';
import { awsClient } from '../aws/clients.js';
import { ecrSdk } from '../aws/sdk.js';
import { needsConfirmation } from '../config/environments.js';
import type { Context } from '../context.js';
import { confirmChange } from '../ui/confirm.js';
import { OperationError } from '../ui/errors.js';
import { renderTable, repositoriesOutcome } from '../ui/output.js';
import type { Paint } from '../ui/style.js';
import { isPlatformLifecyclePolicy, LIFECYCLE_POLICY_SUMMARY, LIFECYCLE_POLICY_TEXT } from './lifecycle-policy.js';
import { checkRepositoryNames } from './repository-name.js';
import { mapLimit } from '../map-limit.js';

/**
 * Every ECR action `ecr ensure` calls, and no other: CI's IAM policy grants exactly these
 * (docs/runbooks/ecr.md). Repositories are created without tags, so ecr:TagResource is not needed.
 *   DescribeRepositories             read a repository's settings (not found: create it)
 *   CreateRepository                 create it with the settings below
 *   GetLifecyclePolicy               read its lifecycle policy (not found: none)
 *   PutLifecyclePolicy               set the platform's lifecycle policy
 *   PutImageTagMutability            converge tag mutability
 *   PutImageScanningConfiguration    converge scan on push
 */
export const ECR_ACTIONS = [
  'ecr:DescribeRepositories',
  'ecr:CreateRepository',
  'ecr:GetLifecyclePolicy',
  'ecr:PutLifecyclePolicy',
  'ecr:PutImageTagMutability',
  'ecr:PutImageScanningConfiguration',
] as const;

/** The settings every platform repository has. */
export const DESIRED_SETTINGS = {
  // A tag names one image forever: what was tested under a tag is what a release (or a
  // rollback to it) deploys, and CI cannot overwrite a released tag by accident.
  imageTagMutability: 'IMMUTABLE',
  // Basic scanning on every push: known CVEs show up before a release, at no cost.
  scanOnPush: true,
  // ECR-managed keys: no KMS key to own, rotate, or grant to every node that pulls. ECR fixes
  // encryption at creation, so an existing repository that differs is reported, not changed.
  encryptionType: 'AES256',
} as const;

/** Repositories read and converged at once: ECR's per-account API rates are low. */
const CONCURRENCY = 4;

export type Setting = 'imageTagMutability' | 'scanOnPush' | 'encryption' | 'lifecyclePolicy';

/** One setting set on creation or converged: `from` is null when there was none. */
export interface SettingChange {
  setting: Setting;
  from: string | boolean | null;
  to: string | boolean;
}

/** What ECR holds for an existing repository. */
export interface CurrentRepository {
  uri: string;
  imageTagMutability?: string;
  scanOnPush?: boolean;
  encryptionType?: string;
  kmsKey?: string;
  /** GetLifecyclePolicy's text; undefined when the repository has none. */
  lifecyclePolicyText?: string;
}

export type EnsureAction = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update' | 'failed';

export interface RepositoryResult {
  name: string;
  /** Unknown (null) until the repository exists: it holds the account id. */
  uri: string | null;
  action: EnsureAction;
  /** The settings changed (or, under --dry-run, that would be); on failure, those applied before it. */
  changes: SettingChange[];
  /** Differences biomage does not change (encryption). */
  warnings: string[];
  error?: { message: string; hint?: string };
}

export interface EcrEnsureReport {
  env: string;
  region: string;
  dryRun: boolean;
  repositories: RepositoryResult[];
}

export interface EcrEnsureRequest {
  names: string[];
  /** Tests pass a client with a call counter; otherwise one is built for the target. */
  ecr?: ECRClient;
}

/** What a repository needs: every setting when it is missing, else only what differs. */
export function planChanges(current: CurrentRepository | undefined): { changes: SettingChange[]; warnings: string[] } {
  const desired = DESIRED_SETTINGS;
  if (!current) {
    return {
      changes: [
        { setting: 'imageTagMutability', from: null, to: desired.imageTagMutability },
        { setting: 'scanOnPush', from: null, to: desired.scanOnPush },
        { setting: 'encryption', from: null, to: desired.encryptionType },
        { setting: 'lifecyclePolicy', from: null, to: LIFECYCLE_POLICY_SUMMARY },
      ],
      warnings: [],
    };
  }
  const changes: SettingChange[] = [];
  const warnings: string[] = [];
  if (current.imageTagMutability !== desired.imageTagMutability) {
    changes.push({ setting: 'imageTagMutability', from: current.imageTagMutability ?? null, to: desired.imageTagMutability });
  }
  if (current.scanOnPush !== desired.scanOnPush) {
    changes.push({ setting: 'scanOnPush', from: current.scanOnPush ?? null, to: desired.scanOnPush });
  }
  if (!isPlatformLifecyclePolicy(current.lifecyclePolicyText)) {
    changes.push({ setting: 'lifecyclePolicy', from: current.lifecyclePolicyText === undefined ? null : 'a different policy', to: LIFECYCLE_POLICY_SUMMARY });
  }
  if ((current.encryptionType ?? desired.encryptionType) !== desired.encryptionType) {
    warnings.push(
      `encryption is ${current.encryptionType}${current.kmsKey ? ` (${current.kmsKey})` : ''}, not ${desired.encryptionType}; ` +
        'ECR cannot change encryption after creation: left as it is (to change it, create a new repository and move the images)',
    );
  }
  return { changes, warnings };
}

/** A repository read from ECR, with what it needs; or why it could not be read. */
type Plan =
  | { name: string; ok: true; current: CurrentRepository | undefined; changes: SettingChange[]; warnings: string[] }
  | { name: string; ok: false; error: OperationError };

/**
 * `biomage ecr ensure`: check the names, read every repository, confirm for production when
 * something would change, then create or converge. A repository that failed is in the report.
 */
export async function ecrEnsure(ctx: Context, request: EcrEnsureRequest): Promise<EcrEnsureReport> {
  const names = checkRepositoryNames(request.names);
  const target = await ctx.aws();
  const ecr = request.ecr ?? awsClient(ecrSdk().ECRClient, target);
  try {
    const plans = await mapLimit(names, CONCURRENCY, (name) => planRepository(ecr, name));
    const pending = plans.filter((p) => p.ok && p.changes.length > 0);
    if (pending.length && !ctx.dryRun) {
      // Show what is being confirmed before the prompt (or before the refusal, in CI).
      if (needsConfirmation(ctx.env) && !ctx.yes) for (const p of pending) ctx.out.info(describePlan(p));
      await confirmChange(ctx, `ecr ensure of ${pending.length} repositor${pending.length === 1 ? 'y' : 'ies'}`);
    }
    const repositories = await mapLimit(plans, CONCURRENCY, (plan) => applyPlan(ecr, plan, ctx.dryRun));
    // The human report lists warnings itself; with --json they also reach stderr.
    if (ctx.out.json) for (const r of repositories) for (const w of r.warnings) ctx.out.warn(`${r.name}: ${w}`);
    return { env: ctx.env, region: target.region, dryRun: ctx.dryRun, repositories };
  } finally {
    if (!request.ecr) ecr.destroy();
  }
}

function describePlan(plan: Plan): string {
  if (!plan.ok) return `${plan.name}: ${plan.error.message}`;
  const what = plan.current ? 'update' : 'create';
  return `${plan.name}: would ${what} (${plan.changes.map((c) => c.setting).join(', ')})`;
}

async function planRepository(ecr: ECRClient, name: string): Promise<Plan> {
  try {
    const current = await readRepository(ecr, name);
    return { name, ok: true, current, ...planChanges(current) };
  } catch (error) {
    return { name, ok: false, error: error instanceof OperationError ? error : awsFailure(name, 'DescribeRepositories', error) };
  }
}

/** The repository's settings, or undefined when it does not exist. Reads only. */
export async function readRepository(ecr: ECRClient, name: string): Promise<CurrentRepository | undefined> {
  const sdk = ecrSdk();
  let repository: Repository | undefined;
  try {
    const out = await ecr.send(new sdk.DescribeRepositoriesCommand({ repositoryNames: [name] }));
    repository = out.repositories?.[0];
  } catch (error) {
    if (errorName(error) === 'RepositoryNotFoundException') return undefined;
    throw awsFailure(name, 'DescribeRepositories', error);
  }
  if (!repository) return undefined;

  let lifecyclePolicyText: string | undefined;
  try {
    const out = await ecr.send(new sdk.GetLifecyclePolicyCommand({ repositoryName: name }));
    lifecyclePolicyText = out.lifecyclePolicyText;
  } catch (error) {
    if (errorName(error) !== 'LifecyclePolicyNotFoundException') throw awsFailure(name, 'GetLifecyclePolicy', error);
  }
  return {
    uri: repository.repositoryUri ?? '',
    imageTagMutability: repository.imageTagMutability,
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush,
    encryptionType: repository.encryptionConfiguration?.encryptionType,
    kmsKey: repository.encryptionConfiguration?.kmsKey,
    lifecyclePolicyText,
  };
}

/** Create or converge one repository as planned; a failure is this repository's result, not the run's. */
async function applyPlan(ecr: ECRClient, plan: Plan, dryRun: boolean): Promise<RepositoryResult> {
  if (!plan.ok) return { name: plan.name, uri: null, action: 'failed', changes: [], warnings: [], error: errorOf(plan.error) };
  const { name, current, changes, warnings } = plan;
  if (changes.length === 0) return { name, uri: current?.uri ?? null, action: 'unchanged', changes, warnings };
  if (dryRun) return { name, uri: current?.uri ?? null, action: current ? 'would-update' : 'would-create', changes, warnings };

  const sdk = ecrSdk();
  // The calls that converge each setting; encryption has none (CreateRepository only).
  const converge: Record<Exclude<Setting, 'encryption'>, { operation: string; call: () => Promise<unknown> }> = {
    imageTagMutability: {
      operation: 'PutImageTagMutability',
      call: () => ecr.send(new sdk.PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: DESIRED_SETTINGS.imageTagMutability })),
    },
    scanOnPush: {
      operation: 'PutImageScanningConfiguration',
      call: () =>
        ecr.send(new sdk.PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: DESIRED_SETTINGS.scanOnPush } })),
    },
    lifecyclePolicy: {
      operation: 'PutLifecyclePolicy',
      call: () => ecr.send(new sdk.PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: LIFECYCLE_POLICY_TEXT })),
    },
  };

  const applied: SettingChange[] = [];
  let uri = current?.uri ?? null;
  let operation = 'CreateRepository';
  try {
    if (!current) {
      const out = await ecr.send(
        new sdk.CreateRepositoryCommand({
          repositoryName: name,
          imageTagMutability: DESIRED_SETTINGS.imageTagMutability,
          imageScanningConfiguration: { scanOnPush: DESIRED_SETTINGS.scanOnPush },
          encryptionConfiguration: { encryptionType: DESIRED_SETTINGS.encryptionType },
          // No tags: tagging on creation would need ecr:TagResource as well.
        }),
      );
      uri = out.repository?.repositoryUri ?? null;
      applied.push(...changes.filter((c) => c.setting !== 'lifecyclePolicy'));
    }
    for (const change of changes) {
      // A new repository got everything but its lifecycle policy from CreateRepository.
      if (change.setting === 'encryption' || (!current && change.setting !== 'lifecyclePolicy')) continue;
      operation = converge[change.setting].operation;
      await converge[change.setting].call();
      applied.push(change);
    }
  } catch (error) {
    return { name, uri, action: 'failed', changes: applied, warnings, error: errorOf(awsFailure(name, operation, error)) };
  }
  return { name, uri, action: current ? 'updated' : 'created', changes: applied, warnings };
}

/** An AWS error as this repository's failure: which call, what AWS said, and what to do next. */
export function awsFailure(name: string, operation: string, error: unknown): OperationError {
  const message = error instanceof Error ? error.message : String(error);
  return new OperationError(`repository ${name}: ${operation} failed: ${message}`, {
    where: `ECR repository ${name}`,
    hint: hintFor(unreachable(error) ? 'unreachable' : errorName(error), name, operation),
    cause: error,
  });
}

function hintFor(errorName: string, name: string, operation: string): string {
  const rerun = `rerun \`biomage ecr ensure ${name}\``;
  switch (errorName) {
    case 'AccessDeniedException':
    case 'AccessDenied':
      return `the AWS identity lacks ecr:${operation}: grant it (docs/runbooks/ecr.md lists the actions this command needs), then ${rerun}`;
    case 'RepositoryAlreadyExistsException':
      return `the repository was created by someone else meanwhile: ${rerun} to converge its settings`;
    case 'LimitExceededException':
      return `the account's ECR repository quota is reached: delete unused repositories or ask AWS for more, then ${rerun}`;
    case 'CredentialsProviderError':
    case 'ExpiredTokenException':
    case 'UnrecognizedClientException':
      return `AWS did not accept the credentials: check AWS_PROFILE or refresh the session (e.g. \`aws sso login\`), then ${rerun}`;
    case 'unreachable':
      return `the ECR endpoint could not be reached: check the network (development: is the twin running? \`make dev\`), then ${rerun}`;
    default:
      return `${rerun} (settings already applied stay; --verbose shows the cause)`;
  }
}

/** A connection that never reached AWS (the SDK passes Node's socket errors through). */
function unreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(code);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function errorOf(error: OperationError): { message: string; hint?: string } {
  return { message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

export function renderEcrEnsureReport(report: EcrEnsureReport, paint: Paint): string {
  const colour = (action: EnsureAction) =>
    action === 'failed' ? paint('red', action) : action === 'created' || action === 'updated' ? paint('green', action) : action === 'unchanged' ? action : paint('yellow', action);
  const rows = report.repositories.map((r) => [r.name, colour(r.action), r.uri ?? '(known once created)']);
  const lines = [renderTable(['repository', 'action', 'uri'], rows)];
  const value = (v: string | boolean | null) => (v === null ? 'none' : String(v));
  for (const r of report.repositories) {
    if (!r.changes.length && !r.warnings.length && !r.error) continue;
    lines.push('', `${r.name}:`);
    for (const c of r.changes) lines.push(`  ${c.setting}: ${value(c.from)} → ${value(c.to)}`);
    for (const w of r.warnings) lines.push(`  ${paint('yellow', 'warning:')} ${w}`);
    if (r.error) {
      lines.push(`  ${paint('red', 'error:')} ${r.error.message}`);
      if (r.error.hint) lines.push(`  next:  ${r.error.hint}`);
    }
  }
  const failed = report.repositories.filter((r) => r.action === 'failed').length;
  lines.push('', repositoriesOutcome(failed, { dryRun: report.dryRun }, paint));
  return lines.join('\n');
}
