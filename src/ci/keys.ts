import type { IAMClient } from '@aws-sdk/client-iam';
import { iamSdk } from '../aws/sdk.js';
import type { GithubClient } from '../github/client.js';
import type { Sealer } from '../github/sealed-box.js';

/**
 * Access-key rotation for one CI user. Key ids and secrets live only in local variables here:
 * what leaves this module names keys by their creation date.
 */

export const SECRET_NAMES = { id: 'AWS_ACCESS_KEY_ID', secret: 'AWS_SECRET_ACCESS_KEY' } as const;
/** IAM's limit on access keys per user. */
const KEYS_PER_USER = 2;

export interface AccessKeyInfo {
  id: string;
  active: boolean;
  created: Date;
}

/** A key as reports name it: never by id. */
export interface KeyRef {
  created: string;
  status: 'Active' | 'Inactive';
}

export type KeyPlan =
  | {
      ok: true;
      /** At the two-key limit: the oldest inactive key, deleted before the new one is made. */
      removeFirst?: AccessKeyInfo;
      /** Deleted once GitHub holds the new key: every key that existed before, except removeFirst. */
      older: AccessKeyInfo[];
      /** The key CI uses now (the one active key), for setting AWS_ACCESS_KEY_ID back on failure. */
      current?: AccessKeyInfo;
    }
  | { ok: false; message: string; hint: string };

export interface RotationOutcome {
  rotated: boolean;
  /** Creation date of the key CI now uses, when the rotation completed. */
  newKey?: string;
  deleted: (KeyRef & { why: 'inactive-at-limit' | 'replaced' })[];
  /** The secrets GitHub confirmed (201 or 204) and that still hold what this run uploaded. */
  secretsUpdated: string[];
  errors: { message: string; hint?: string }[];
}

export const keyRef = (key: AccessKeyInfo): KeyRef => ({ created: keyDate(key.created), status: key.active ? 'Active' : 'Inactive' });

/** The user's keys, oldest first; undefined when the user does not exist (yet). */
export async function listKeys(iam: IAMClient, user: string): Promise<AccessKeyInfo[] | undefined> {
  const { ListAccessKeysCommand } = iamSdk();
  try {
    const { AccessKeyMetadata = [] } = await iam.send(new ListAccessKeysCommand({ UserName: user }));
    return AccessKeyMetadata.map((k) => ({ id: k.AccessKeyId ?? '', active: k.Status === 'Active', created: k.CreateDate ?? new Date(0) })).sort(
      (a, b) => a.created.getTime() - b.created.getTime(),
    );
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException' || (error as Error).name === 'NoSuchEntity') return undefined;
    throw error;
  }
}

/**
 * What a rotation will do, decided from the keys alone. At the two-key limit the oldest inactive
 * key makes room; when both keys are active biomage cannot know which one CI uses, and refuses.
 */
export async function planKeys(iam: IAMClient, user: string, keys: AccessKeyInfo[]): Promise<KeyPlan> {
  let removeFirst: AccessKeyInfo | undefined;
  if (keys.length >= KEYS_PER_USER) {
    removeFirst = keys.find((k) => !k.active);
    if (!removeFirst) {
      const described = await Promise.all(keys.map(async (k) => `created ${keyDate(k.created)}, ${await lastUsed(iam, k)}`));
      return {
        ok: false,
        message: `${user} has two active access keys (${described.join('; ')}): rotate-ci cannot tell which one CI uses, and changed nothing`,
        hint:
          `deactivate the key CI does not use: \`aws iam list-access-keys --user-name ${user}\` shows each key with its creation date, then ` +
          `\`aws iam update-access-key --user-name ${user} --access-key-id <that key> --status Inactive\`; rerun with --repo`,
      };
    }
  }
  const remaining = keys.filter((k) => k !== removeFirst);
  const active = remaining.filter((k) => k.active);
  return { ok: true, ...(removeFirst ? { removeFirst } : {}), older: remaining, ...(active.length === 1 ? { current: active[0] } : {}) };
}

export interface RotationInput {
  iam: IAMClient;
  github: GithubClient;
  sealer: Sealer;
  org: string;
  repo: string;
  user: string;
  plan: Extract<KeyPlan, { ok: true }>;
  /** Registers a value the output layer must mask (a second line of defence: nothing prints it). */
  mask(value: string): void;
  progress(message: string): void;
}

