/** What the ring needs of an entry: its token, unique and increasing per tracker. */
export interface Tokened {
  token: number;
}

/**
 * Messages awaiting a PubAck, by token. Tokens are handed out in sequence, so a ring of slots
 * (`token & mask`) finds one without hashing; the rare entry still waiting when its slot comes
 * round again (a message waiting for a resend while thousands more go by) moves to a Map. A Map
 * of all of them cost ~0.4 µs per message (its table holding thousands of young objects, each
 * set and delete a rehash step and a GC write barrier; the ring 0.06 µs in the same loop).
 */
export class PendingRing<P extends Tokened> {
  private readonly slots: (P | undefined)[];
  private readonly mask: number;
  private readonly overflow = new Map<number, P>();
  private count = 0;

  /** `capacity`: the window; the ring gets twice that, to a power of two (at most 64k slots). */
  constructor(capacity: number) {
    let n = 1024;
    while (n < 2 * capacity && n < 1 << 16) n *= 2;
    this.slots = new Array<P | undefined>(n).fill(undefined);
    this.mask = n - 1;
  }

  get size(): number {
    return this.count;
  }

  get(token: number): P | undefined {
    const p = this.slots[token & this.mask];
    if (p !== undefined && p.token === token) return p;
    return this.overflow.size ? this.overflow.get(token) : undefined;
  }

  has(p: P): boolean {
    return this.get(p.token) === p;
  }

  add(p: P): void {
    const i = p.token & this.mask;
    const old = this.slots[i];
    if (old !== undefined) this.overflow.set(old.token, old);
    this.slots[i] = p;
    this.count++;
  }

  /** False when `p` was not in it. */
  delete(p: P): boolean {
    const i = p.token & this.mask;
    if (this.slots[i] === p) this.slots[i] = undefined;
    else if (this.overflow.get(p.token) === p) this.overflow.delete(p.token);
    else return false;
    this.count--;
    return true;
  }

  /** Every entry `keep` says yes to, by token (send order). */
  filter(keep: (p: P) => boolean): P[] {
    const out: P[] = [];
    if (this.count === 0) return out;
    for (const p of this.slots) if (p !== undefined && keep(p)) out.push(p);
    for (const p of this.overflow.values()) if (keep(p)) out.push(p);
    return out.sort((a, b) => a.token - b.token);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.overflow.clear();
    this.count = 0;
  }
}
