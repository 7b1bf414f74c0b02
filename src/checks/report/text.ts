import type { Paint } from '../../ui/style.js';
import type { CheckReport } from '../run-check.js';
import type { Finding, RuleDefinition } from '../finding.js';

/** `file:line rule-id message (fix: …)`, one per finding, then the summary. */
export function renderText(report: CheckReport, ruleOf: (id: string) => RuleDefinition | undefined, paint: Paint): string {
  const lines = report.findings.map((f) => formatFinding(f, ruleOf));
  const files = new Set(report.findings.map((f) => f.file)).size;
  const checked = Object.entries(report.checked)
    .filter(([, n]) => n > 0)
    .map(([area, n]) => `${n} ${n === 1 ? area.replace(/s$/, '') : area}`)
    .join(', ');
  if (lines.length) lines.push('');
  lines.push(
    report.findings.length
      ? paint('red', `${count(report.findings.length, 'finding')} in ${count(files, 'file')}`)
      : paint('green', 'no findings'),
  );
  if (report.suppressed.length) {
    lines.push(`${count(report.suppressed.length, 'finding')} suppressed:`);
    for (const s of report.suppressed) lines.push(`  ${s.finding.file}:${s.finding.line} ${s.finding.rule}: ${s.reason}`);
  }
  lines.push(paint('dim', `checked: ${checked || 'nothing (no cf/, infra/, charts/, releases/ or workflows found)'}`));
  return lines.join('\n');
}

export function formatFinding(f: Finding, ruleOf: (id: string) => RuleDefinition | undefined): string {
  const fix = f.fix ?? ruleOf(f.rule)?.fix;
  return `${f.file}:${f.line} ${f.rule} ${f.message}${fix ? ` (fix: ${fix})` : ''}`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
