import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ApiError } from '../../api/errors';
import { inboxFor, jsApiPrefix } from '../../nats/connect-options';

interface Pending {
  resolve: (reply: unknown) => void;
  reject: (err: Error) => void;
  deadline: number;
}

/**
 * Request/reply over one wildcard inbox with one sweep timer for timeouts. The sampler sends
 * ~50 JetStream API requests a second; this costs about half the CPU of `nc.request` (no
 * per-request timer, promise chain or header parsing). The sweep runs only while requests are
 * outstanding, so an idle sampler costs nothing between samples.
 */
export class RequestMux {
  private readonly prefix: string;
  /** `$JS.API`, or `$JS.<domain>.API` for a connection in a JetStream domain. */
  readonly jsApi: string;
  private readonly sub: Subscription;
  private readonly pending = new Map<string, Pending>();
  private sweep?: NodeJS.Timeout;
  private seq = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 3000,
  ) {
    this.prefix = inboxFor(nc);
    this.jsApi = jsApiPrefix(nc);
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const p = this.pending.get(msg.subject);
        if (!p) return;
        this.settled(msg.subject);
        // A status reply (no responders) has no body. Parsed here: one promise per request.
        if (msg.data.length === 0) return p.reject(new ApiError('nats_error', 'no responders'));
        try {
          p.resolve(JSON.parse(msg.string()));
        } catch (err) {
          p.reject(err as Error);
        }
      },
    });
  }

  /** Sends `body` (JSON-encoded) to `subject` and resolves with the parsed reply. */
  request<T>(subject: string, body: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const reply = `${this.prefix}.${++this.seq}`;
      this.pending.set(reply, {
        resolve: resolve as (reply: unknown) => void,
        reject,
        deadline: Date.now() + this.timeoutMs,
      });
      if (!this.sweep) {
        this.sweep = setInterval(() => this.expire(), 250);
        this.sweep.unref();
      }
      try {
        this.nc.publish(subject, JSON.stringify(body), { reply });
      } catch (err) {
        this.settled(reply);
        reject(err as Error);
      }
    });
  }

  close(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
    this.sub.unsubscribe();
    for (const p of this.pending.values()) p.reject(new ApiError('not_connected', 'closed'));
    this.pending.clear();
  }

  private expire(): void {
    const now = Date.now();
    for (const [k, p] of this.pending) {
      if (p.deadline > now) continue;
      this.settled(k);
      p.reject(new ApiError('timeout', 'request timed out'));
    }
  }

  /** Forgets a request; the sweep stops with the last one. */
  private settled(reply: string): void {
    this.pending.delete(reply);
    if (this.pending.size === 0 && this.sweep) {
      clearInterval(this.sweep);
      this.sweep = undefined;
    }
  }
}
