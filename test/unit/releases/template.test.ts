import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fillTemplate, type PlaceholderValue } from '../../../src/releases/template.js';

const values = (entries: Record<string, PlaceholderValue>) => new Map(Object.entries(entries));

/** The template's lines joined, so each test shows the line numbers it expects. */
const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('fillTemplate', () => {
  it('keeps built-in values strings, even those that look like numbers, in the document and in its text', () => {
    const { document, problems } = fillTemplate(lines('sha: ${sha.short}', 'tag: ${image.tag}', 'env: ${env}'), values({
      'sha.short': { value: '0123456' },
      'image.tag': { value: '1.10' },
      env: { value: 'staging' },
    }));
    expect(problems).toEqual([]);
    expect(document!.toJS()).toEqual({ sha: '0123456', tag: '1.10', env: 'staging' });
    // Written out and read again (what Flux reads), they are still the same strings.
    expect(parse(document!.toString())).toEqual({ sha: '0123456', tag: '1.10', env: 'staging' });
  });

  it('types a --set value that is the whole of a plain scalar, as YAML would read it typed in place', () => {
    const { document, problems } = fillTemplate(lines('replicas: ${replicas}', 'debug: ${debug}', 'ratio: ${ratio}', 'list:', '  - ${replicas}'), values({
      replicas: { value: '3', typed: true },
      debug: { value: 'true', typed: true },
      ratio: { value: '0.5', typed: true },
    }));
    expect(problems).toEqual([]);
    expect(document!.toJS()).toEqual({ replicas: 3, debug: true, ratio: 0.5, list: [3] });
    expect(parse(document!.toString())).toEqual({ replicas: 3, debug: true, ratio: 0.5, list: [3] });
  });

  it('keeps a typed value a string when the template quotes it, or when the placeholder is only part of the scalar', () => {
    const { document, problems } = fillTemplate(
      lines('double: "${replicas}"', "single: '${replicas}'", 'part: n-${replicas}', 'two: ${replicas}${replicas}', 'flag: "${debug}"'),
      values({ replicas: { value: '3', typed: true }, debug: { value: 'true', typed: true } }),
    );
    expect(problems).toEqual([]);
    expect(document!.toJS()).toEqual({ double: '3', single: '3', part: 'n-3', two: '33', flag: 'true' });
    expect(parse(document!.toString())).toEqual({ double: '3', single: '3', part: 'n-3', two: '33', flag: 'true' });
  });

  it('keeps a typed value that YAML would read as a mapping a string', () => {
    const { document, problems } = fillTemplate(lines('value: ${pair}'), values({ pair: { value: 'a: b', typed: true } }));
    expect(problems).toEqual([]);
    expect(document!.toJS()).toEqual({ value: 'a: b' });
    expect(parse(document!.toString())).toEqual({ value: 'a: b' });
  });

  it('turns $${x} into a literal ${x}, which is neither filled nor counted as used', () => {
    const { document, used, problems } = fillTemplate(lines('literal: $${x}', 'mixed: $${env}-${env}', 'whole: $${replicas}'), values({
      x: { value: 'never' },
      env: { value: 'staging' },
      replicas: { value: '3', typed: true },
    }));
    expect(problems).toEqual([]);
    expect(document!.toJS()).toEqual({ literal: '${x}', mixed: '${env}-staging', whole: '${replicas}' });
    expect(used).toEqual(new Set(['env']));
  });

  it('does not fill placeholders again inside a value, and inserts replacement patterns literally', () => {
    const { document, used, problems } = fillTemplate(lines('a: ${a}', 'b: x-${b}'), values({
      a: { value: '${other}' },
      b: { value: "$& $1 $$ $'" },
      other: { value: 'filled twice' },
    }));
    expect(problems).toEqual([]);
    expect(document!.toJS()).toEqual({ a: '${other}', b: "x-$& $1 $$ $'" });
    expect(used).toEqual(new Set(['a', 'b']));
  });

  it('collects every placeholder name the template uses, including unknown ones, and not those in keys or malformed', () => {
    const { used } = fillTemplate(
      lines('a: ${env}', 'b:', '  - ${image.tag}', '  - { c: "${sha.short}-${env}" }', 'd: ${nope}', 'e: ${bad name}', '${key}: 1'),
      values({ env: { value: 'staging' }, 'image.tag': { value: '1.0' }, 'sha.short': { value: 'abc1234' } }),
    );
    expect(used).toEqual(new Set(['env', 'image.tag', 'sha.short', 'nope']));
  });

  it('reports each problem on its line, and leaves the placeholder as it was', () => {
    const { document, problems } = fillTemplate(
      lines(
        '# a release',
        'metadata:',
        '  name: ${service}',
        'spec:',
        '  tag: ${image tag}',
        '  other: ${abc',
        '  ${key}: x',
        '  digest: ${image.digest}',
        '  fine: ${env}',
      ),
      values({ env: { value: 'staging' }, 'image.digest': { value: undefined, missing: '--image has no digest' } }),
    );
    expect(problems).toEqual([
      { line: 3, message: 'unknown placeholder ${service}: not built in, and no --set service=<value> was given' },
      { line: 5, message: '${image tag} is not a placeholder name (letters and digits, parts joined by . _ or -)' },
      { line: 6, message: 'an unclosed placeholder in "${abc"' },
      { line: 7, message: 'a placeholder in the key ${key}: placeholders go in values' },
      { line: 8, message: '${image.digest} cannot be filled: --image has no digest' },
    ]);
    expect(document!.toJS()).toEqual({
      metadata: { name: '${service}' },
      spec: { tag: '${image tag}', other: '${abc', '${key}': 'x', digest: '${image.digest}', fine: 'staging' },
    });
  });

  it('points at the line of a placeholder inside a literal block', () => {
    const text = lines('spec:', '  script: |', '    echo start', '    echo ${nope}', '  other: ${nope}');
    const { problems } = fillTemplate(text, values({}));
    expect(problems.map((p) => p.line)).toEqual([4, 5]);
  });

  it('says "no value" for a value that is missing without a reason', () => {
    expect(fillTemplate(lines('a: 1', 'b: ${x}'), values({ x: { value: undefined } })).problems).toEqual([{ line: 2, message: '${x} cannot be filled: no value' }]);
  });

  it('reports an unclosed placeholder after a filled one in the same scalar', () => {
    const { problems } = fillTemplate(lines('a: 1', 'b: ${env}-${abc'), values({ env: { value: 'staging' } }));
    expect(problems).toEqual([{ line: 2, message: 'an unclosed placeholder in "${env}-${abc"' }]);
  });

  it('reports only the first error of invalid YAML, on its line, and gives no document', () => {
    const result = fillTemplate(lines('a: 1', 'b: c: d', 'e: [', 'f: g: h'), values({}));
    expect(result.document).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.line).toBe(2);
    expect(result.problems[0]!.message).toMatch(/^not valid YAML: /);
    expect(result.problems[0]!.message).not.toContain('\n');
  });

  it('reports a duplicate key as invalid YAML on the line of the second one', () => {
    const { problems, document } = fillTemplate(lines('a: 1', 'b: 2', 'a: 3'), values({}));
    expect(document).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^not valid YAML: Map keys must be unique/) });
  });

  it("keeps the template's comments and layout in the document's text", () => {
    const template = lines(
      '# The ui release. ${not} a placeholder in a comment',
      'spec:',
      '  # the tag CI pushed',
      '  tag: ${image.tag} # filled in',
      '',
      '  values:',
      '    replicas: ${replicas}',
    );
    const { document, problems } = fillTemplate(template, values({ 'image.tag': { value: 'v1.4.2' }, replicas: { value: '2', typed: true } }));
    expect(problems).toEqual([]);
    expect(document!.toString()).toBe(
      lines('# The ui release. ${not} a placeholder in a comment', 'spec:', '  # the tag CI pushed', '  tag: v1.4.2 # filled in', '', '  values:', '    replicas: 2'),
    );
  });
});
