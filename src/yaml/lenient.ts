import { CST, Lexer } from 'yaml';

/**
 * CloudFormation reads templates with a YAML parser more lenient than the YAML 1.2 spec that the
 * `yaml` library follows: the lines of a flow collection (`[ … ]`, `{ … }`) opened inside a block
 * item may sit at, or left of, that item's own indentation, as in
 *
 *       - !Sub ["https://${Host}", Host: !Join ["", [
 *           !Ref Prefix, ".example.org"
 *       ]]]
 *
 * (PyYAML, cfn-lint and js-yaml accept it too). This returns the text with each such line
 * indented one column past the line that opened the outermost flow collection, which makes it
 * valid YAML with the same meaning and the same line numbers; undefined when no line needed it.
 *
 * The lexer, not a scan for brackets, decides what is a flow collection: brackets inside quoted
 * strings, comments and block scalars (a Lambda's inline code) are text, not structure.
 */
/**
 * Parse with a strict parser; when that fails, once more with the flow indentation made explicit,
 * keeping the strict result (and its errors) when that does not help either.
 */
export function parseLeniently<T>(text: string, parse: (source: string) => T, failed: (parsed: T) => boolean): T {
  const strict = parse(text);
  const lenient = failed(strict) ? indentFlowContinuations(text) : undefined;
  if (lenient === undefined) return strict;
  const retried = parse(lenient);
  return failed(retried) ? strict : retried;
}

export function indentFlowContinuations(text: string): string | undefined {
  // The lexer leaves flow mode at the first line that is not indented enough, so what follows that
  // line is read differently once it is mended: mend up to the first such line, then read again.
  let lines = text.split('\n');
  let changed = false;
  for (let pad = firstUnderIndentedLine(lines.join('\n')); pad; pad = firstUnderIndentedLine(lines.join('\n'))) {
    lines = lines.map((content, index) => {
      const width = pad.get(index);
      return width === undefined ? content : ' '.repeat(width) + content;
    });
    changed = true;
  }
  return changed ? lines.join('\n') : undefined;
}

/**
 * The lines inside flow collections indented at or left of the line that opened the outermost
 * one, up to the first line the lexer could not read as flow any more, with the columns each
 * needs; undefined when there is none.
 */
function firstUnderIndentedLine(text: string): Map<number, number> | undefined {
  const pads = new Map<number, number>();
  let line = 0;
  let depth = 0;
  let openerIndent = 0;
  let lineIndent = 0;
  let atLineStart = true;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'flow-error-end') {
      // Emitted before the line's first token when the line starts at column 0.
      if (atLineStart && depth > 0) pads.set(line, openerIndent + 1);
      return pads.size ? pads : undefined;
    }
    if (type === 'newline') {
      line++;
      atLineStart = true;
      continue;
    }
    // The lexer's control tokens (document start, scalar marker) are not text.
    if (type === 'doc-mode' || type === 'scalar') continue;
    if (atLineStart) {
      atLineStart = false;
      lineIndent = type === 'space' ? token.length : 0;
      if (depth > 0 && lineIndent <= openerIndent) pads.set(line, openerIndent + 1 - lineIndent);
    }
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      if (depth++ === 0) openerIndent = lineIndent;
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      depth = Math.max(0, depth - 1);
    } else {
      // Multi-line scalars and block scalars carry their own line breaks.
      for (const char of token) if (char === '\n') line++;
    }
  }
  return pads.size ? pads : undefined;
}
