import { UNKNOWN } from '../cfn-model.js';
import { resourceTypeArns, type ActionInfo } from './catalog.js';

/**
 * ARNs as patterns. A policy's ARN may hold IAM wildcards (`*`, `?`), policy variables
 * (`${aws:username}`) and, from offline evaluation, UNKNOWN parts; the catalogue's ARN formats
 * hold variables (`${BucketName}`). Both compile to one token language, and "this ARN can name a
 * resource of that type" is "the two patterns match a common string".
 */

type Token =
  | { kind: 'char'; char: string }
  /** Any one character except those in `exclude`. */
  | { kind: 'one'; exclude: string }
  /** Any run of characters (possibly empty) except those in `exclude`. */
  | { kind: 'star'; exclude: string };

const anyRun: Token = { kind: 'star', exclude: '' };

/** A policy ARN (or any IAM resource string) as a pattern. */
export function arnPattern(text: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i);
      if (end > 0) {
        // A policy variable: replaced per request, so it stands for anything.
        tokens.push(anyRun);
        i = end;
        continue;
      }
    }
    if (char === '*' || char === UNKNOWN) tokens.push(anyRun);
    else if (char === '?') tokens.push({ kind: 'one', exclude: '' });
    else tokens.push({ kind: 'char', char });
  }
  return tokens;
}

/** Whether some string matches both patterns. */
export function overlaps(p: Token[], q: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const width = q.length + 1;
  const go = (i: number, j: number): boolean => {
    const key = i * width + j;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    const a = p[i];
    const b = q[j];
    let result: boolean;
    if (!a && !b) result = true;
    else if (a?.kind === 'star') {
      result = go(i + 1, j) || (b !== undefined && (b.kind === 'star' ? go(i, j + 1) : accepts(a.exclude, b) && go(i, j + 1)));
    } else if (b?.kind === 'star') {
      result = go(i, j + 1) || (a !== undefined && accepts(b.exclude, a) && go(i + 1, j));
    } else if (!a || !b) result = false;
    else result = compatible(a, b) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** Whether a character class that excludes `exclude` holds a character `token` can be. */
function accepts(exclude: string, token: Token): boolean {
  return token.kind !== 'char' || !exclude.includes(token.char);
}

function compatible(a: Token, b: Token): boolean {
  if (a.kind === 'char' && b.kind === 'char') return a.char === b.char;
  if (a.kind === 'char') return accepts((b as { exclude: string }).exclude, a);
  return accepts((a as { exclude: string }).exclude, b);
}

interface CompiledType {
  key: string;
  format: string;
  tokens: Token[];
  /** Literal characters: the more, the more specific the format. */
  literals: number;
}

const compiledByService = new Map<string, CompiledType[]>();

/**
 * A service's ARN formats as patterns. A variable never spans the separator that follows it
 * (`${TableName}/index/…`), and a format's last variable spans `/` unless another format of the
 * service continues it with `/`: so `bucket/*` names objects, not buckets, and `table/t/index/*`
 * names indexes, not tables, while `role/${RoleNameWithPath}` keeps its path.
 */
function compiledTypes(service: string): CompiledType[] {
  let compiled = compiledByService.get(service);
  if (compiled) return compiled;
  const formats = [...resourceTypeArns(service).entries()];
  compiled = formats.map(([key, format]) => {
    const extendedWithSlash = formats.some(([, other]) => other !== format && other.startsWith(`${format}/`));
    const tokens: Token[] = [];
    let literals = 0;
    for (let i = 0; i < format.length; i++) {
      const char = format.charAt(i);
      if (char === '$' && format[i + 1] === '{') {
        const end = format.indexOf('}', i);
        const next = format[end + 1];
        const exclude = next === undefined ? (extendedWithSlash ? '/' : '') : next === '/' || next === ':' ? next : '';
        tokens.push({ kind: 'one', exclude }, { kind: 'star', exclude });
        i = end;
      } else if (char === '*') tokens.push(anyRun);
      else {
        tokens.push({ kind: 'char', char });
        literals++;
      }
    }
    return { key, format, tokens, literals };
  });
  compiledByService.set(service, compiled);
  return compiled;
}

/** The resource types of `service` an ARN pattern can name, most specific format first. */
export function resourceTypesOf(arn: string, service: string): string[] {
  const pattern = arnPattern(arn);
  return compiledTypes(service.toLowerCase())
    .filter((type) => overlaps(pattern, type.tokens))
    .sort((a, b) => b.literals - a.literals)
    .map((type) => type.key);
}

/** The most specific resource type a concrete ARN is, by the ARN's own service: `{ service: 's3', type: 'object' }`. */
export function classifyArn(arn: string): { service: string; type: string } | undefined {
  const service = parseArn(arn)?.service;
  const type = service ? resourceTypesOf(arn, service)[0] : undefined;
  return service && type ? { service, type } : undefined;
}

/** Whether `action` can be granted on `resource`: `*` always; otherwise one of its resource types must fit. */
export function actionApplies(action: ActionInfo, resource: string): boolean {
  if (isWholeWildcard(resource)) return true;
  if (!action.resourceTypes.length) return false;
  const pattern = arnPattern(resource);
  const types = compiledTypes(action.service);
  return action.resourceTypes.some((key) => {
    const type = types.find((t) => t.key === key);
    // A type missing from the catalogue's formats cannot be judged: assume it fits.
    return !type || overlaps(pattern, type.tokens);
  });
}

/** `*`, or a value that is entirely unknown offline (which might be anything). */
export function isWholeWildcard(resource: string): boolean {
  return resource === '*' || resource === UNKNOWN;
}

export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(text: string): ArnParts | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}
