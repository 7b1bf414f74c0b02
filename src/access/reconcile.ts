import { existsSync } from 'node:fs';
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { InputError, OperationError } from '../ui/errors.js';
import { AWS_AUTH, AWS_AUTH_NAME, hasChanges, parseAwsAuth, planAwsAuth, renderAwsAuth, type AwsAuthPlan } from './aws-auth.js';
import type { DesiredEntry } from './entries.js';
import { desiredEntries, readAccessLists, type ResolvePrincipal } from './mapping.js';

export interface ReconcileOptions {
  /** The kubeconfig to use (e.g. the one `biomage kubeconfig` wrote). */
  kubeconfigFile: string;
  /** Its context for the cluster; default: its current-context. */
  context?: string;
  /** The checkout whose infra/cluster_admins and infra/cluster_users apply. */
  root: string;
  /** Looks bare names up in IAM (iamNameResolver). */
  resolve: ResolvePrincipal;
  /** Read and plan only. */
  dryRun: boolean;
}

export type ReconcileAction = 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update';

export interface ReconcileResult {
  plan: AwsAuthPlan;
  action: ReconcileAction;
  /** The ConfigMap data as written, or as it would be written. */
  data: Record<string, string>;
  /** Reads of the ConfigMap: more than one when another writer changed it meanwhile. */
  attempts: number;
}

/** The ConfigMap as read: its data and the version a replace must still find. */
export interface StoredAwsAuth {
  data: Record<string, string>;
  resourceVersion: string;
}

/** The aws-auth ConfigMap of one cluster. A write that loses a race returns false. */
export interface AwsAuthStore {
  /** Undefined when the ConfigMap does not exist. */
  read(): Promise<StoredAwsAuth | undefined>;
  /** False when it was created by someone else meanwhile. */
  create(data: Record<string, string>): Promise<boolean>;
  /** False when it changed (or went) since `read` returned `current`. */
  replace(current: StoredAwsAuth, data: Record<string, string>): Promise<boolean>;
}

/** Re-reads after a lost race before giving up: aws-auth has few writers (eksctl, an operator). */
export const CONFLICT_RETRIES = 3;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Make the cluster's aws-auth map exactly the access lists of `root` (biomage's entries only:
 * node roles and hand-made entries stay as they are), and return the plan. The lists are read
 * and resolved first, so that bad input fails before the cluster is touched.
 */
export async function reconcileAccess(options: ReconcileOptions): Promise<ReconcileResult> {
  const desired = await desiredEntries(readAccessLists(options.root), options.resolve);
  const store = await kubernetesStore(options.kubeconfigFile, options.context);
  return reconcileAwsAuth(store, desired, options.dryRun);
}

/**
 * Read, plan, write with the version read (optimistic concurrency): when another writer got
 * there first, its change is read and planned over rather than overwritten. A plan without
 * changes writes nothing, so applying the same lists twice changes nothing the second time.
 */
export async function reconcileAwsAuth(store: AwsAuthStore, desired: readonly DesiredEntry[], dryRun: boolean): Promise<ReconcileResult> {
  for (let attempt = 1; attempt <= 1 + CONFLICT_RETRIES; attempt++) {
    const stored = await store.read();
    const current = parseAwsAuth(stored?.data);
    const plan = planAwsAuth(current, desired);
    const data = renderAwsAuth(current, plan);
    const result = (action: ReconcileAction): ReconcileResult => ({ plan, action, data: hasChanges(plan) ? data : (stored?.data ?? {}), attempts: attempt });
    if (!hasChanges(plan)) return result('unchanged');
    if (dryRun) return result(stored ? 'would-update' : 'would-create');
    const written = stored ? await store.replace(stored, data) : await store.create(data);
    if (written) return result(stored ? 'updated' : 'created');
  }
  throw new OperationError(`${AWS_AUTH_NAME} changed while biomage was writing it, ${1 + CONFLICT_RETRIES} times in a row: nothing was written`, {
    where: AWS_AUTH_NAME,
    hint: 'something else is writing it right now (eksctl adding a node group?); wait for it to finish and run the command again',
  });
}

