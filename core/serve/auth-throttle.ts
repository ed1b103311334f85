/**
 * Slows down guessing: after FREE_FAILURES wrong tokens from one address within WINDOW_MS, each
 * further failure is answered only after a delay that doubles up to MAX_DELAY_MS. Failures are
 * logged (the first, then every LOG_EVERY-th per address and window) so an attack shows up.
 * Remembers at most MAX_ADDRESSES addresses; the oldest are forgotten first.
 */
const WINDOW_MS = 60_000;
const FREE_FAILURES = 5;
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
const LOG_EVERY = 100;
const MAX_ADDRESSES = 10_000;

interface Record {
  failures: number;
  windowStart: number;
}

export class AuthThrottle {
  private readonly byAddress = new Map<string, Record>();

  constructor(
    private readonly log: (line: string) => void = (l) => console.error(l),
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a failure and returns how long to wait before answering it. */
  fail(address: string, what: string): number {
    const t = this.now();
    let r = this.byAddress.get(address);
    if (!r || t - r.windowStart > WINDOW_MS) {
      r = { failures: 0, windowStart: t };
      this.byAddress.delete(address);
      if (this.byAddress.size >= MAX_ADDRESSES) {
        const oldest = this.byAddress.keys().next().value;
        if (oldest !== undefined) this.byAddress.delete(oldest);
      }
      this.byAddress.set(address, r);
    }
    r.failures++;
    if (r.failures === 1 || r.failures % LOG_EVERY === 0) {
      this.log(
        `[jetdeck] wrong or missing token from ${address} (${what}); ${r.failures} in the last minute`,
      );
    }
    if (r.failures <= FREE_FAILURES) return 0;
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (r.failures - FREE_FAILURES - 1));
  }

  get trackedAddresses(): number {
    return this.byAddress.size;
  }
}
