import { beforeEach, describe, expect, it } from 'vitest';
import type { KvEntryView } from '../../../api/features/kv';
import { LIVE_MAX } from './model';
import { useKv } from './store';

const entry = (key: string, revision: number): KvEntryView => ({
  key,
  revision,
  created: '',
  operation: 'PUT',
  length: 1,
});
const keys = (...es: KvEntryView[]) => ({ bucket: 'b', filter: '>', keys: es, truncated: false });

describe('kv store', () => {
  beforeEach(() =>
    useKv.setState({ selected: 'b', keys: undefined, live: [], liveDropped: 0, filter: '', search: '' }),
  );

  it('select opens a bucket with a clean slate: no keys, no live changes, no filter', () => {
    useKv.setState({
      keys: keys(entry('a', 1)),
      live: [entry('a', 1)],
      liveDropped: 3,
      filter: 'x.*',
      search: 'q',
    });
    useKv.getState().select('other');
    expect(useKv.getState()).toMatchObject({
      selected: 'other',
      keys: undefined,
      live: [],
      liveDropped: 0,
      filter: '',
      search: '',
    });
  });

  it('applyChanges puts changes newest first in the live list, adds drops and updates the listing', () => {
    useKv.setState({ keys: keys(entry('a', 1)) });
    useKv.getState().applyChanges([entry('a', 2), entry('c', 3)], 1);
    useKv.getState().applyChanges([entry('b', 4)], 2);
    const s = useKv.getState();
    expect(s.live.map((e) => `${e.key}@${e.revision}`)).toEqual(['b@4', 'c@3', 'a@2']);
    expect(s.liveDropped).toBe(3);
    expect(s.keys?.keys.map((e) => `${e.key}@${e.revision}`)).toEqual(['a@2', 'b@4', 'c@3']);
  });

  it('with a search, only matching keys join the listing; the live list still shows all', () => {
    useKv.setState({ keys: keys(), search: ' ORD ' });
    useKv.getState().applyChanges([entry('orders.1', 1), entry('users.1', 2)], 0);
    expect(useKv.getState().keys?.keys.map((e) => e.key)).toEqual(['orders.1']);
    expect(useKv.getState().live).toHaveLength(2);
  });

  it(`keeps at most ${LIVE_MAX} live changes and no listing before the keys are read`, () => {
    useKv.getState().applyChanges(
      Array.from({ length: LIVE_MAX + 5 }, (_, i) => entry(`k${i}`, i + 1)),
      0,
    );
    expect(useKv.getState().live).toHaveLength(LIVE_MAX);
    expect(useKv.getState().live[0].key).toBe(`k${LIVE_MAX + 4}`);
    expect(useKv.getState().keys).toBeUndefined();
  });
});
