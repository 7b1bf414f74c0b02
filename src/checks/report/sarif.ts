import type { Finding, RuleDefinition } from '../finding.js';
import type { CheckReport } from '../run-check.js';

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, the rules that fired, one result per finding;
 * suppressed findings are included with their in-source justification, as the format intends.
 */
export function renderSarif(report: CheckReport, ruleOf: (id: string) => RuleDefinition | undefined, version: string): string {
  const all = [...report.findings.map((f) => ({ finding: f, reason: undefined as string | undefined })), ...report.suppressed.map((s) => ({ finding: s.finding, reason: s.reason }))];
  const ids = [...new Set(all.map((a) => a.finding.rule))].sort();
  const rules = ids.map((id) => {
    const rule = ruleOf(id);
    return {
      id,
      shortDescription: { text: rule?.rationale ?? id },
      help: { text: rule?.fix ?? '' },
    };
  });
  const results = all.map(({ finding, reason }) => ({
    ruleId: finding.rule,
    ruleIndex: ids.indexOf(finding.rule),
    level: 'error',
    message: { text: withFix(finding, ruleOf) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: finding.file, uriBaseId: '%SRCROOT%' },
          region: { startLine: finding.line, ...(finding.column ? { startColumn: finding.column } : {}) },
        },
      },
    ],
    ...(reason ? { suppressions: [{ kind: 'inSource', justification: reason }] } : {}),
  }));
  return JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'biomage check', version, rules } }, results }],
    },
    null,
    2,
  );
}

function withFix(finding: Finding, ruleOf: (id: string) => RuleDefinition | undefined): string {
  const fix = finding.fix ?? ruleOf(finding.rule)?.fix;
  return fix ? `${finding.message} (fix: ${fix})` : finding.message;
}
