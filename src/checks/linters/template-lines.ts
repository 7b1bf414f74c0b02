import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedManifest } from '../context.js';
import type { YamlPath } from '../../yaml/source.js';

/**
 * A chart template is not YAML until rendered, so where a rendered object's field came from is
 * found in the template's text: used by the manifest rules and for kubeconform's findings.
 */

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type Hint = string | { key: string; value: string };

/** Chart template files, read once, and the line in them that produced a part of an object. */
export class TemplateTexts {
  private readonly texts = new Map<string, string[] | undefined>();

  constructor(private readonly root: string) {}

  /** The line of the key at `path` in the template that rendered the object; 1 when not found. */
  lineOf(manifest: RenderedManifest, path: YamlPath): number {
    if (!this.texts.has(manifest.template)) {
      try {
        this.texts.set(manifest.template, readFileSync(join(this.root, manifest.template), 'utf8').split('\n'));
      } catch {
        this.texts.set(manifest.template, undefined);
      }
    }
    const lines = this.texts.get(manifest.template);
    return lines ? templateLine(lines, manifest.value, path) : 1;
  }
}

/**
 * Follow a path through a template's text: each key is looked for inside the block of the one
 * before (deeper indented lines); list items are recognised by their `name:` when they have one;
 * keys the template writes through a function (`toYaml`) are skipped. The search starts at the
 * document of the template that writes the object's kind. Returns the last key found, or 1.
 */
export function templateLine(lines: string[], value: Record<string, unknown>, path: YamlPath): number {
  const hints: Hint[] = [];
  let node: unknown = value;
  for (const key of path) {
    node = isObject(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined;
    if (typeof key === 'string') hints.push(key);
    else if (isObject(node) && typeof node.name === 'string') hints.push({ key: 'name', value: node.name });
  }
  let start = 0;
  const kindLine = lines.findIndex((l) => matches(l, { key: 'kind', value: String(value.kind) }));
  if (kindLine >= 0) {
    start = kindLine;
    while (start > 0 && !/^---/.test(lineAt(lines, start - 1))) start--;
  }
  let end = lines.length;
  let found = -1;
  for (const hint of hints) {
    const index = lines.slice(start, end).findIndex((l) => matches(l, hint));
    if (index < 0) continue;
    found = start + index;
    start = found + 1;
    // A `name:` that is not the item's first key does not open a block; stay in the list's.
    if (typeof hint === 'string' || /^\s*-/.test(lineAt(lines, found))) end = blockEnd(lines, found, end);
  }
  return found + 1 || 1;
}

function matches(line: string, hint: Hint): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const key = typeof hint === 'string' ? hint : hint.key;
  const head = `^\\s*(?:-\\s+)?["']?${escape(key)}["']?\\s*:`;
  if (typeof hint === 'string') return new RegExp(`${head}(\\s|$)`).test(line);
  return new RegExp(`${head}\\s*["']?${escape(hint.value)}["']?\\s*(#.*)?$`).test(line);
}

/** The first line after `index` indented no deeper than it (template-only and comment lines do not count). */
function blockEnd(lines: string[], index: number, limit: number): number {
  const indent = (l: string) => l.length - l.trimStart().length;
  const own = indent(lineAt(lines, index));
  const ownIsItem = lineAt(lines, index).trimStart().startsWith('-');
  for (let i = index + 1; i < limit; i++) {
    const line = lineAt(lines, i);
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('{{') || trimmed.startsWith('#')) continue;
    // `key:` followed by `- item` at the same indentation: the items belong to the key.
    if (!ownIsItem && indent(line) === own && /^-(\s|$)/.test(trimmed)) continue;
    if (indent(line) <= own) return i;
  }
  return limit;
}

/** Line `index` of a template's text; the callers' indexes stay within it. */
function lineAt(lines: readonly string[], index: number): string {
  const line = lines[index];
  if (line === undefined) throw new Error(`internal: template line ${index + 1} is past its ${lines.length} lines`);
  return line;
}
