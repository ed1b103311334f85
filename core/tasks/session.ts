import type { JetStreamManager } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';
import type { TopologyReport } from '../../api/features/tasks';
import { SUBJECTS, type StatusEvent } from '../../api/task-wire';
import type { ActiveConnection } from '../connections/connection-manager';
import type { EventBus } from '../events';
import { watchAdvisories, type ConsumerAdvisory } from './dead-letters';
import { TaskIndexFeed } from './index-feed';
import { PubAckWindow } from './pub-ack-window';
import { TaskIndex } from './task-index';
import { ensureTypedLane, errMessage, inspectTopology } from '../../nats/topology';

const TOPOLOGY_RETRIES = 8;

/**
 * Everything the task service holds for one connection: the PubAck window, the index and
 * its feed, the advisory subscriptions and the last topology report. Built on connect,
 * disposed on disconnect (a new connection may be a different server: nothing carries over).
 */
export class TaskSession {
  readonly window: PubAckWindow;
  readonly index: TaskIndex;
  feed?: TaskIndexFeed;
  topology?: TopologyReport;
  private advisorySubs: Subscription[] = [];
  private readonly typedLanes = new Set<string>();
  private disposed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    readonly conn: ActiveConnection,
    readonly jsm: JetStreamManager,
    private readonly bus: EventBus,
    indexCap?: number,
  ) {
    this.window = new PubAckWindow(conn.nc);
    this.index = new TaskIndex(indexCap);
  }

  get maxPayload(): number {
    return this.conn.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Ensures the topology (creating only what is missing), then starts the index and advisories. */
  async start(replicas: number): Promise<void> {
    await this.ensureTopology(replicas);
    // A cluster that just started may have no JetStream meta leader yet: retry in the background.
    if (this.topology?.state === 'error') this.retryTopology(replicas, 0);
    if (!this.advisorySubs.length) {
      this.advisorySubs = watchAdvisories({
        nc: this.conn.nc,
        jsm: this.jsm,
        index: this.index,
        reportExhausted: (id, adv) => this.reportExhausted(id, adv),
      });
    }
    await this.startFeed();
  }

  private async ensureTopology(replicas: number): Promise<void> {
    this.topology = await inspectTopology(this.jsm, replicas, { create: true }).catch((err: unknown) =>
      errorReport(err, replicas),
    );
    if (!this.disposed) this.bus.emit('tasks.topology', this.topology);
  }

  private retryTopology(replicas: number, attempt: number): void {
    if (attempt >= TOPOLOGY_RETRIES) return;
    this.retryTimer = setTimeout(
      () =>
        void (async () => {
          if (this.disposed) return;
          await this.ensureTopology(replicas);
          if (this.topology?.state === 'error') this.retryTopology(replicas, attempt + 1);
          else await this.startFeed();
        })(),
      Math.min(8000, 500 * 2 ** attempt),
    );
    this.retryTimer.unref();
  }

  async startFeed(): Promise<void> {
    if (
      this.feed ||
      this.disposed ||
      this.topology?.stream.state === 'error' ||
      this.topology?.stream.state === 'missing'
    )
      return;
    const feed = new TaskIndexFeed(this.conn.js, this.jsm, this.index, (p) =>
      this.bus.emit('tasks.changed', p),
    );
    this.feed = feed;
    try {
      await feed.start();
    } catch (err) {
      this.feed = undefined;
      feed.stop();
      console.error(`[jetdeck] task index not started: ${errMessage(err)}`);
    }
  }

  async ensureTypedLane(type: string): Promise<void> {
    if (this.typedLanes.has(type)) return;
    await ensureTypedLane(this.jsm, type);
    this.typedLanes.add(type);
  }

  /** Publishes one control message (status event, cancel) and returns its stream seq. */
  async publishControl(
    subject: string,
    body: unknown,
    msgId: string,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const r = await this.window.publish({ subject, data: JSON.stringify(body), msgId }, 10_000);
    if (!r.ok) throw Object.assign(new Error(r.error), { code: r.code });
    return { seq: r.seq, duplicate: r.duplicate };
  }

  /** Waits (bounded) until the index has read `seq`, so a read right after a write sees it. */
  async caughtUp(seq: number, timeoutMs = 2000): Promise<void> {
    await this.feed?.waitForSeq(seq, timeoutMs);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.feed?.stop();
    for (const s of this.advisorySubs) s.unsubscribe();
    this.window.close();
  }

  private async reportExhausted(id: string, adv: ConsumerAdvisory): Promise<void> {
    const errors = this.index.get(id)?.timeline.filter((t) => t.error).length ?? 0;
    const ev: StatusEvent = {
      id,
      status: 'failed',
      at: adv.timestamp,
      attempt: adv.deliveries,
      worker: 'jetdeck',
      error:
        errors > 0
          ? `max deliveries (${adv.deliveries}) reached on consumer ${adv.consumer}`
          : `max deliveries (${adv.deliveries}) reached on consumer ${adv.consumer} without a result from any worker (crashed or hung)`,
      note: 'max_deliveries',
      seq: adv.stream_seq,
    };
    await this.publishControl(SUBJECTS.status('failed'), ev, `${id}:failed:${adv.deliveries}`);
  }
}

function errorReport(err: unknown, replicas: number): TopologyReport {
  const error = errMessage(err);
  return {
    state: 'error',
    diff: [],
    stream: { kind: 'stream', name: 'TASKS', state: 'error', diff: [], error },
    consumers: [],
    replicas,
    checkedAt: new Date().toISOString(),
    error,
  };
}
