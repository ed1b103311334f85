import { describe, expect, it } from 'vitest';
import { jsonPathProblem, parseJsonPath, valuesAt } from '../../api/json-path';

describe('JSON path of message search', () => {
  it('parses keys, indices, [*] and quoted keys, with or without $', () => {
    expect(parseJsonPath('a.b')).toEqual([{ key: 'a' }, { key: 'b' }]);
    expect(parseJsonPath('$.items[0].sku')).toEqual([{ key: 'items' }, { index: 0 }, { key: 'sku' }]);
    expect(parseJsonPath('$["a.b"][*]')).toEqual([{ key: 'a.b' }, { any: true }]);
    expect(parseJsonPath('$')).toEqual([]);
  });

  it('says what is wrong and where', () => {
    expect(jsonPathProblem('a..b')).toBe('empty key at character 3');
    expect(jsonPathProblem('a.')).toBe('path ends with "." at character 3');
    expect(jsonPathProblem('a[x]')).toMatch(/expected a number, \* or a "quoted key"/);
    expect(jsonPathProblem('a[0')).toBe('missing "]" at character 2');
    expect(jsonPathProblem('a[0]b')).toBe('expected "." or "[" at character 5');
    expect(jsonPathProblem('  ')).toBe('path is empty');
    expect(jsonPathProblem('a.b[2]')).toBeUndefined();
  });

  it('reaches every value a path names, none for a missing step', () => {
    const doc = { items: [{ sku: 'a' }, { sku: 'b' }, { other: 1 }], n: null };
    expect(valuesAt(doc, parseJsonPath('items[*].sku'))).toEqual(['a', 'b']);
    expect(valuesAt(doc, parseJsonPath('items[1].sku'))).toEqual(['b']);
    expect(valuesAt(doc, parseJsonPath('items[9].sku'))).toEqual([]);
    expect(valuesAt(doc, parseJsonPath('n'))).toEqual([null]);
    expect(valuesAt(doc, parseJsonPath('n.x'))).toEqual([]);
    expect(valuesAt('text', parseJsonPath('a'))).toEqual([]);
    // An array is not an object with keys "0", "1".
    expect(valuesAt(doc, parseJsonPath('items.0'))).toEqual([]);
  });
});
