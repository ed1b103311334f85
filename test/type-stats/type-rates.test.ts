import { describe, expect, it } from 'vitest';
import { MAX_ROWS, TypeRates } from '../../core/workers/type-rates';
import { LatencyHistogram } from '../../nats/latency-histogram';
import type { TypeCounts, TypeSnapshot } from '../../nats/metrics/type-stats';

/** One worker ('w') reporting `types`. */
const one = (types: TypeSnapshot) => [{ id: 'w', types }];

const counts = (processed: number, failed: number, latencies: number[], retried = 0): TypeCounts => {
  const h = new LatencyHistogram();
  for (const ms of latencies) h.observe(ms);
  return { processed, failed, retried, latency: h.snapshot() };
};

describe('per-type rates from cumulative counters', () => {
  it('no worker: no rows; one sample: totals and latency, no rate yet', () => {
    const r = new TypeRates();
    expect(r.report([], false, 0)).toMatchObject({ types: [], pool: false, workers: 0, windowSec: 0 });
    const first = r.report(one({ echo: counts(10, 0, [5, 5, 5]) }), true, 1_000);
    expect(first).toMatchObject({ pool: true, workers: 1 });
    expect(first.windowSec).toBe(0);
    expect(first.types[0]).toMatchObject({ type: 'echo', processed: 10, throughput: 0, failureRate: null });
    expect(first.types[0]!.p50).toBeGreaterThan(0);
    expect(first.types[0]!.p50).toBeLessThanOrEqual(5);
  });

  it('throughput, failure rate and latency over the window, busiest type first', () => {
    const r = new TypeRates();
    const fast = Array.from({ length: 20 }, () => 5);
    r.report(one({ echo: counts(10, 0, fast), fail: counts(0, 2, []) }), true, 0);
    // echo: 20 more, all slow after 20 fast ones; fail: 3 completed, 10 failed.
    const s: TypeSnapshot = { fail: counts(3, 12, [], 4) };
    s.echo = counts(30, 0, [...fast, ...Array.from({ length: 20 }, () => 100)]);
    const rep = r.report(one(s), true, 10_000);
    expect(rep.windowSec).toBe(10);
    expect(rep.types.map((t) => t.type)).toEqual(['echo', 'fail']);
    const [echo, fail] = rep.types;
    expect(echo!.throughput).toBeCloseTo(2, 5);
    expect(echo!.failureRate).toBe(0);
    // Only the window's observations (all 100 ms, in the 50-100 ms bucket), not the fast ones before.
    expect(echo!.p50).toBeGreaterThan(50);
    expect(echo!.p50).toBeLessThanOrEqual(100);
    expect(fail!.throughput).toBeCloseTo(1.3, 5);
    expect(fail!.failureRate).toBeCloseTo(10 / 13, 5);
    expect(fail).toMatchObject({ processed: 3, failed: 12, retried: 4, p50: null, p99: null });
  });

  it('keeps at most a minute: older samples leave the window; a restarted pool starts over', () => {
    const r = new TypeRates();
    r.report(one({ echo: counts(0, 0, []) }), true, 0);
    r.report(one({ echo: counts(600, 0, []) }), true, 30_000);
    // At 90 s the 0 s sample is out: the rate is from the 30 s sample.
    const rep = r.report(one({ echo: counts(1200, 0, []) }), true, 90_000);
    expect(rep.windowSec).toBe(60);
    expect(rep.types[0]!.throughput).toBeCloseTo(10, 5);
    const restarted = r.report(one({ echo: counts(5, 0, []) }), true, 91_000);
    expect(restarted.windowSec).toBe(0);
    expect(restarted.types[0]!.processed).toBe(5);
  });

  it('sums the fleet: each worker over the time it was seen; one that goes leaves the figures', () => {
    const r = new TypeRates();
    const a0 = { id: 'a', types: { echo: counts(0, 0, []) } };
    r.report([a0], false, 0);
    // b joins at 5 s with history of its own: only what it did since it was first seen counts.
    r.report(
      [
        { id: 'a', types: { echo: counts(50, 0, []) } },
        { id: 'b', types: { echo: counts(1000, 0, []), fail: counts(0, 1, []) } },
      ],
      false,
      5_000,
    );
    const rep = r.report(
      [
        { id: 'a', types: { echo: counts(100, 0, []) } },
        { id: 'b', types: { echo: counts(1040, 0, []), fail: counts(0, 5, []) } },
      ],
      false,
      10_000,
    );
    expect(rep).toMatchObject({ pool: false, workers: 2, windowSec: 10 });
    const echo = rep.types.find((t) => t.type === 'echo')!;
    // a: 100 in 10 s; b: 40 in 5 s.
    expect(echo.throughput).toBeCloseTo(10 + 8, 5);
    expect(echo).toMatchObject({ processed: 1140, workers: 2, failureRate: 0 });
    const fail = rep.types.find((t) => t.type === 'fail')!;
    expect(fail).toMatchObject({ failed: 5, workers: 1, failureRate: 1 });
    expect(fail.throughput).toBeCloseTo(4 / 5, 5);
    // b stops answering: its counters and rates leave the report.
    const after = r.report([{ id: 'a', types: { echo: counts(120, 0, []) } }], false, 12_000);
    expect(after.workers).toBe(1);
    expect(after.types.map((t) => t.type)).toEqual(['echo']);
    expect(after.types[0]!.processed).toBe(120);
  });

  it('caps the rows: past the cap the rest are summed as other', () => {
    const r = new TypeRates();
    const types: TypeSnapshot = {};
    for (let i = 0; i < MAX_ROWS + 10; i++) types[`t${i}`] = counts(100 + i, 0, []);
    const rep = r.report(
      [
        { id: 'a', types: Object.fromEntries(Object.entries(types).slice(0, 30)) },
        { id: 'b', types: Object.fromEntries(Object.entries(types).slice(30)) },
      ],
      false,
      0,
    );
    expect(rep.types).toHaveLength(MAX_ROWS);
    const other = rep.types[MAX_ROWS - 1]!;
    expect(other.type).toBe('other');
    const named = rep.types.slice(0, -1).reduce((n, t) => n + t.processed, 0);
    const all = Object.values(types).reduce((n, t) => n + t.processed, 0);
    expect(named + other.processed).toBe(all);
  });
});
