/** One problem `biomage check` found: where it is, which rule, what is wrong and how to fix it. */
export interface Finding {
  /** Path relative to the checked repository's root. */
  file: string;
  /** 1-based; 1 when the problem belongs to the whole file. */
  line: number;
  column?: number;
  rule: string;
  message: string;
  /** The next step; defaults to the rule's fix hint. */
  fix?: string;
}

/** A repository rule: a stable id, why it exists (one line), and the usual fix. */
export interface RuleDefinition {
  id: string;
  rationale: string;
  fix: string;
}

/** A finding silenced by a `# biomage-check: ignore <rule> <reason>` comment. */
export interface Suppressed {
  finding: Finding;
  reason: string;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    (a.column ?? 0) - (b.column ?? 0) ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Rules as a lookup table, refusing two rules with one id (a copy-paste slip in a rule module). */
export function ruleTable(groups: readonly (readonly RuleDefinition[])[]): ReadonlyMap<string, RuleDefinition> {
  const table = new Map<string, RuleDefinition>();
  for (const rule of groups.flat()) {
    if (table.has(rule.id)) throw new Error(`two rules are named ${rule.id}`);
    table.set(rule.id, rule);
  }
  return table;
}
