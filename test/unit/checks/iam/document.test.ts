import { describe, expect, it } from 'vitest';
import { jsonDocument, parseJsonWithOffsets } from '../../../../src/checks/iam/document.js';

describe('JSON with positions', () => {
  it('parses like JSON.parse', () => {
    const text = '{"a": [1, -2.5e3, true, null, "x\\"y"], "b": {}}';
    expect(parseJsonWithOffsets(text)?.value).toEqual(JSON.parse(text));
    expect(parseJsonWithOffsets('{"a": 1,}')).toBeUndefined();
    expect(parseJsonWithOffsets('{"a": ${Value}}')).toBeUndefined();
  });

  it('gives the line of every key and item, counted from where the text starts', () => {
    const doc = jsonDocument('{\n  "Statement": [\n    {\n      "Effect": "Allow"\n    }\n  ]\n}\n', 10);
    expect(doc?.lineOf([])).toBe(10);
    expect(doc?.lineOf(['Statement'])).toBe(11);
    expect(doc?.lineOf(['Statement', 0])).toBe(12);
    expect(doc?.lineOf(['Statement', 0, 'Effect'])).toBe(13);
    expect(doc?.lineOf(['Statement', 0, 'Missing', 'Deeper'])).toBe(12);
  });
});
