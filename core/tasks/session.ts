import type { JetStreamManager } from '@nats-io/jetstream';
import { ApiError } from '../../api/errors';
import type { TopologyReport } from '../../api/features/tasks';
import type { TasksLayout } from './settings';
import type { ActiveConnection } from '../connections/connection-manager';
import type { EventBus } from '../events';
import { AdvisoryBridge } from '../../nats/advisory-bridge';
import { PubAckWindow } from './pub-ack-window';
import { TaskState, type TaskStateOptions } from './state/task-state';
import { ensureTypedLane, errMessage, inspectTopology } from '../../nats/topology';
import { CancelWatch } from '../../worker/runtime/cancellations';
import { ScheduledReleaser } from '../../worker/scheduled/releaser';

const TOPOLOGY_RETRIES = 8;

/**
 * Everything the task service holds for one connection: the PubAck window, the index and
 * its feed, the advisory subscriptions and the last topology report. Built on connect,
 * disposed on disconnect (a new connection may be a different server: nothing carries over).
 */
export class TaskSession {
  readonly window: PubAckWindow;
  /** The indexer's own window: its bulk writes never hold up a user's publish. */
  private readonly stateWindow: PubAckWindow;
  /** Task state (records, window, counts); set once the topology allows it. */
  state?: TaskState;
  topology?: TopologyReport;
  private advisories?: AdvisoryBridge;
  /** This process's share of the scheduled lane (every JetDeck process runs one). */
  private releaser?: ScheduledReleaser;
  private cancels?: CancelWatch;
  private readonly typedLanes = new Set<string>();
  private disposed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    readonly conn: ActiveConnection,
    readonly jsm: JetStreamManager,
    private readonly bus: EventBus,
    private readonly stateOpts: TaskStateOptions = {},
  ) {
    this.window = new PubAckWindow(conn.nc);
    this.stateWindow = new PubAckWindow(conn.nc);
  }

  get maxPayload(): number {
    return this.conn.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** Ensures the topology (creating only what is missing), then starts the index and advisories. */
  async start(layout: TasksLayout): Promise<void> {
    // The report is announced once the task state is open too: its bucket checks are JetDeck's
    // own set-up, which the Overview does not count as the user's API errors.
    await this.ensureTopology(layout, false);
    // A cluster that just started may have no JetStream meta leader yet: retry in the background.
    if (this.topology?.state === 'error') this.retryTopology(layout, 0);
    if (!this.advisories) {
      this.advisories = new AdvisoryBridge({
        nc: this.conn.nc,
        jsm: this.jsm,
        writer: 'jetdeck',
        publish: async (subject, data, msgId) => {
          const r = await this.window.publish({ subject, data, msgId }, 10_000);
          if (!r.ok) throw new ApiError(r.code, r.error);
        },
        log: (level, m) => level !== 'info' && console.error(`[jetdeck] ${m}`),
        // The state's writer adds it to the task's timeline (readers skip it: the writer hears it too).
        onAdvisory: (adv, task) =>
          void this.state
            ?.note(
              task.id,
              {
                kind: 'advisory',
                at: adv.timestamp,
                seq: adv.stream_seq,
                reason: adv.kind,
                deliveries: adv.deliveries,
                note: `consumer ${adv.consumer}`,
              },
              adv.kind === 'max_deliveries' ? { dead_reason: 'max_deliveries' } : {},
            )
            .catch(() => undefined),
      });
      this.advisories.start();
    }
    await this.startFeed().finally(() => {
      if (!this.disposed && this.topology) this.bus.emit('tasks.topology', this.topology);
    });
    // A connection closed meanwhile (disconnect, dispose) ends the releaser's start quietly.
    this.startReleaser().catch((err: unknown) => {
      if (!this.disposed) console.error(`[jetdeck] scheduled-task releaser: ${(err as Error).message}`);
    });
  }

  private async startReleaser(): Promise<void> {
    const log = (m: string) => console.error(`[jetdeck] ${m}`);
    if (this.disposed || this.conn.nc.isClosed()) return;
    // A live cancel of a task this process's releaser holds in the server's timer drops it now.
    const cancels = new CancelWatch(this.conn.nc, (id) => this.releaser?.cancelled(id), log);
    this.cancels = cancels;
    // Cancellations first (live, then history), so a due task cancelled earlier is never released.
    await cancels.start();
    if (this.disposed) return cancels.close();
    this.releaser = new ScheduledReleaser({
      nc: this.conn.nc,
      isCancelled: (id) => cancels.has(id),
      log: (_level, m) => log(m),
    });
    this.releaser.start();
  }

  private async ensureTopology(layout: TasksLayout, announce = true): Promise<void> {
    this.topology = withLayout(
      await inspectTopology(this.jsm, layout.replicas, { create: true, placement: layout.placement }).catch(
        (err: unknown) => errorReport(err, layout.replicas),
      ),
      layout,
    );
    if (announce && !this.disposed) this.bus.emit('tasks.topology', this.topology);
  }

  private retryTopology(layout: TasksLayout, attempt: number): void {
    if (attempt >= TOPOLOGY_RETRIES) return;
    this.retryTimer = setTimeout(
      () =>
        void (async () => {
          if (this.disposed) return;
          await this.ensureTopology(layout);
          if (this.topology?.state === 'error') this.retryTopology(layout, attempt + 1);
          else await this.startFeed();
        })(),
      Math.min(8000, 500 * 2 ** attempt),
    );
    this.retryTimer.unref();
  }

  async startFeed(): Promise<void> {
    if (
      this.state ||
      this.disposed ||
      this.topology?.stream.state === 'error' ||
      this.topology?.stream.state === 'missing'
    )
      return;
    const state = new TaskState(
      this.conn.js,
      this.jsm,
      this.stateWindow,
      (p) => this.bus.emit('tasks.changed', p),
      this.stateOpts,
    );
    this.state = state;
    try {
      await state.start();
    } catch (err) {
      this.state = undefined;
      void state.stop();
      console.error(`[jetdeck] task state not started: ${errMessage(err)}`);
    }
  }

  async ensureTypedLane(type: string): Promise<void> {
    if (this.typedLanes.has(type)) return;
    await ensureTypedLane(this.jsm, type);
    this.typedLanes.add(type);
  }

  /** Publishes one control message (status event, cancel) and returns its stream seq; ApiError on failure. */
  async publishControl(
    subject: string,
    body: unknown,
    msgId: string,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const r = await this.window.publish({ subject, data: JSON.stringify(body), msgId }, 10_000);
    if (!r.ok) throw new ApiError(r.code, r.error);
    return { seq: r.seq, duplicate: r.duplicate };
  }

  /** Waits (bounded) until the index has read `seq`, so a read right after a write sees it. */
  async caughtUp(seq: number, timeoutMs = 2000): Promise<void> {
    await this.state?.waitForSeq(seq, timeoutMs);
  }

  /** Stops everything; the state's writer hands its lease back (bounded wait) before the windows close. */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.advisories?.stop();
    this.cancels?.close();
    await this.releaser?.stop();
    const stopped = this.state?.stop();
    if (stopped) await Promise.race([stopped, new Promise((r) => setTimeout(r, 3000).unref())]);
    this.window.close();
    this.stateWindow.close();
  }
}

/** The report says what JetDeck creates TASKS with and how that was chosen. */
export function withLayout(r: TopologyReport, layout: TasksLayout): TopologyReport {
  return {
    ...r,
    replicas: layout.replicas,
    replicasChoice: layout.choice,
    ...(layout.placement?.tags ? { placementTags: layout.placement.tags } : {}),
  };
}

function errorReport(err: unknown, replicas: number): TopologyReport {
  const error = errMessage(err);
  return {
    state: 'error',
    diff: [],
    stream: { kind: 'stream', name: 'TASKS', state: 'error', diff: [], error },
    consumers: [],
    risks: [],
    replicas,
    checkedAt: new Date().toISOString(),
    error,
  };
}
