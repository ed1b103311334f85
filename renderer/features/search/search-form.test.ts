import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH_FORM, toSearchInput } from './search-form';

describe('search form', () => {
  it('builds the contract input with only the chosen criterion and the browse subject', () => {
    const r = toSearchInput(
      {
        ...DEFAULT_SEARCH_FORM,
        kind: 'json',
        path: ' customer.name ',
        value: 'Ann',
        text: 'ignored',
        fromSeq: '10',
      },
      'ORDERS',
      'orders.eu.*',
    );
    expect(r.input).toEqual({
      stream: 'ORDERS',
      subject: 'orders.eu.*',
      fromSeq: 10,
      maxResults: 100,
      maxScanned: 1_000_000,
      match: { kind: 'json', path: 'customer.name', op: 'equals', value: 'Ann', caseSensitive: false },
    });
  });

  it('puts each problem on its field', () => {
    const bad = toSearchInput(
      { ...DEFAULT_SEARCH_FORM, kind: 'json', path: 'a..b', fromSeq: '9', toSeq: '3', maxResults: '5000' },
      'S',
      '',
    );
    expect(bad.errors?.path).toMatch(/not a JSON path/);
    expect(bad.errors?.toSeq).toMatch(/fromSeq must be ≤ toSeq/);
    expect(bad.errors?.maxResults).toMatch(/at most 1000/);
    const header = toSearchInput({ ...DEFAULT_SEARCH_FORM, kind: 'header', header: 'X-Id' }, 'S', '');
    expect(header.errors?.value).toMatch(/value is required/);
    const exists = toSearchInput(
      { ...DEFAULT_SEARCH_FORM, kind: 'header', header: 'X-Id', headerOp: 'exists' },
      'S',
      '',
    );
    expect(exists.input?.match).toEqual({ kind: 'header', name: 'X-Id', op: 'exists', caseSensitive: false });
    const text = toSearchInput(DEFAULT_SEARCH_FORM, 'S', '');
    expect(text.errors?.text).toBe('text is required');
  });
});