/**
 * Rotate in the order that never locks CI out: read the repository's public key; make room at
 * the two-key limit; create the new key; upload AWS_ACCESS_KEY_ID, then AWS_SECRET_ACCESS_KEY,
 * each confirmed by GitHub; only then delete the older keys. If anything fails once the new key
 * exists, AWS_ACCESS_KEY_ID is set back to the key CI used (its secret was never replaced: the
 * secret goes second), the new key is deleted, and the old ones stay.
 */
export async function rotateKeys(input: RotationInput): Promise<RotationOutcome> {
  const { iam, github, org, repo, user, plan } = input;
  const { CreateAccessKeyCommand, DeleteAccessKeyCommand } = iamSdk();
  const outcome: RotationOutcome = { rotated: false, deleted: [], secretsUpdated: [], errors: [] };
  const fail = (message: string, hint?: string) => {
    outcome.errors.push({ message, ...(hint ? { hint } : {}) });
    return outcome;
  };
  const rerun = `rerun \`biomage rotate-ci --repo ${repo}\``;

  // Before any change: GitHub must be able to take the secrets.
  let publicKey: Awaited<ReturnType<GithubClient['getActionsPublicKey']>>;
  try {
    publicKey = await github.getActionsPublicKey(org, repo);
  } catch (error) {
    return fail(`${messageOf(error)}; nothing was changed`, hintOf(error));
  }
  const seal = (value: string) => ({ encryptedValue: input.sealer(value, publicKey.key), keyId: publicKey.keyId });

  if (plan.removeFirst) {
    input.progress(`deleting the inactive key created ${keyDate(plan.removeFirst.created)} (two-key limit)`);
    try {
      await iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: plan.removeFirst.id }));
    } catch (error) {
      return fail(`DeleteAccessKey of the inactive key created ${keyDate(plan.removeFirst.created)} failed: ${messageOf(error)}; nothing else was changed`, rerun);
    }
    outcome.deleted.push({ ...keyRef(plan.removeFirst), why: 'inactive-at-limit' });
  }

  input.progress('creating a new access key');
  let created: { id: string; secret: string; date: Date };
  try {
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) throw new Error('IAM returned no key');
    created = { id: AccessKey.AccessKeyId, secret: AccessKey.SecretAccessKey, date: AccessKey.CreateDate ?? new Date() };
  } catch (error) {
    return fail(`CreateAccessKey failed: ${messageOf(error)}; the old keys were kept`, rerun);
  }
  input.mask(created.id);
  input.mask(created.secret);

  // Whether GitHub may hold the new AWS_ACCESS_KEY_ID: only a refusal it answered rules that out.
  let idMayBeStored = false;
  let uploading: string = SECRET_NAMES.id;
  try {
    // Sealed before the first upload: a sealing error leaves GitHub untouched.
    const sealedId = seal(created.id);
    const sealedSecret = seal(created.secret);
    input.progress(`uploading ${SECRET_NAMES.id} and ${SECRET_NAMES.secret}`);
    idMayBeStored = true;
    await putConfirmed(github, org, repo, SECRET_NAMES.id, sealedId).catch((error: unknown) => {
      if (refused(error)) idMayBeStored = false;
      throw error;
    });
    outcome.secretsUpdated.push(SECRET_NAMES.id);
    uploading = SECRET_NAMES.secret;
    await putConfirmed(github, org, repo, SECRET_NAMES.secret, sealedSecret);
    outcome.secretsUpdated.push(SECRET_NAMES.secret);
  } catch (error) {
    const unsure = !refused(error) && uploading === SECRET_NAMES.secret;
    outcome.errors.push({
      message: `uploading ${uploading} failed: ${messageOf(error)}; the new key is deleted and the old one kept${unsure ? ' (GitHub did not answer: it may hold the new secret, which no key matches now)' : ''}`,
      hint: unsure ? `${rerun} now: it uploads a fresh pair` : (hintOf(error) ?? rerun),
    });
    await undoNewKey(input, outcome, created, idMayBeStored ? seal : undefined);
    return outcome;
  }

  outcome.rotated = true;
  outcome.newKey = keyDate(created.date);
  for (const old of plan.older) {
    input.progress(`deleting the replaced key created ${keyDate(old.created)}`);
    try {
      await iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: old.id }));
      outcome.deleted.push({ ...keyRef(old), why: 'replaced' });
    } catch (error) {
      fail(
        `CI now uses the new key, but the replaced key created ${keyDate(old.created)} could not be deleted: ${messageOf(error)}`,
        `delete it: \`aws iam list-access-keys --user-name ${user}\` shows it by creation date; \`aws iam delete-access-key --user-name ${user} --access-key-id <that key>\``,
      );
    }
  }
  return outcome;
}

