import { beforeEach, describe, expect, it } from 'vitest';
import type { SearchHit, SearchProgress } from '../../../api/features/search';
import { useSearch } from './store';

const progress = (p: Partial<SearchProgress>): SearchProgress => ({
  searchId: 's1',
  stream: 'S',
  state: 'running',
  done: false,
  fromSeq: 1,
  toSeq: 100,
  position: 10,
  scanned: 10,
  matched: 0,
  notJson: 0,
  rate: 0,
  startedAt: 0,
  durationMs: 0,
  maxResults: 100,
  maxScanned: 1000,
  method: 'ordered_consumer',
  ...p,
});
const hit = (seq: number): SearchHit => ({
  excerpt: `#${seq}`,
  message: { seq, subject: 's', time: '', size: 0, data: '', truncated: false, contentType: 'text' },
});

describe('search store', () => {
  beforeEach(() => useSearch.setState({ searchId: 's1', progress: undefined, hits: [] }));

  it('merges hits from events and a status reply once each, in sequence order', () => {
    const { apply } = useSearch.getState();
    apply(progress({ matched: 2 }), [hit(5), hit(9)]);
    apply(progress({ matched: 3 }), [hit(9), hit(2), hit(5)]);
    expect(useSearch.getState().hits.map((h) => h.message.seq)).toEqual([2, 5, 9]);
    expect(useSearch.getState().progress?.matched).toBe(3);
  });

  it('ignores other searches and never goes back from done to running', () => {
    const { apply } = useSearch.getState();
    apply(progress({ searchId: 'other' }), [hit(1)]);
    expect(useSearch.getState().hits).toEqual([]);
    apply(progress({ state: 'done', done: true, position: 100 }), []);
    apply(progress({ position: 50 }), []);
    expect(useSearch.getState().progress?.state).toBe('done');
    expect(useSearch.getState().progress?.position).toBe(100);
  });
});
