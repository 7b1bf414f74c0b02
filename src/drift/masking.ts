import { declaresNoEcho } from '../cf/template.js';

/*
 * Which drifted values never reach output. The rule, in full (docs/runbooks/drift.md repeats it):
 *
 *  1. A property whose template value is derived from a secret: a Ref to a NoEcho parameter, a
 *     `${Parameter}` of a NoEcho parameter inside Fn::Sub, or a dynamic reference to Secrets
 *     Manager or to an SSM SecureString (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`),
 *     anywhere inside the value (Fn::Join, Fn::If, a nested mapping…). The value at the property
 *     path is what counts, and so is any intrinsic function met on the way down to it: a whole
 *     mapping built by Fn::If from a NoEcho parameter hides every property below it; a mapping
 *     that holds one secret somewhere hides itself whole, since its text would carry the secret.
 *  2. A property with a secret-valued name anywhere on its path (SECRET_PROPERTY_NAMES: the
 *     passwords, tokens and secret strings of the CloudFormation resource types), whatever its
 *     template value, because a hand-set value there is a secret too.
 *
 * A masked difference keeps its path (what drifted is no secret) and shows both values as ****.
 * The NoEcho values cf/parameters.yaml gives are also registered with the output layer, which
 * masks them anywhere else they might appear.
 */

export const MASK = '****';

/** Property names whose values are secrets in the resource types that have them. */
export const SECRET_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  // AWS::SecretsManager::Secret
  'SecretString',
  'SecretBinary',
  // AWS::RDS::DBCluster and DBInstance, AWS::DocDB::DBCluster, AWS::Redshift::Cluster, AWS::Neptune
  'MasterUserPassword',
  // AWS::IAM::User LoginProfile, AWS::DMS::Endpoint, AWS::AmazonMQ::Broker Users
  'Password',
  // AWS::ElastiCache::ReplicationGroup
  'AuthToken',
  // AWS::IoT and AWS::Transfer keys, AWS::Cognito identity providers' details
  'PrivateKey',
  'ClientSecret',
  'client_secret',
]);

const DYNAMIC_SECRET = /\{\{resolve:(secretsmanager|ssm-secure):/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ Ref: … }` or `{ 'Fn::…': … }`: a value CloudFormation computes. */
function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] ?? '').startsWith('Fn::'));
}

/** Why a template value (with everything inside it) carries a secret; undefined when it does not. */
export function secretSource(value: unknown, noEcho: ReadonlySet<string>): string | undefined {
  if (typeof value === 'string') {
    const dynamic = DYNAMIC_SECRET.exec(value);
    if (dynamic) return dynamic[1] === 'secretsmanager' ? 'a {{resolve:secretsmanager:…}} reference' : 'a {{resolve:ssm-secure:…}} reference';
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = secretSource(item, noEcho);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (isIntrinsic(value) && typeof value.Ref === 'string' && noEcho.has(value.Ref)) return `NoEcho parameter ${value.Ref}`;
  const sub = value['Fn::Sub'];
  if (sub !== undefined && isIntrinsic(value)) {
    const [text, variables]: unknown[] = Array.isArray(sub) ? (sub as unknown[]) : [sub];
    const own = isRecord(variables) ? new Set(Object.keys(variables)) : new Set<string>();
    if (typeof text === 'string') {
      for (const match of text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)) {
        const name = match[1] ?? '';
        if (!own.has(name) && noEcho.has(name)) return `NoEcho parameter ${name}`;
      }
      const dynamic = secretSource(text, noEcho);
      if (dynamic) return dynamic;
    }
    return secretSource(variables, noEcho);
  }
  for (const item of Object.values(value)) {
    const found = secretSource(item, noEcho);
    if (found) return found;
  }
  return undefined;
}

/** `/Environment/Variables/TOKEN` → ['Environment', 'Variables', 'TOKEN'] (JSON pointer escapes undone). */
export function pathSegments(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  // CloudFormation gives paths relative to the resource's Properties; accept the absolute form too.
  return segments[0] === 'Properties' ? segments.slice(1) : segments;
}

/**
 * Why the drifted property at `path` must not be shown (rule 1 or 2 above); undefined when it may be.
 * `properties` is the resource's Properties as the template writes them (undefined when the
 * stack has no template here: only rule 2 then applies).
 */
export function maskReason(path: string, properties: Record<string, unknown> | undefined, noEcho: ReadonlySet<string>): string | undefined {
  const segments = pathSegments(path);
  const named = segments.find((s) => SECRET_PROPERTY_NAMES.has(s));
  if (named) return `${named} holds a secret`;
  let node: unknown = properties;
  for (const segment of segments) {
    // An intrinsic on the way down computes everything below it.
    if (isIntrinsic(node)) return secretSource(node, noEcho);
    if (Array.isArray(node)) node = /^\d+$/.test(segment) ? node[Number(segment)] : undefined;
    else if (isRecord(node)) node = node[segment];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return secretSource(node, noEcho);
}

/** The NoEcho parameters a template declares. */
export function noEchoParameters(parameters: Record<string, unknown> | undefined): Set<string> {
  const names = new Set<string>();
  for (const [name, body] of Object.entries(parameters ?? {})) {
    if (isRecord(body) && declaresNoEcho(body)) names.add(name);
  }
  return names;
}
