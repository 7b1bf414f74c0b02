import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indentFlowContinuations } from '../../../src/yaml/lenient.js';
import { parseCfnYaml } from '../../../src/yaml/cfn.js';
import { parseYamlFile } from '../../../src/yaml/source.js';
import { installRoot as repoRoot } from '../../../src/paths.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'cfn-yaml-lenient');
const lenientFiles = readdirSync(fixtures).filter((f) => f.endsWith('.yaml'));

describe('YAML as CloudFormation reads it', () => {
  it('has lenient fixtures', () => {
    expect(lenientFiles.length).toBeGreaterThan(0);
  });

  it.each(lenientFiles)('%s: check reads what deploy-cf (and CloudFormation) reads, on the same lines', (file) => {
    const text = readFileSync(join(fixtures, file), 'utf8');
    const strict = parseYamlFile(text, { cfn: true });
    const deployed = parseCfnYaml(text);
    expect(strict.errors).toEqual([]);
    expect(strict.documents[0]!.value).toEqual(deployed.value);
    // Line numbers are the file's own: the key after the lenient block is where the file has it.
    const lines = text.split('\n');
    expect(strict.documents[0]!.lineOf(['Outputs'])).toBe(lines.indexOf('Outputs:') + 1);
  });

  it('leaves brackets in block scalars, quoted strings and comments alone', () => {
    const text = [
      'Code:',
      '  ZipFile: |',
      '    x = [',
      '  1]',
      'Name: "a [ b"  # [ c',
      'List: [',
      'a]',
    ].join('\n');
    // Only the flow sequence's second line (index 6) is re-indented; the block scalar is text.
    expect(indentFlowContinuations(text)?.split('\n')).toEqual([...text.split('\n').slice(0, 6), ' a]']);
  });

  it('needs nothing for YAML that is already valid', () => {
    expect(indentFlowContinuations('A: [1,\n  2]\nB: {c: [3]}\n')).toBeUndefined();
  });

  it('still reports YAML that CloudFormation would reject too, at its line', () => {
    const { errors } = parseYamlFile('Resources:\n  A: [1, 2\nOutputs: {}\n', { cfn: true });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.line).toBeGreaterThanOrEqual(2);
  });
});