/** The aws-auth store of the cluster a kubeconfig context points at, through @kubernetes/client-node. */
export async function kubernetesStore(kubeconfigFile: string, context?: string): Promise<AwsAuthStore> {
  if (!existsSync(kubeconfigFile)) {
    throw new InputError(`the kubeconfig ${kubeconfigFile} does not exist`, { where: kubeconfigFile, hint: 'write it with biomage kubeconfig --env <env>' });
  }
  // Loaded here, not at the top: `biomage --help` must not load the Kubernetes client.
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(kubeconfigFile);
  } catch (error) {
    throw new InputError(`cannot read the kubeconfig ${kubeconfigFile}: ${(error as Error).message}`, {
      where: kubeconfigFile,
      hint: 'fix the file, or write it again with biomage kubeconfig --env <env>',
      cause: error,
    });
  }
  const name = context ?? kc.getCurrentContext();
  if (!name || !kc.getContextObject(name)) {
    throw new InputError(context ? `the kubeconfig has no context ${context}` : 'the kubeconfig has no current context', {
      where: kubeconfigFile,
      hint: 'write it with biomage kubeconfig --env <env>, which names the context biomage-<env>',
    });
  }
  kc.setCurrentContext(name);
  const api = kc.makeApiClient(CoreV1Api);
  const where = `${AWS_AUTH_NAME} (context ${name} in ${kubeconfigFile}, ${kc.getCurrentCluster()?.server ?? 'no server'})`;
  const call = <T>(what: string, request: (api: CoreV1Api) => Promise<T>) => callApi(what, where, () => request(api));
  // The whole object as read, so that a replace keeps its labels, annotations and owners.
  const objects = new WeakMap<StoredAwsAuth, V1ConfigMap>();

  return {
    async read() {
      const object = await call('read', (a) => a.readNamespacedConfigMap(AWS_AUTH)).catch(whenStatus(404, undefined));
      if (!object) return undefined;
      const stored = { data: object.data ?? {}, resourceVersion: object.metadata?.resourceVersion ?? '' };
      objects.set(stored, object);
      return stored;
    },
    async create(data) {
      const body: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...AWS_AUTH }, data };
      return call('create', (a) => a.createNamespacedConfigMap({ namespace: AWS_AUTH.namespace, body })).then(() => true, whenStatus(409, false));
    },
    async replace(current, data) {
      const read = objects.get(current) ?? { metadata: { ...AWS_AUTH } };
      // resourceVersion makes the API server refuse (409) if anyone wrote since the read.
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- the client serialises a body by its declared type, from its own fields: the prototype is not needed
      const body: V1ConfigMap = { ...read, metadata: { ...read.metadata, resourceVersion: current.resourceVersion }, data };
      return call('replace', (a) => a.replaceNamespacedConfigMap({ ...AWS_AUTH, body }))
        .then(() => true)
        .catch(whenStatus(409, false))
        .catch(whenStatus(404, false));
    },
  };
}

/** A failed API call, carrying the HTTP status the caller may expect (404, 409). */
class ApiCallError extends OperationError {
  constructor(
    readonly status: number | undefined,
    message: string,
    details: ConstructorParameters<typeof OperationError>[1],
  ) {
    super(message, details);
  }
}

/** Turn an expected status into a value; anything else goes on. */
const whenStatus =
  <V>(status: number, value: V) =>
  (error: unknown): V => {
    if (error instanceof ApiCallError && error.status === status) return value;
    throw error;
  };

async function callApi<T>(what: string, where: string, request: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      request(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    const status = (error as { code?: unknown }).code;
    const code = typeof status === 'number' ? status : undefined;
    const refused = code === 401 || code === 403;
    throw new ApiCallError(code, `could not ${what} ${AWS_AUTH_NAME}: ${describe(error, code)}`, {
      where,
      hint: refused
        ? 'changing aws-auth takes a cluster administrator: use an identity listed in infra/cluster_admins (and applied), or the one that created the cluster'
        : 'check the network path to the API server and that `aws eks get-token` works in this shell',
      cause: error,
    });
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * The API server's own words (a Status object's message) rather than client-node's message,
 * which dumps the response headers.
 */
function describe(error: unknown, code: number | undefined): string {
  if (code === undefined) return (error as Partial<Error>).message ?? String(error);
  const body = (error as { body?: unknown }).body;
  let status: { message?: unknown } | undefined;
  try {
    status = (typeof body === 'string' ? JSON.parse(body) : body) as typeof status;
  } catch {
    status = undefined;
  }
  const reason = code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : '';
  return [`HTTP ${code}${reason ? ` ${reason}` : ''}`, typeof status?.message === 'string' ? status.message : ''].filter(Boolean).join(': ');
}
