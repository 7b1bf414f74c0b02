/**
 * The line in a chart template where the deepest key of a path appears: a template is not YAML
 * until rendered, so its lines are found by text, deepest key first.
 */
export function lineOfKey(text: string, path: (string | number)[]): number {
  const lines = text.split('\n');
  for (const key of path.filter((k): k is string => typeof k === 'string').reverse()) {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const at = lines.findIndex((line) => new RegExp(`^\\s*(?:-\\s*)?["']?${escaped}["']?\\s*:`).test(line));
    if (at >= 0) return at + 1;
  }
  return 1;
}
