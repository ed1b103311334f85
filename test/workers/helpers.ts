import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_STREAM, type StatusEvent, type Task, type TaskStatus } from '../../api/task-wire';
import { ensureStream, lanesFor, wantedLaneConfig } from '../../nats/topology';
import { nanos } from '@nats-io/transport-node';
import { pollUntil } from '../harness/poll';

/** Test helpers: tasks are published with plain nats.js, as any other client would. */

export async function connectTo(servers: string | string[]): Promise<NatsConnection> {
  return connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: true });
}

export function makeTask(type: string, payload: unknown, extra: Partial<Task> = {}): Task {
  return {
    id: `t-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`,
    type,
    payload,
    created_at: new Date().toISOString(),
    ...extra,
  };
}

export async function publishTask(
  js: JetStreamClient,
  task: Task,
  subject: string = SUBJECTS.new,
): Promise<void> {
  await js.publish(subject, JSON.stringify(task), { msgID: task.id });
}

/** Many tasks at once: 256 publishes in flight. */
export async function publishMany(
  js: JetStreamClient,
  tasks: Task[],
  subject: string = SUBJECTS.new,
): Promise<void> {
  for (let i = 0; i < tasks.length; i += 256) {
    await Promise.all(tasks.slice(i, i + 256).map((t) => publishTask(js, t, subject)));
  }
}

/** Collects status events (core subscription on tasks.status.*). */
export class StatusCollector {
  readonly events: StatusEvent[] = [];
  private readonly sub;
  constructor(nc: NatsConnection) {
    this.sub = nc.subscribe(SUBJECTS.statusWildcard, {
      callback: (_e, m) => {
        this.events.push(JSON.parse(new TextDecoder().decode(m.data)) as StatusEvent);
      },
    });
  }
  of(id: string): StatusEvent[] {
    return this.events.filter((e) => e.id === id);
  }
  async waitFor(
    pred: (events: StatusEvent[]) => boolean,
    timeoutMs = 15_000,
    what = 'status events',
  ): Promise<StatusEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.events)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.events.slice(-10))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.events;
  }
  stop(): void {
    this.sub.unsubscribe();
  }
}

/** Stream with our design; lane consumers with a short ack wait so crash tests finish quickly. */
export async function prepareTopology(
  nc: NatsConnection,
  opts: { ackWaitMs?: number; replicas?: number; types?: string[] } = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, opts.replicas ?? 1);
  for (const lane of lanesFor(opts.types)) {
    await jsm.consumers.add(TASKS_STREAM, {
      ...wantedLaneConfig(lane),
      ack_wait: nanos(opts.ackWaitMs ?? 30_000),
    });
  }
}

/** Counts stored completion events per task id by reading the stream with an ordered consumer. */
export async function storedCompletions(nc: NatsConnection): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const e of await storedEvents(nc, 'completed')) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  return counts;
}

/**
 * Status events of one status as the stream stores them (core subscribers also see duplicates
 * the stream refused), optionally of one task.
 */
export async function storedEvents(
  nc: NatsConnection,
  status: TaskStatus,
  id?: string,
): Promise<StatusEvent[]> {
  const js = jetstream(nc);
  const c = await js.consumers.get(TASKS_STREAM, {
    filter_subjects: SUBJECTS.status(status),
    deliver_policy: DeliverPolicy.All,
  });
  let left = (await c.info(true)).num_pending;
  const out: StatusEvent[] = [];
  while (left > 0) {
    const batch = await c.fetch({ max_messages: Math.min(left, 5000), expires: 5000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      const e = JSON.parse(m.string()) as StatusEvent;
      if (id === undefined || e.id === id) out.push(e);
    }
    if (got === 0) break;
    left -= got;
  }
  await c.delete().catch(() => {});
  return out;
}

/** Polls until `pred` holds (the harness's pollUntil). */
export const waitUntil = async (pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => {
  await pollUntil(pred, { what, timeoutMs, intervalMs: 50 });
};

export { headers };
