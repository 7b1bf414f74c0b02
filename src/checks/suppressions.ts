import type { Finding, RuleDefinition, Suppressed } from './finding.js';

export const suppressionRules: readonly RuleDefinition[] = [
  {
    id: 'check-suppression',
    rationale: 'a silenced finding must say why, name a real rule and still silence something, or it hides the next real problem',
    fix: 'write `# biomage-check: ignore <rule-id> <reason>` on the line, or on the line above it; remove it once it is not needed',
  },
];

interface Suppression {
  file: string;
  /** Where the comment is. */
  line: number;
  /** The line whose findings it silences. */
  target: number;
  rule: string;
  reason: string;
  used: boolean;
}

const MARKER = /biomage-check:\s*ignore\b[ \t]*(\S*)[ \t]*(.*)$/;
// Closing delimiters of comment styles other than `#`: Go templates, HTML/Markdown.
const CLOSERS = /\s*(?:-?\*\/\s*-?\}\}|-->)\s*$/;

/**
 * Find `biomage-check: ignore <rule> <reason>` comments. A comment alone on its line silences the
 * next line that is not blank or another comment; a comment after code silences its own line.
 */
export function parseSuppressions(file: string, text: string): Suppression[] {
  const lines = text.split('\n');
  const found: Suppression[] = [];
  lines.forEach((content, index) => {
    const match = MARKER.exec(content);
    if (!match) return;
    const alone = /^\s*(#|\{\{-?\s*\/\*|<!--)/.test(content);
    let target = index;
    if (alone) {
      target = index + 1;
      const skipped = (line: string | undefined) => line !== undefined && (/^\s*$/.test(line) || MARKER.test(line));
      while (skipped(lines[target])) target++;
    }
    const [, rule = '', reason = ''] = match;
    found.push({ file, line: index + 1, target: target + 1, rule, reason: reason.replace(CLOSERS, '').trim(), used: false });
  });
  return found;
}

/**
 * Split findings into those that stand and those silenced with a reason, and report the
 * suppressions that are malformed (no reason, unknown rule) or silence nothing.
 */
export function applySuppressions(
  findings: Finding[],
  suppressions: Suppression[],
  isRule: (id: string) => boolean,
): { findings: Finding[]; suppressed: Suppressed[] } {
  const valid: Suppression[] = [];
  const problems: Finding[] = [];
  for (const s of suppressions) {
    if (!s.rule || !isRule(s.rule)) {
      problems.push({ file: s.file, line: s.line, rule: 'check-suppression', message: `'${s.rule || '(none)'}' is not a rule of biomage check`, fix: 'name a rule id from `biomage check --list-rules`' });
    } else if (!s.reason) {
      problems.push({ file: s.file, line: s.line, rule: 'check-suppression', message: `suppression of ${s.rule} gives no reason` });
    } else valid.push(s);
  }
  const kept: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const finding of findings) {
    const by = valid.find((s) => s.file === finding.file && s.target === finding.line && s.rule === finding.rule);
    if (by) {
      by.used = true;
      suppressed.push({ finding, reason: by.reason });
    } else kept.push(finding);
  }
  for (const s of valid.filter((v) => !v.used)) {
    problems.push({ file: s.file, line: s.line, rule: 'check-suppression', message: `suppression of ${s.rule} silences nothing on line ${s.target}`, fix: 'remove the comment, or move it to the line of the finding' });
  }
  return { findings: [...kept, ...problems], suppressed };
}
