import { describe, expect, it } from 'vitest';
import { TypeRates } from '../../core/workers/type-rates';
import { LatencyHistogram } from '../../nats/latency-histogram';
import type { TypeCounts, TypeSnapshot } from '../../nats/metrics/type-stats';

const counts = (processed: number, failed: number, latencies: number[], retried = 0): TypeCounts => {
  const h = new LatencyHistogram();
  for (const ms of latencies) h.observe(ms);
  return { processed, failed, retried, latency: h.snapshot() };
};

describe('per-type rates from cumulative counters', () => {
  it('no pool: no rows; one sample: totals and latency, no rate yet', () => {
    const r = new TypeRates();
    expect(r.report(undefined, 0)).toMatchObject({ types: [], pool: false, windowSec: 0 });
    const first = r.report({ echo: counts(10, 0, [5, 5, 5]) }, 1_000);
    expect(first.windowSec).toBe(0);
    expect(first.types[0]).toMatchObject({ type: 'echo', processed: 10, throughput: 0, failureRate: null });
    expect(first.types[0]!.p50).toBeGreaterThan(0);
    expect(first.types[0]!.p50).toBeLessThanOrEqual(5);
  });

  it('throughput, failure rate and latency over the window, busiest type first', () => {
    const r = new TypeRates();
    const fast = Array.from({ length: 20 }, () => 5);
    r.report({ echo: counts(10, 0, fast), fail: counts(0, 2, []) }, 0);
    // echo: 20 more, all slow after 20 fast ones; fail: 3 completed, 10 failed.
    const s: TypeSnapshot = { fail: counts(3, 12, [], 4) };
    s.echo = counts(30, 0, [...fast, ...Array.from({ length: 20 }, () => 100)]);
    const rep = r.report(s, 10_000);
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
    r.report({ echo: counts(0, 0, []) }, 0);
    r.report({ echo: counts(600, 0, []) }, 30_000);
    // At 90 s the 0 s sample is out: the rate is from the 30 s sample.
    const rep = r.report({ echo: counts(1200, 0, []) }, 90_000);
    expect(rep.windowSec).toBe(60);
    expect(rep.types[0]!.throughput).toBeCloseTo(10, 5);
    const restarted = r.report({ echo: counts(5, 0, []) }, 91_000);
    expect(restarted.windowSec).toBe(0);
    expect(restarted.types[0]!.processed).toBe(5);
  });
});
