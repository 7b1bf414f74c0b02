import { describe, expect, it } from 'vitest';
import { jsonDocument } from '../../../../src/checks/iam/document.js';

describe('JSON with positions', () => {
  it('parses like JSON.parse, and refuses what JSON.parse refuses', () => {
    const text = '{"a": [1, -2.5e3, true, null, "x\\"y"], "b": {}, "c":"no space"}';
    expect(jsonDocument(text, 1)?.value).toEqual(JSON.parse(text));
    expect(jsonDocument('{"a": 1,}', 1)).toBeUndefined();
    // YAML, not JSON: a Sub variable outside a string.
    expect(jsonDocument('{"a": ${Value}}', 1)).toBeUndefined();
    expect(jsonDocument('a: b', 1)).toBeUndefined();
  });

  it('gives the line of every key and item, counted from where the text starts', () => {
    const doc = jsonDocument('{\n  "Statement": [\n    {\n      "Effect": "Allow"\n    }\n  ]\n}\n', 10);
    expect(doc?.lineOf([])).toBe(10);
    expect(doc?.lineOf(['Statement'])).toBe(11);
    expect(doc?.lineOf(['Statement', 0])).toBe(12);
    expect(doc?.lineOf(['Statement', 0, 'Effect'])).toBe(13);
    expect(doc?.lineOf(['Statement', 0, 'Missing', 'Deeper'])).toBe(12);
  });

  it('reads JSON as people write it: tabs, lines at column 0, blank lines before', () => {
    const doc = jsonDocument('\n{\n"Version": "2012-10-17",\n\t"Statement": [{\n\t\t"Effect": "Allow",\n\t\t"Action": ["s3:GetObject",\n\t\t\t"s3:PutObject"]\n\t}]\n}', 5);
    expect(doc?.lineOf([])).toBe(6);
    expect(doc?.lineOf(['Version'])).toBe(7);
    expect(doc?.lineOf(['Statement', 0, 'Effect'])).toBe(9);
    expect(doc?.lineOf(['Statement', 0, 'Action', 1])).toBe(11);
  });
});
