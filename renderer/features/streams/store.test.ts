import { beforeEach, describe, expect, it } from 'vitest';
import type { StreamListResult, StreamSummary } from '../../../api/features/streams';
import { useStreams } from './store';

const result = (rates: Record<string, number[]>): StreamListResult =>
  ({
    streams: Object.entries(rates).map(([name, rate]) => ({ name, rate }) as StreamSummary),
    total: Object.keys(rates).length,
    accountTotal: Object.keys(rates).length,
  }) as StreamListResult;

describe('streams store', () => {
  beforeEach(() =>
    useStreams.setState({
      query: { search: '', sort: 'name', order: 'asc', offset: 0 },
      rates: {},
      result: undefined,
      error: undefined,
    }),
  );

  it('setQuery merges into the current query', () => {
    useStreams.getState().setQuery({ search: 'ORD', offset: 50 });
    useStreams.getState().setQuery({ order: 'desc' });
    expect(useStreams.getState().query).toEqual({ search: 'ORD', sort: 'name', order: 'desc', offset: 50 });
  });

  it('setResult takes each listed stream rate history and clears the error', () => {
    useStreams.setState({ error: new Error('x'), rates: { A: [9, 9, 9], OTHER: [1] } });
    useStreams.getState().setResult(result({ A: [1, 2] }));
    const s = useStreams.getState();
    expect(s.rates).toEqual({ A: [1, 2], OTHER: [1] });
    expect(s.error).toBeUndefined();
    expect(s.result?.total).toBe(1);
  });

  it('addRates appends one point per stream, starting a series for a new one', () => {
    useStreams.setState({ rates: { A: [1] } });
    useStreams.getState().addRates({ at: 0, intervalMs: 1000, rates: { A: 2, B: 5 } });
    expect(useStreams.getState().rates).toEqual({ A: [1, 2], B: [5] });
  });

  it('addRates keeps the last 60 points of a series', () => {
    useStreams.setState({ rates: { A: Array.from({ length: 60 }, (_, i) => i) } });
    useStreams.getState().addRates({ at: 0, intervalMs: 1000, rates: { A: 60 } });
    const a = useStreams.getState().rates.A;
    expect(a).toHaveLength(60);
    expect(a[0]).toBe(1);
    expect(a[59]).toBe(60);
  });
});
