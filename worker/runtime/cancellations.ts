import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { SUBJECTS, TASKS_MAX_AGE_MS, TASKS_STREAM } from '../../api/task-wire';
import { jsOptions } from '../../nats/connect-options';
import { parseCancel } from './task-parse';

const CANCEL_MEMORY = 100_000;

/**
 * Cancel requests (`tasks.delete {id}`): the ids seen, live and from the stream's history, so a
 * task cancelled before it runs is skipped. Bounded: the oldest ids are forgotten past
 * CANCEL_MEMORY. `onCancel` runs for every live request (the runner aborts a running task).
 */
export class CancelWatch {
  private readonly ids = new Map<string, true>();
  private sub?: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly onCancel: (id: string) => void,
    private readonly log: (message: string) => void,
  ) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  async start(): Promise<void> {
    // Subscribe first, then read history, so no cancellation falls in between.
    this.sub = this.nc.subscribe(SUBJECTS.delete, {
      callback: (_err, m) => {
        const id = parseCancel(m.data);
        if (id) this.mark(id);
      },
    });
    try {
      const js = jetstream(this.nc, jsOptions(this.nc));
      const c = await js.consumers.get(TASKS_STREAM, {
        filter_subjects: SUBJECTS.delete,
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: new Date(Date.now() - TASKS_MAX_AGE_MS).toISOString(),
      });
      try {
        let left = (await c.info(true)).num_pending;
        while (left > 0) {
          const batch = await c.fetch({ max_messages: Math.min(left, 1000), expires: 2000 });
          let got = 0;
          for await (const m of batch) {
            got++;
            const id = parseCancel(m.data);
            if (id) this.mark(id);
          }
          if (got === 0) break;
          left -= got;
        }
      } finally {
        // Read once: the consumer ends here, not when the server notices it idle.
        await c.delete().catch(() => false);
      }
    } catch (err) {
      this.log(`could not read earlier cancellations: ${(err as Error).message}`);
    }
  }

  close(): void {
    this.sub?.unsubscribe();
  }

  private mark(id: string): void {
    this.ids.set(id, true);
    if (this.ids.size > CANCEL_MEMORY) this.ids.delete(this.ids.keys().next().value as string);
    this.onCancel(id);
  }
}