/**
 * A PUT that GitHub confirmed (201 or 204). The client already repeats it when no answer came or
 * a gateway failed (a put replaces the secret, so repeating it is harmless), within its bound.
 */
async function putConfirmed(github: GithubClient, org: string, repo: string, name: string, sealed: { encryptedValue: string; keyId: string }): Promise<void> {
  await github.putActionsSecret(org, repo, name, sealed);
}

/** GitHub answered every attempt with a refusal, so nothing was stored (a lost answer or a 502 on the way may have been). */
function refused(error: unknown): boolean {
  const failure = error as { status?: unknown; mayHaveApplied?: unknown };
  return typeof failure.status === 'number' && failure.mayHaveApplied !== true;
}

/** After a failed upload: AWS_ACCESS_KEY_ID back to the key CI used, then the new key deleted. */
async function undoNewKey(
  input: RotationInput,
  outcome: RotationOutcome,
  created: { id: string; date: Date },
  seal: ((value: string) => { encryptedValue: string; keyId: string }) | undefined,
): Promise<void> {
  const { iam, github, org, repo, user, plan } = input;
  const { DeleteAccessKeyCommand } = iamSdk();
  outcome.secretsUpdated = [];
  // The new id may be stored (confirmed, or its answer lost); the secret was not confirmed.
  // Setting the id back pairs it again with the secret CI had.
  if (seal && plan.current) {
    input.progress(`setting ${SECRET_NAMES.id} back to the key created ${keyDate(plan.current.created)}`);
    try {
      await putConfirmed(github, org, repo, SECRET_NAMES.id, seal(plan.current.id));
    } catch (error) {
      outcome.errors.push({
        message: `${SECRET_NAMES.id} could not be set back to the key CI used (created ${keyDate(plan.current.created)}): ${messageOf(error)}; CI cannot reach AWS until a rotation succeeds`,
        hint: `rerun \`biomage rotate-ci --repo ${repo}\` now`,
      });
    }
  }
  input.progress(`deleting the new key (the old ${plan.older.length === 1 ? 'one stays' : 'ones stay'})`);
  try {
    await iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: created.id }));
  } catch (error) {
    outcome.errors.push({
      message: `the new key (created ${keyDate(created.date)}) could not be deleted: ${messageOf(error)}`,
      hint: `delete it: \`aws iam list-access-keys --user-name ${user}\` shows it as the newest; \`aws iam delete-access-key --user-name ${user} --access-key-id <that key>\``,
    });
  }
}

async function lastUsed(iam: IAMClient, key: AccessKeyInfo): Promise<string> {
  const { GetAccessKeyLastUsedCommand } = iamSdk();
  try {
    const { AccessKeyLastUsed } = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.id }));
    const date = AccessKeyLastUsed?.LastUsedDate;
    return date ? `last used ${keyDate(date)}${AccessKeyLastUsed.ServiceName && AccessKeyLastUsed.ServiceName !== 'N/A' ? ` (${AccessKeyLastUsed.ServiceName})` : ''}` : 'never used';
  } catch {
    return 'last use unknown';
  }
}

/** A key's creation date as reports show it (keys are never named by id): to the second, UTC. */
export function keyDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An error's message without access key ids: AWS names the key in some of its messages. */
function messageOf(error: unknown): string {
  return redactKeyIds(error instanceof Error ? error.message : String(error));
}

export function redactKeyIds(text: string): string {
  return text.replace(/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}\b/g, '<access key id>');
}

function hintOf(error: unknown): string | undefined {
  return (error as { hint?: string }).hint;
}
