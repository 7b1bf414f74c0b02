import { isRecord } from './object-diff.js';

/**
 * Server-side apply's record of who owns which field (`metadata.managedFields[].fieldsV1`): a
 * tree whose keys are `f:<field>` for a map field, `k:<json>` for the item of a keyed list whose
 * keys match, `v:<json>` for a list item by value, `i:<n>` by index, and `.` for the node itself.
 * A live diff compares only the fields the applying manager owns or would own, so fields other
 * managers set (an HPA's replicas, an injected sidecar, a controller's annotation) never show.
 */
export type FieldSet = Record<string, unknown>;

/** The union of the field sets of one manager's entries (any operation) on an object. */
export function managerFields(object: unknown, manager: string, operation?: 'Apply' | 'Update'): FieldSet | undefined {
  const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : undefined;
  const entries = Array.isArray(metadata?.managedFields) ? metadata.managedFields : [];
  let union: FieldSet | undefined;
  for (const entry of entries) {
    if (!isRecord(entry) || entry.manager !== manager || (operation && entry.operation !== operation) || !isRecord(entry.fieldsV1)) continue;
    union = mergeFieldSets(union ?? {}, entry.fieldsV1);
  }
  return union;
}

export function mergeFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const merged: FieldSet = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const old = merged[key];
    merged[key] = isRecord(old) && isRecord(value) ? mergeFieldSets(old, value) : isRecord(value) ? value : (old ?? value);
  }
  return merged;
}

/** A node of the field set that names no children: the whole value is owned. */
function isLeaf(fields: FieldSet): boolean {
  return Object.keys(fields).every((key) => key === '.');
}

/** The part of `value` that `fields` covers; undefined when none of it exists in `value`. */
export function projectFields(value: unknown, fields: FieldSet): unknown {
  if (isLeaf(fields)) return value;
  if (isRecord(value)) {
    const projected: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(fields)) {
      if (!key.startsWith('f:')) continue;
      const name = key.slice(2);
      if (!(name in value)) continue;
      const part = isRecord(sub) ? projectFields(value[name], sub) : value[name];
      if (part !== undefined) projected[name] = part;
    }
    return projected;
  }
  if (Array.isArray(value)) {
    const picked: unknown[] = [];
    value.forEach((item, index) => {
      for (const [key, sub] of Object.entries(fields)) {
        if (!matchesItem(key, item, index)) continue;
        picked.push(isRecord(sub) ? projectFields(item, sub) : item);
        return;
      }
    });
    return picked;
  }
  return value;
}

function matchesItem(key: string, item: unknown, index: number): boolean {
  if (key.startsWith('i:')) return Number(key.slice(2)) === index;
  if (key.startsWith('v:')) return JSON.stringify(parseJson(key.slice(2))) === JSON.stringify(item);
  if (key.startsWith('k:')) {
    const wanted = parseJson(key.slice(2));
    if (!isRecord(wanted) || !isRecord(item)) return false;
    return Object.entries(wanted).every(([field, expected]) => JSON.stringify(item[field]) === JSON.stringify(expected));
  }
  return false;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
