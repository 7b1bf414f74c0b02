import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import type { Environment } from '../config/environments.js';
import { FLUX_NAMESPACE } from '../config/flux.js';
import type { GithubClient } from '../github/client.js';
import { generateSshKeyPair, keyBody } from '../github/ssh-key.js';
import { applyObjects, statusOf } from '../k8s/client.js';
import { DEPLOY_KEY_SECRET } from '../releases/flux-sync.js';
import { OperationError } from '../ui/errors.js';

export type DeployKeyAction = 'unchanged' | 'created' | 'rotated' | 'would-create' | 'would-rotate';

export interface DeployKeyResult {
  action: DeployKeyAction;
  /** The id of the key the cluster uses, on GitHub (undefined in a dry run that would create one). */
  keyId?: number;
  /** Older keys of this environment removed from the repository (after the new one was in place). */
  removed: number[];
}

export interface DeployKeyRequest {
  kc: KubeConfig;
  github: GithubClient;
  owner: string;
  repo: string;
  env: Environment;
  /** Replace the key even when the current one works (after a leak, on a schedule). */
  rotate: boolean;
  dryRun: boolean;
}

/** Every key biomage registers for an environment is titled with this prefix, and only those are ever deleted. */
export function deployKeyTitlePrefix(env: Environment): string {
  return `biomage-flux-${env} `;
}

/**
 * Give Flux a deploy key of its own for this environment, converging from any state:
 * - the Secret's key is registered and no rotation is asked: nothing changes, except that older
 *   keys of this environment left by an interrupted run are removed;
 * - otherwise a new ed25519 pair is made; its public half is registered first (with write access,
 *   titled with the environment), then the Secret is written with it and GitHub's SSH host keys,
 *   and only then are this environment's older keys deleted. A failure to write the Secret
 *   unregisters the new key again, so the cluster keeps working with the old one.
 * Keys of other environments, and keys not titled by biomage, are never touched.
 */
export async function ensureDeployKey(request: DeployKeyRequest): Promise<DeployKeyResult> {
  const { github, owner, repo, env } = request;
  const prefix = deployKeyTitlePrefix(env);
  const [secret, keys] = await Promise.all([readSecret(request.kc), github.listDeployKeys(owner, repo)]);
  const ours = keys.filter((k) => k.title.startsWith(prefix));
  const publicKey = secret?.publicKey;
  const inUse = publicKey ? ours.find((k) => keyBody(k.key) === keyBody(publicKey)) : undefined;

  if (inUse && !request.rotate) {
    const stale = ours.filter((k) => k.id !== inUse.id).map((k) => k.id);
    if (!request.dryRun) await deleteKeys(github, owner, repo, stale);
    return { action: 'unchanged', keyId: inUse.id, removed: request.dryRun ? [] : stale };
  }
  const action = ours.length || secret ? 'rotated' : 'created';
  if (request.dryRun) return { action: action === 'rotated' ? 'would-rotate' : 'would-create', removed: [] };

  const title = `${prefix}${new Date().toISOString()}`;
  const pair = generateSshKeyPair(title.replace(' ', '@'));
  const hostKeys = await github.sshHostKeys();
  // Write access: Flux's image automation commits through this key (the operators' runbook grants it).
  const keyId = await github.addDeployKey(owner, repo, { title, key: keyBody(pair.publicKey), readOnly: false });
  try {
    await applyObjects(request.kc, [deployKeySecret(pair, hostKeys)]);
  } catch (error) {
    await github.deleteDeployKey(owner, repo, keyId).catch(() => undefined);
    throw error;
  }
  const older = ours.map((k) => k.id);
  await deleteKeys(github, owner, repo, older);
  return { action, keyId, removed: older };
}

/** The Secret Flux's GitRepository names in secretRef: `identity`, `identity.pub`, `known_hosts`, as `flux create secret git` writes them. */
function deployKeySecret(pair: { privateKey: string; publicKey: string }, hostKeys: string[]): V1Secret & { apiVersion: string; kind: string } {
  const knownHosts = hostKeys.map((key) => `github.com ${key}`).join('\n');
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: DEPLOY_KEY_SECRET, namespace: FLUX_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'biomage' } },
    type: 'Opaque',
    data: { identity: b64(pair.privateKey), 'identity.pub': b64(`${pair.publicKey}\n`), known_hosts: b64(`${knownHosts}\n`) },
  };
}

async function readSecret(kc: KubeConfig): Promise<{ publicKey?: string } | undefined> {
  const { CoreV1Api } = await import('@kubernetes/client-node');
  try {
    const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace: FLUX_NAMESPACE, name: DEPLOY_KEY_SECRET });
    const pub = secret.data?.['identity.pub'];
    return { ...(pub ? { publicKey: Buffer.from(pub, 'base64').toString('utf8') } : {}) };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw new OperationError(`could not read Secret ${FLUX_NAMESPACE}/${DEPLOY_KEY_SECRET}: ${(error as Error).message}`, {
      hint: 'the identity in use must be able to read Secrets in flux-system (a cluster admin)',
      cause: error,
    });
  }
}

async function deleteKeys(github: GithubClient, owner: string, repo: string, ids: number[]): Promise<void> {
  for (const id of ids) await github.deleteDeployKey(owner, repo, id);
}
