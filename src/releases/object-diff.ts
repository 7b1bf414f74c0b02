import { stringify } from 'yaml';

/**
 * Comparing two versions of one Kubernetes object: the field paths that differ, and a unified
 * diff of their YAML with keys in a stable order (so a diff never shows a key that only moved).
 */

/** One field that differs. `before` absent: the field was added; `after` absent: removed. */
export interface FieldChange {
  /** `spec.replicas`, `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

type Segment = string | number | { key: string; value: string };

/** The fields that differ between two versions of an object, in document order (leaves only). */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(before, after, [], changes);
  return changes;
}

function walk(before: unknown, after: unknown, path: Segment[], changes: FieldChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    for (const key of keys) {
      const inBefore = key in before;
      const inAfter = key in after;
      if (inBefore && inAfter) walk(before[key], after[key], [...path, key], changes);
      else if (inBefore) changes.push({ path: formatPath([...path, key]), before: before[key] });
      else changes.push({ path: formatPath([...path, key]), after: after[key] });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = mergeKey(before, after);
    if (key) {
      // Lists such as containers, ports and env are keyed by name in Kubernetes' merge strategy:
      // matching by it shows a change inside one item rather than every later item shifting.
      const named = (list: unknown[]) => new Map(list.map((item) => [String((item as Record<string, unknown>)[key]), item]));
      const a = named(before);
      const b = named(after);
      for (const [name, item] of a) {
        const segment = { key, value: name };
        if (b.has(name)) walk(item, b.get(name), [...path, segment], changes);
        else changes.push({ path: formatPath([...path, segment]), before: item });
      }
      for (const [name, item] of b) if (!a.has(name)) changes.push({ path: formatPath([...path, { key, value: name }]), after: item });
      return;
    }
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index++) {
      if (index >= after.length) changes.push({ path: formatPath([...path, index]), before: before[index] });
      else if (index >= before.length) changes.push({ path: formatPath([...path, index]), after: after[index] });
      else walk(before[index], after[index], [...path, index], changes);
    }
    return;
  }
  if (!sameValue(before, after)) changes.push({ path: formatPath(path), before, after });
}

/** `name` (or another identifying key) when every item of both lists is an object with a distinct string value for it. */
function mergeKey(before: unknown[], after: unknown[]): string | undefined {
  if (!before.length && !after.length) return undefined;
  for (const key of ['name', 'containerPort', 'mountPath', 'key']) {
    const fits = (list: unknown[]) => {
      const values = list.map((item) => (isRecord(item) ? item[key] : undefined));
      return values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length;
    };
    if (fits(before) && fits(after)) return key;
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isRecord(a) || isRecord(b) || Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function formatPath(path: Segment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'object') text += `[${segment.key}=${segment.value}]`;
    else if (PLAIN_KEY.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text || '(root)';
}

/** A value as it reads in a one-line change: scalars as YAML would print them, structures as compact JSON. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return /^[\w./:@-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** YAML with map keys sorted at every level: equal objects give equal text whatever their key order. */
export function canonicalYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * A unified diff (as `diff -u` prints it) of two texts, with `context` lines around each change;
 * empty when they are equal. Either side may be empty text: an added or removed object.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const script = editScript(a, b);
  const hunks: string[] = [];
  let index = 0;
  while (index < script.length) {
    // The next change, and the run of changes (with at most 2×context equal lines between them) after it.
    while (index < script.length && script[index]?.op === '=') index++;
    if (index >= script.length) break;
    const start = Math.max(0, index - context);
    let end = index;
    for (let probe = index; probe < script.length; probe++) {
      if (script[probe]?.op !== '=') end = probe;
      else if (probe - end > 2 * context) break;
    }
    const last = Math.min(script.length - 1, end + context);
    const slice = script.slice(start, last + 1);
    const first = script[start];
    const fromStart = first ? first.aLine : 0;
    const toStart = first ? first.bLine : 0;
    const fromCount = slice.filter((e) => e.op !== '+').length;
    const toCount = slice.filter((e) => e.op !== '-').length;
    hunks.push(`@@ -${range(fromStart, fromCount)} +${range(toStart, toCount)} @@`);
    for (const entry of slice) hunks.push(`${entry.op === '=' ? ' ' : entry.op}${entry.text}`);
    index = last + 1;
  }
  return [`--- ${labels.from}`, `+++ ${labels.to}`, ...hunks].join('\n') + '\n';
}

/** `diff -u` numbering: 1-based start, and the start before the hunk (0 for an empty file) when it has no lines. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

function splitLines(text: string): string[] {
  if (!text) return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

interface EditEntry {
  op: '=' | '-' | '+';
  text: string;
  /** Lines of each side before this entry (0-based positions). */
  aLine: number;
  bLine: number;
}

/** The shortest edit script between two line lists (Myers' O((N+M)·D) algorithm). */
function editScript(a: string[], b: string[]): EditEntry[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
    v = next;
  }
  // Walk the trace back from the end to recover the path.
  const reversed: { op: '=' | '-' | '+'; x: number; y: number }[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const previous = trace[d] ?? new Int32Array(0);
    const k = x - y;
    const down = k === -d || (k !== d && (previous[offset + k - 1] ?? 0) < (previous[offset + k + 1] ?? 0));
    const prevK = down ? k + 1 : k - 1;
    const prevX = previous[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      reversed.push({ op: '=', x, y });
    }
    if (d > 0) {
      if (down) {
        y--;
        reversed.push({ op: '+', x, y });
      } else {
        x--;
        reversed.push({ op: '-', x, y });
      }
    }
  }
  return reversed.reverse().map((step) => ({
    op: step.op,
    text: step.op === '+' ? (b[step.y] ?? '') : (a[step.x] ?? ''),
    aLine: step.x,
    bLine: step.y,
  }));
}
