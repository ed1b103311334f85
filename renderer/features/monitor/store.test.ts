import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Advisory, MonitorSampleBatch } from '../../../api/features/monitor';

import { emit, fake } from '../../test-support/fake-api';

// The store subscribes to core events and calls methods through `api`; the fake records both.
vi.mock('../../api', () => import('../../test-support/fake-api'));

const { ADVISORIES_KEPT, RANGE_MS, loadAdvisories, loadHistory, setPaused, useMonitor } =
  await import('./store');

const adv = (seq: number) => ({ seq }) as Advisory;
const batch = (samples: { t: number; values: Record<string, number> }[]): MonitorSampleBatch =>
  ({
    profileId: 'p',
    source: 'direct',
    intervalMs: 1000,
    sampleMs: 3,
    samples,
    servers: [],
  }) as unknown as MonitorSampleBatch;

describe('monitor store: advisories', () => {
  beforeEach(() => useMonitor.setState({ advisories: [], held: [], paused: false, advisoriesDropped: 0 }));

  it('new advisories come first, newest first', () => {
    emit('monitor.advisories', { advisories: [adv(1), adv(2)], dropped: 0 });
    emit('monitor.advisories', { advisories: [adv(3)], dropped: 7 });
    const s = useMonitor.getState();
    expect(s.advisories.map((a) => a.seq)).toEqual([3, 2, 1]);
    expect(s.advisoriesDropped).toBe(7);
  });

  it('keeps at most ADVISORIES_KEPT advisories', () => {
    useMonitor.setState({
      advisories: Array.from({ length: ADVISORIES_KEPT }, (_, i) => adv(ADVISORIES_KEPT - i)),
    });
    emit('monitor.advisories', { advisories: [adv(ADVISORIES_KEPT + 1)], dropped: 0 });
    const list = useMonitor.getState().advisories;
    expect(list).toHaveLength(ADVISORIES_KEPT);
    expect(list[0].seq).toBe(ADVISORIES_KEPT + 1);
    expect(list[ADVISORIES_KEPT - 1].seq).toBe(2);
  });

  it('while paused advisories are held, and shown on resume', () => {
    useMonitor.setState({ advisories: [adv(1)] });
    setPaused(true);
    emit('monitor.advisories', { advisories: [adv(2), adv(3)], dropped: 0 });
    expect(useMonitor.getState().advisories.map((a) => a.seq)).toEqual([1]);
    expect(useMonitor.getState().held.map((a) => a.seq)).toEqual([3, 2]);
    setPaused(false);
    const s = useMonitor.getState();
    expect(s.advisories.map((a) => a.seq)).toEqual([3, 2, 1]);
    expect(s.held).toEqual([]);
    expect(s.paused).toBe(false);
  });

  it('loadAdvisories merges the page without duplicates, sorted newest first', async () => {
    useMonitor.setState({ advisories: [adv(5), adv(3)] });
    fake.call.mockResolvedValueOnce({ advisories: [adv(4), adv(3), adv(1)], dropped: 2 });
    await loadAdvisories();
    const s = useMonitor.getState();
    expect(s.advisories.map((a) => a.seq)).toEqual([5, 4, 3, 1]);
    expect(s.advisoriesDropped).toBe(2);
  });
});

describe('monitor store: samples', () => {
  beforeEach(() =>
    useMonitor.setState({
      range: '5m',
      historyPhase: 'ok',
      t: [],
      series: {},
      version: 0,
      latest: undefined,
    }),
  );

  it('appends samples to the columns, filling a new series with nulls before its first value', () => {
    useMonitor.setState({ t: [1000], series: { a: [1] } });
    emit('monitor.sample', batch([{ t: 2000, values: { a: 2, b: 20 } }]));
    const s = useMonitor.getState();
    expect(s.t).toEqual([1000, 2000]);
    expect(s.series).toEqual({ a: [1, 2], b: [null, 20] });
    expect(s.version).toBe(1);
    expect(s.latest).toEqual({ t: 2000, values: { a: 2, b: 20 }, sampleMs: 3, intervalMs: 1000 });
  });

  it('skips samples not newer than the last point', () => {
    useMonitor.setState({ t: [2000], series: { a: [1] } });
    emit('monitor.sample', batch([{ t: 2000, values: { a: 9 } }]));
    expect(useMonitor.getState().series.a).toEqual([1]);
  });

  it('trims points that fell out of the range', () => {
    const start = 1_000_000;
    useMonitor.setState({ t: [start, start + 1000], series: { a: [1, 2] } });
    emit('monitor.sample', batch([{ t: start + RANGE_MS['5m'] + 500, values: { a: 3 } }]));
    const s = useMonitor.getState();
    expect(s.t).toEqual([start + 1000, start + RANGE_MS['5m'] + 500]);
    expect(s.series.a).toEqual([2, 3]);
  });

  it('does not append to the 24h range (minute averages are re-read)', () => {
    useMonitor.setState({ range: '24h', t: [1000], series: { a: [1] } });
    emit('monitor.sample', batch([{ t: 2000, values: { a: 2 } }]));
    const s = useMonitor.getState();
    expect(s.t).toEqual([1000]);
    expect(s.version).toBe(0);
    expect(s.latest?.t).toBe(2000);
  });

  it('loadHistory ignores an answer for a range that is no longer selected', async () => {
    let answer: (h: unknown) => void = () => {};
    fake.call.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const pending = loadHistory('1h');
    expect(useMonitor.getState().historyPhase).toBe('loading');
    useMonitor.setState({ range: '5m' });
    answer({ t: [1], series: { a: [1] } });
    await pending;
    expect(useMonitor.getState().t).toEqual([]);
  });
});
