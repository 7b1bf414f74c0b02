import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseYamlFile } from '../yaml/source.js';
import type { Environment } from '../config/environments.js';
import {
  changedFiles,
  commitPaths,
  configValue,
  pushHead,
  rebaseOnRemote,
  revisionCommit,
  stageAll,
  stagedPaths,
  untrackedFiles,
} from '../tools/git.js';
import { OperationError } from '../ui/errors.js';
import { IMAGE_ANNOTATION, RELEASES_DIR, SOURCE_COMMIT_ANNOTATION, SOURCE_REPOSITORY_ANNOTATION } from './render.js';

/** Who commits when the clone has no identity (a CI runner): GitHub's no-reply convention. */
const RELEASE_IDENTITY = { name: 'biomage release', email: 'biomage-release@users.noreply.github.com' };

export interface PushRequest {
  env: Environment;
  root: string;
  remote: string;
  branch: string;
  /** Pushes tried before giving up; each rejection is followed by a rebase. */
  attempts: number;
  dryRun: boolean;
  /** Waits between attempts (the default spreads concurrent pipelines apart). */
  delay?: (attempt: number) => Promise<void>;
}

export interface PushResult {
  files: string[];
  message: string;
  /** The commit that reached the remote; undefined when there was nothing to push or a dry run. */
  commit?: string;
  attempts: number;
  /** Times another push got in first and this commit was replayed on top of it. */
  rebases: number;
}

/**
 * Commit the changed release files of one environment and push them to the branch Flux reads,
 * never forced: when another pipeline pushed first, fetch, rebase (the other commit is kept) and
 * push again. A conflict (two pipelines releasing the same service at once) stops without
 * pushing, because only a person can say which release should win.
 */
export async function pushReleases(request: PushRequest): Promise<PushResult> {
  const folder = `${RELEASES_DIR}/${request.env}`;
  const { root } = request;
  if (!request.dryRun) await stageAll([folder], root);
  const files = request.dryRun ? await pendingFiles(folder, root) : await stagedPaths([folder], root);
  const message = commitMessage(request.env, files, root);
  if (!files.length || request.dryRun) return { files, message, attempts: 0, rebases: 0 };

  const identity = (await configValue('user.email', root)) ? undefined : RELEASE_IDENTITY;
  let commit = await commitPaths(message, [folder], root, identity);
  let rebases = 0;
  const delay = request.delay ?? backoff;
  for (let attempt = 1; attempt <= request.attempts; attempt++) {
    const outcome = await pushHead(request.remote, request.branch, root);
    if (outcome.pushed) return { files, message, commit, attempts: attempt, rebases };
    if (attempt === request.attempts) break;
    const rebased = await rebaseOnRemote(request.remote, request.branch, root);
    if (!rebased.rebased) {
      throw new OperationError(`another commit on ${request.branch} changed ${rebased.conflicts.join(', ')} since this release was rendered; nothing was pushed`, {
        where: `${request.remote}/${request.branch}`,
        hint: 'two pipelines released the same service at once: rerun the pipeline whose release should win (the local commit is kept, unpushed)',
      });
    }
    rebases++;
    commit = (await revisionCommit('HEAD', root)) ?? commit;
    await delay(attempt);
  }
  throw new OperationError(`${request.remote}/${request.branch} kept moving: ${request.attempts} pushes were rejected; nothing was pushed`, {
    hint: 'rerun the pipeline; raise --attempts if many services release at the same moment',
  });
}

/** Changed and new files of the folder, without staging anything (for --dry-run). */
async function pendingFiles(folder: string, root: string): Promise<string[]> {
  return [...new Set([...(await changedFiles('HEAD', folder, root)), ...(await untrackedFiles(folder, root))])].sort();
}

/** `release(staging): ui 1.4.2`; the body says, per file, which image from which commit. */
export function commitMessage(env: Environment, files: string[], root: string): string {
  const lines = files.map((file) => {
    const service = basename(file).replace(/\.ya?ml$/, '');
    const annotations = releaseAnnotations(join(root, file));
    if (!annotations) return { service, text: `${service}: removed` };
    const image = annotations[IMAGE_ANNOTATION];
    const source = annotations[SOURCE_REPOSITORY_ANNOTATION];
    const sha = annotations[SOURCE_COMMIT_ANNOTATION];
    const version = image ? (/@(sha256:[a-f0-9]{12})/.exec(image)?.[1] ?? /:([^:/@]+)$/.exec(image)?.[1]) : undefined;
    const origin = sha ? ` from ${source ? `${source}@` : ''}${sha}` : '';
    return { service, version, text: `${service}: ${image ?? 'changed'}${origin}` };
  });
  const subject = `release(${env}): ${lines.map((l) => ('version' in l && l.version ? `${l.service} ${l.version}` : l.service)).join(', ')}`;
  return `${subject}\n\n${lines.map((l) => l.text).join('\n')}\n`;
}

function releaseAnnotations(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const value = parseYamlFile(text).documents[0]?.value as { metadata?: { annotations?: Record<string, string> } } | undefined;
  return value?.metadata?.annotations ?? {};
}

/** About a second, doubling, with jitter so that pipelines rejected together do not retry together. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.min(8000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
