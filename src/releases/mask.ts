import { isRecord } from './object-diff.js';

/** What a Secret's value reads as in a diff: that it is there, and whether it changed, never what it is. */
export const HIDDEN = '(hidden)';
export const HIDDEN_CHANGED = '(hidden, changed)';

/** kubectl's client-side apply copies a whole Secret, data included, into this annotation. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Both versions of an object with a Secret's values replaced: every key of `data` and
 * `stringData` keeps its name, its value becomes HIDDEN, or HIDDEN_CHANGED on the side after
 * when it differs from the side before. No digest of the value either: a short password's hash
 * can be guessed. Objects other than Secrets come back as they are.
 */
export function maskSecrets<T>(before: T, after: T): { before: T; after: T } {
  if (!isSecret(before) && !isSecret(after)) return { before, after };
  const a = structuredClone(before) as unknown;
  const b = structuredClone(after) as unknown;
  for (const field of ['data', 'stringData']) {
    const old = isRecord(a) && isRecord(a[field]) ? a[field] : undefined;
    const next = isRecord(b) && isRecord(b[field]) ? b[field] : undefined;
    if (next) for (const key of Object.keys(next)) next[key] = old && key in old && old[key] === next[key] ? HIDDEN : HIDDEN_CHANGED;
    if (old) for (const key of Object.keys(old)) old[key] = HIDDEN;
  }
  for (const object of [a, b]) {
    const annotations = isRecord(object) && isRecord(object.metadata) && isRecord(object.metadata.annotations) ? object.metadata.annotations : undefined;
    if (annotations && LAST_APPLIED in annotations) annotations[LAST_APPLIED] = HIDDEN;
  }
  return { before: a as T, after: b as T };
}

function isSecret(object: unknown): boolean {
  return isRecord(object) && object.kind === 'Secret' && (object.apiVersion === 'v1' || object.apiVersion === undefined);
}
