import { describe, expect, it } from 'vitest';
import { PendingRing } from '../../nats/publish/pending-ring';

describe('the ring of messages awaiting a PubAck', () => {
  it('finds, counts and forgets entries by token, also one still waiting when its slot comes round again', () => {
    const ring = new PendingRing<{ token: number }>(16); // 1024 slots
    const stuck = { token: 1 };
    ring.add(stuck);
    // 5,000 more go by, each acknowledged at once: slot 1 is taken four more times meanwhile.
    for (let t = 2; t <= 5001; t++) {
      const p = { token: t };
      ring.add(p);
      expect(ring.get(t)).toBe(p);
      expect(ring.delete(p)).toBe(true);
    }
    expect(ring.size).toBe(1);
    expect(ring.get(1)).toBe(stuck);
    expect(ring.get(1025)).toBeUndefined(); // a settled token on the same slot
    const late = { token: 5121 }; // slot 1 again, while the stuck one waits in the overflow
    ring.add(late);
    expect(ring.filter(() => true)).toEqual([stuck, late]);
    expect(ring.delete({ token: 1 })).toBe(false); // another object with its token: not it
    expect(ring.delete(stuck)).toBe(true);
    expect(ring.delete(stuck)).toBe(false);
    expect(ring.get(1)).toBeUndefined();
    expect(ring.get(5121)).toBe(late);
    expect(ring.size).toBe(1);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.get(5121)).toBeUndefined();
  });

  it('lists what a filter keeps in token order, across the ring and the overflow', () => {
    const ring = new PendingRing<{ token: number; old: boolean }>(1);
    const all = [3, 1027, 5, 2051, 4].map((token) => ({ token, old: token % 2 === 1 }));
    for (const p of all) ring.add(p);
    expect(ring.filter((p) => p.old).map((p) => p.token)).toEqual([3, 5, 1027, 2051]);
    expect(ring.size).toBe(5);
  });
});
