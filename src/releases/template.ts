import { LineCounter, parse, parseDocument, visit, type Document, type Scalar } from 'yaml';

/**
 * Placeholders in a `.flux.ci` template: `${name}` inside a YAML value, where `name` is a built-in
 * (env, image, image.tag, sha …) or one given with `--set name=value`. `$${…}` is a literal `${…}`.
 * They are filled in scalar by scalar on the parsed document, so a value can never break the
 * YAML around it, and the template's comments and layout survive.
 */
const PLACEHOLDER = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[a-z][a-zA-Z0-9]*(?:[._-][a-zA-Z0-9]+)*$/;

export function isPlaceholderName(name: string): boolean {
  return NAME.test(name);
}

export interface PlaceholderValue {
  value: string | undefined;
  /** Why the value is unavailable (`--image has no tag`), when it is. */
  missing?: string;
  /**
   * A whole-scalar placeholder in a plain (unquoted) scalar is read as YAML would read the
   * value typed in its place (`replicas: ${replicas}` with 3 is the number 3). Built-ins are
   * always strings: a short SHA of digits or a tag like `1.10` must stay text.
   */
  typed?: boolean;
}

export interface TemplateProblem {
  line: number;
  message: string;
}

export interface FilledTemplate {
  document?: Document.Parsed;
  /** Placeholder names the template uses. */
  used: Set<string>;
  problems: TemplateProblem[];
}

export function fillTemplate(text: string, values: ReadonlyMap<string, PlaceholderValue>): FilledTemplate {
  const lineCounter = new LineCounter();
  const used = new Set<string>();
  const problems: TemplateProblem[] = [];
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    // Only the first: the parser's later errors are mostly the same mistake seen again.
    problems.push({ line: lineCounter.linePos(error.pos[0]).line, message: `not valid YAML: ${error.message.split('\n')[0]}` });
    return { used, problems };
  }
  visit(document, {
    Scalar(key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const line = lineCounter.linePos(node.range?.[0] ?? 0).line;
      if (key === 'key') {
        if (new RegExp(PLACEHOLDER.source).test(node.value)) problems.push({ line, message: `a placeholder in the key ${node.value}: placeholders go in values` });
        return;
      }
      fillScalar(node, line);
    },
  });
  return { document, used, problems };

  function fillScalar(node: Scalar, line: number): void {
    const source = node.value as string;
    const whole = /^\$\{([^}]*)\}$/.exec(source)?.[1];
    // Set in the replace callback below, which the compiler does not follow.
    let typed = false as boolean;
    // In a literal block (`|`) each line of the value is a line of the file, after the header.
    const lineAt = (offset: number) => (node.type === 'BLOCK_LITERAL' ? line + 1 + (source.slice(0, offset).match(/\n/g)?.length ?? 0) : line);
    const filled = source.replace(PLACEHOLDER, (match, escaped: string, raw: string, offset: number) => {
      if (escaped) return match.slice(1);
      const line = lineAt(offset);
      const name = raw.trim();
      if (!isPlaceholderName(name)) {
        problems.push({ line, message: `\${${raw}} is not a placeholder name (letters and digits, parts joined by . _ or -)` });
        return match;
      }
      used.add(name);
      const known = values.get(name);
      if (!known) {
        problems.push({ line, message: `unknown placeholder \${${name}}: not built in, and no --set ${name}=<value> was given` });
        return match;
      }
      if (known.value === undefined) {
        problems.push({ line, message: `\${${name}} cannot be filled: ${known.missing ?? 'no value'}` });
        return match;
      }
      typed = whole !== undefined && Boolean(known.typed);
      return known.value;
    });
    if (source.replace(PLACEHOLDER, '').includes('${')) {
      problems.push({ line, message: `an unclosed placeholder in ${JSON.stringify(source)}` });
    }
    if (typed && node.type === 'PLAIN') {
      const value: unknown = parse(filled);
      node.value = value === null || ['string', 'number', 'boolean'].includes(typeof value) ? value : filled;
    } else {
      node.value = filled;
    }
  }
}
