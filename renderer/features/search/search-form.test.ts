import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEARCH_FORM,
  EMPTY_CRITERION,
  toSearchInput,
  type CriterionForm,
  type SearchForm,
} from './search-form';

/** A form with these criteria (each on top of an empty one) and these other fields. */
const form = (criteria: Partial<CriterionForm>[], rest: Partial<SearchForm> = {}): SearchForm => ({
  ...DEFAULT_SEARCH_FORM,
  criteria: criteria.map((c) => ({ ...EMPTY_CRITERION, ...c })),
  ...rest,
});

describe('search form', () => {
  it('builds the contract input with only the chosen criterion and the browse subject', () => {
    const r = toSearchInput(
      form([{ kind: 'json', path: ' customer.name ', value: 'Ann', text: 'ignored' }], { fromSeq: '10' }),
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

  it('sends several criteria as matches (all must hold), case applying to each', () => {
    const r = toSearchInput(
      form(
        [
          { kind: 'json', path: 'region', value: 'eu' },
          { kind: 'header', header: 'Trace-Id', headerOp: 'exists' },
        ],
        { caseSensitive: true },
      ),
      'S',
      '',
    );
    expect(r.input).not.toHaveProperty('match');
    expect(r.input?.matches).toEqual([
      { kind: 'json', path: 'region', op: 'equals', value: 'eu', caseSensitive: true },
      { kind: 'header', name: 'Trace-Id', op: 'exists', caseSensitive: true },
    ]);
  });

  it('sends a time range as ISO', () => {
    const r = toSearchInput(
      form([{ text: 'x' }], { rangeKind: 'time', fromTime: '2026-01-02T03:04:05', fromSeq: '9' }),
      'S',
      '',
    );
    expect(r.input?.fromTime).toBe(new Date('2026-01-02T03:04:05').toISOString());
    expect(r.input).not.toHaveProperty('toTime');
    // Only the chosen pair goes.
    expect(r.input).not.toHaveProperty('fromSeq');
  });

  it('puts each problem on its field, criteria after the first by their index', () => {
    const bad = toSearchInput(
      form([{ kind: 'json', path: 'a..b' }], { fromSeq: '9', toSeq: '3', maxResults: '5000' }),
      'S',
      '',
    );
    expect(bad.errors?.path).toMatch(/not a JSON path/);
    expect(bad.errors?.toSeq).toMatch(/fromSeq must be ≤ toSeq/);
    expect(bad.errors?.maxResults).toMatch(/at most 1000/);
    const header = toSearchInput(form([{ kind: 'header', header: 'X-Id' }]), 'S', '');
    expect(header.errors?.value).toMatch(/value is required/);
    const exists = toSearchInput(form([{ kind: 'header', header: 'X-Id', headerOp: 'exists' }]), 'S', '');
    expect(exists.input?.match).toEqual({ kind: 'header', name: 'X-Id', op: 'exists', caseSensitive: false });
    const time = toSearchInput(form([{ text: 'x' }], { rangeKind: 'time', fromTime: 'yesterday' }), 'S', '');
    expect(time.errors?.fromTime).toBe('expected an ISO date-time');
    const text = toSearchInput(DEFAULT_SEARCH_FORM, 'S', '');
    expect(text.errors?.text).toBe('text is required');
    const second = toSearchInput(
      form([{ text: 'ok' }, { kind: 'json', path: '' }, { kind: 'header', header: 'a b' }]),
      'S',
      '',
    );
    expect(second.errors).toEqual({
      'path-1': 'path is required',
      'header-2': expect.stringMatching(/printable characters/) as unknown,
      'value-2': expect.stringMatching(/value is required/) as unknown,
    });
  });
});
