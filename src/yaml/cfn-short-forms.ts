/**
 * CloudFormation's short-form functions (`!Ref`, `!Sub`, ...) as they appear in YAML templates,
 * shared by the two parsers: js-yaml for deploying (fast) and `yaml` where positions matter.
 */
export const FUNCTIONS = [
  'Ref', 'Condition', 'Sub', 'GetAtt', 'ImportValue', 'If', 'Equals', 'Not', 'And', 'Or', 'Select',
  'Split', 'Join', 'FindInMap', 'GetAZs', 'Base64', 'Cidr', 'Transform', 'ToJsonString', 'Length',
] as const;

const NAMES: ReadonlySet<string> = new Set(FUNCTIONS);

export const isShortForm = (name: string): boolean => NAMES.has(name);

/** `Ref` and `Condition` keep their name; every other function is `Fn::<name>`. */
export const longName = (name: string): string => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** The long form of a short form's value: `!GetAtt Resource.Attr.With.Dots` splits on the first dot only. */
export function longValue(name: string, value: unknown): unknown {
  if (name !== 'GetAtt' || typeof value !== 'string') return value;
  const at = value.indexOf('.');
  return at < 0 ? [value] : [value.slice(0, at), value.slice(at + 1)];
}

/** The tags for the `yaml` library: accepted without warnings, their meaning applied by the caller. */
export const YAML_TAGS = FUNCTIONS.flatMap((name) =>
  (['scalar', 'seq', 'map'] as const).map((collection) =>
    collection === 'scalar'
      ? { tag: `!${name}`, resolve: (value: string) => value }
      : { tag: `!${name}`, collection, resolve: (node: unknown) => node },
  ),
);
