import type { CfnTemplate, CfnValue } from './template.js';

/** What is known before deploying: the parameters we pass and the pseudo-parameters we know. */
export type KnownValues = Readonly<Record<string, string>>;

/**
 * Evaluate the template's conditions that depend only on known values (in practice
 * `!Equals [!Ref Environment, development]` and combinations). Unknown ones are left out.
 */
export function staticConditions(doc: CfnTemplate, known: KnownValues): Map<string, boolean> {
  const results = new Map<string, boolean>();
  const evaluate = (value: CfnValue, seen: Set<string>): boolean | undefined => {
    if (!isObject(value)) return undefined;
    if ('Condition' in value && typeof value.Condition === 'string') return byName(value.Condition, seen);
    const [fn, args] = Object.entries(value)[0] ?? [];
    if (!Array.isArray(args)) return undefined;
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = args.map((arg) => resolveString(arg, known));
        return a === undefined || b === undefined ? undefined : a === b;
      }
      case 'Fn::Not': {
        const inner = evaluate(args[0], seen);
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And': {
        const parts = args.map((a) => evaluate(a, seen));
        return parts.includes(false) ? false : parts.includes(undefined) ? undefined : true;
      }
      case 'Fn::Or': {
        const parts = args.map((a) => evaluate(a, seen));
        return parts.includes(true) ? true : parts.includes(undefined) ? undefined : false;
      }
      default:
        return undefined;
    }
  };
  const byName = (name: string, seen: Set<string>): boolean | undefined => {
    if (results.has(name)) return results.get(name);
    if (seen.has(name) || !doc.Conditions || !(name in doc.Conditions)) return undefined;
    const value = evaluate(doc.Conditions[name], new Set([...seen, name]));
    if (value !== undefined) results.set(name, value);
    return value;
  };
  for (const name of Object.keys(doc.Conditions ?? {})) byName(name, new Set());
  return results;
}

/** A string value with `Ref`s and `Fn::Sub`s of known values resolved; undefined when it needs more. */
export function resolveString(value: CfnValue, known: KnownValues): string | undefined {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return known[value.Ref];
  const sub = value['Fn::Sub'];
  if (typeof sub === 'string') return substituteKnown(sub, known);
  if (Array.isArray(sub) && typeof sub[0] === 'string') {
    const locals: Record<string, string> = { ...known };
    for (const [k, v] of Object.entries(isObject(sub[1]) ? sub[1] : {})) {
      const resolved = resolveString(v, known);
      if (resolved === undefined) return undefined;
      locals[k] = resolved;
    }
    return substituteKnown(sub[0], locals);
  }
  return undefined;
}

/** `${Name}` through `lookup`; `${!Literal}` is CloudFormation's escape for a literal `${Literal}`. */
export function substitute(text: string, lookup: (name: string) => string): string {
  return text.replace(/\$\{([^}]*)\}/g, (_match, name: string) => (name.startsWith('!') ? `\${${name.slice(1)}}` : lookup(name.trim())));
}

/** `${Name}` from the known values; undefined when one of them is not known. */
function substituteKnown(text: string, known: KnownValues): string | undefined {
  const unresolved: string[] = [];
  const out = substitute(text, (name) => {
    const value = known[name];
    if (value === undefined) unresolved.push(name);
    return value ?? '';
  });
  return unresolved.length ? undefined : out;
}

export interface References {
  /** Export names this template declares (resolved). */
  exports: string[];
  /** Export names it imports, live branches only; `unresolved` counts the ones we could not name. */
  imports: string[];
  unresolved: number;
}

/** The exports a template declares and the imports it makes, for this environment. */
export function references(doc: CfnTemplate, known: KnownValues): References {
  const conditions = staticConditions(doc, known);
  const dead = (condition: unknown) => typeof condition === 'string' && conditions.get(condition) === false;
  const imports: string[] = [];
  let unresolved = 0;

  const walk = (value: CfnValue): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!isObject(value)) return;
    const branches = value['Fn::If'];
    if (Array.isArray(branches) && typeof branches[0] === 'string' && conditions.has(branches[0])) {
      return walk(conditions.get(branches[0]) ? branches[1] : branches[2]);
    }
    if ('Fn::ImportValue' in value) {
      const name = resolveString(value['Fn::ImportValue'], known);
      if (name === undefined) unresolved++;
      else imports.push(name);
      return;
    }
    Object.values(value).forEach(walk);
  };

  for (const resource of Object.values(doc.Resources)) if (!dead(resource.Condition)) walk(resource);
  const exports: string[] = [];
  for (const output of Object.values(doc.Outputs ?? {})) {
    if (dead(output.Condition)) continue;
    walk(output.Value);
    const name = output.Export ? resolveString(output.Export.Name, known) : undefined;
    if (name) exports.push(name);
  }
  return { exports: [...new Set(exports)], imports: [...new Set(imports)], unresolved };
}

function isObject(value: unknown): value is Record<string, CfnValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
