import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { PullLane, type LaneProblem } from '../pull-lane';
import type { TaskMsg } from '../task-msg';
import { ensureLaneConsumer, type Lane } from '../../nats/topology';

export interface LaneOptions {
  /** Handlers running at once. */
  concurrency: number;
  /** Tasks taken at most: concurrency plus prefetch. */
  window: number;
  /** A typed pool: its lanes share the room evenly, no priority between them. */
  typed: boolean;
  pullExpiresMs: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** What the scheduler needs of the task runner. */
export interface Slots {
  /** Slots in use (tasks taken and not finished, handlers that ignored an abort included). */
  readonly active: number;
  run(msg: TaskMsg): void;
}

type Queued = { msg: TaskMsg; lane: PullLane };

/**
 * Lane scheduling: pull requests sized by the room left, a local queue per priority, and the
 * recovery of a lane whose consumer vanished or went silent.
 */
export class LaneScheduler {
  private lanes: PullLane[] = [];
  private readonly queue: Queued[] = [];
  private readonly highQueue: Queued[] = [];
  private readonly recovering = new Set<PullLane>();
  private jsm?: JetStreamManager;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: LaneOptions,
    private readonly slots: Slots,
    private readonly isRunning: () => boolean,
  ) {}

  open(lanes: Lane[], jsm: JetStreamManager): void {
    this.jsm = jsm;
    this.lanes = lanes.map(
      (lane) =>
        new PullLane(
          this.nc,
          lane,
          {
            onMessage: (m, l) => this.onMessage(m, l),
            onRequestEnded: () => this.refill(),
            onProblem: (l, p, d) => void this.recover(l, p, d),
          },
          { expiresMs: this.opts.pullExpiresMs },
        ),
    );
  }

  /** Queued tasks go back to the server at once (nak without delay). */
  nakQueued(): void {
    for (const q of [...this.highQueue.splice(0), ...this.queue.splice(0)]) q.msg.nak();
  }

  /** Pull requests die with the old connection (and with a restarted server): forget them. */
  reset(): void {
    for (const l of this.lanes) l.reset();
  }

  close(): void {
    for (const l of this.lanes) l.close();
    this.lanes = [];
  }

  /**
   * Requests as many tasks as there is room for. A general pool keeps a small long poll on
   * the high lane at all times and, while the high lane reports a backlog, pulls only from
   * it; the normal lane gets the room only when the high lane is empty. Locally, queued high
   * tasks start before normal ones.
   */
  refill(): void {
    if (!this.isRunning() || this.nc.isClosed()) return;
    const window = this.opts.window;
    // Runs after every task: a plain loop, no closure.
    let free = window - this.slots.active - this.queue.length - this.highQueue.length;
    for (const l of this.lanes) free -= l.outstanding;
    const threshold = Math.max(1, Math.floor(window / 4));
    if (this.opts.typed) {
      // Typed lanes share the room evenly.
      for (const l of this.lanes) {
        const share = Math.floor(window / this.lanes.length) - l.outstanding;
        const want = Math.min(free, Math.max(share, l.outstanding === 0 ? 1 : 0));
        if (want >= Math.min(threshold, share) && want > 0) {
          l.request(want);
          free -= want;
        }
      }
      return;
    }
    const [high, normal] = this.lanes;
    const reserve = Math.max(1, Math.min(16, Math.floor(window / 8)));
    if (high.outstanding < reserve) high.request(reserve - high.outstanding);
    if (free < threshold && !(free > 0 && normal.outstanding === 0 && high.outstanding === 0)) return;
    if (free <= 0) return;
    if (high.backlog > 0) high.request(free, 1000);
    else normal.request(free);
  }

  /** Starts queued tasks while slots are free, high ones first. */
  startQueued(): void {
    while (this.slots.active < this.opts.concurrency && this.isRunning()) {
      const next = this.highQueue.shift() ?? this.queue.shift();
      if (!next) break;
      this.slots.run(next.msg);
    }
  }

  private onMessage(msg: TaskMsg, lane: PullLane): void {
    if (!this.isRunning()) {
      msg.nak();
      return;
    }
    if (this.slots.active < this.opts.concurrency && this.queue.length === 0 && this.highQueue.length === 0) {
      this.slots.run(msg);
    } else if (!this.opts.typed && lane === this.lanes[0]) {
      this.highQueue.push({ msg, lane });
    } else {
      this.queue.push({ msg, lane });
    }
  }

  private async recover(lane: PullLane, problem: LaneProblem, detail: string): Promise<void> {
    if (!this.isRunning() || this.recovering.has(lane) || !this.jsm) return;
    this.recovering.add(lane);
    try {
      if (problem === 'consumer_deleted' || problem === 'heartbeats_missed') {
        // The consumer may be gone: recreate it if so, then pull again. Not from the stream's
        // start: with Limits retention that would re-run a week of finished tasks; a minute
        // back covers tasks published while it was missing.
        await ensureLaneConsumer(this.jsm, lane.lane, new Date(Date.now() - 60_000)).catch((err: unknown) => {
          this.opts.log(
            'warn',
            `lane ${lane.name}: ${problem} (${detail}); recreate failed: ${(err as Error).message}`,
          );
        });
        if (problem === 'consumer_deleted')
          this.opts.log('warn', `lane ${lane.name}: consumer deleted, recreated`);
      } else {
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      this.recovering.delete(lane);
      this.refill();
    }
  }
}
