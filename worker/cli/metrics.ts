import { jetstreamManager, type ConsumerInfo } from '@nats-io/jetstream';
import { jsOptions } from '../../nats/connect-options';
import type { NatsConnection } from '@nats-io/transport-node';
import { TASKS_STREAM } from '../../api/task-wire';
import type { Lane } from '../../nats/topology';
import type { PoolMetricsSnapshot, RawConsumerInfo } from '../../nats/metrics/inputs';
import { createMetricsServer, type MetricsServer } from '../../nats/metrics/metrics-server';
import { consumerInfoReuseMs } from '../../nats/server-quirks';

/** How often the lane consumers' pending / ack pending are read (one INFO per lane). */
export const CONSUMER_POLL_MS = 5000;

export interface WorkerMetricsSource {
  /** The worker's cumulative numbers, read on each scrape. */
  pool(): PoolMetricsSnapshot;
  /** The lanes this worker consumes, for the jetdeck_consumer_* gauges. */
  lanes: Lane[];
  /** A connection to read consumer info on (without one: pool metrics only). */
  nc?: NatsConnection;
}

export interface WorkerMetrics {
  server: MetricsServer;
  /** Starts reporting a running worker (until then /metrics has no pool series). */
  attach(source: WorkerMetricsSource): void;
  close(): Promise<void>;
}

/**
 * `jetdeck worker --metrics-port P`: GET /metrics for this worker process, with no core. Bound
 * before the worker starts so a busy port fails before any task is taken. Pool numbers are read
 * at scrape time; consumer info is polled every 5 s in the background so a scrape never waits
 * on NATS, and a failed poll keeps the last good values.
 */
export async function startWorkerMetrics(
  port: number,
  host: string,
  version: string,
): Promise<WorkerMetrics> {
  let source: WorkerMetricsSource | undefined;
  let consumers: RawConsumerInfo[] = [];
  let timer: NodeJS.Timeout | undefined;
  const server = await createMetricsServer(() => ({ pool: source?.pool(), consumers }), port, host, {
    version,
    component: 'worker',
  });

  const poll = async (nc: NatsConnection, lanes: Lane[]) => {
    const jsm = await jetstreamManager(nc, jsOptions(nc));
    const infos = await Promise.all(
      lanes.map((l) => jsm.consumers.info(TASKS_STREAM, l.consumer).catch(() => undefined)),
    );
    consumers = infos.filter((i): i is ConsumerInfo => i !== undefined).map(toRaw);
  };

  return {
    server,
    attach(s) {
      source = s;
      const nc = s.nc;
      if (!nc) return;
      const tick = () => void poll(nc, s.lanes).catch(() => {});
      tick();
      clearInterval(timer);
      timer = setInterval(tick, Math.max(CONSUMER_POLL_MS, consumerInfoReuseMs(nc.info?.version)));
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      await server.close();
    },
  };
}

function toRaw(i: ConsumerInfo): RawConsumerInfo {
  return {
    stream_name: i.stream_name,
    name: i.name,
    config: {
      durable_name: i.config.durable_name,
      max_ack_pending: i.config.max_ack_pending,
      max_deliver: i.config.max_deliver,
    },
    delivered: { consumer_seq: i.delivered.consumer_seq, stream_seq: i.delivered.stream_seq },
    ack_floor: { consumer_seq: i.ack_floor.consumer_seq, stream_seq: i.ack_floor.stream_seq },
    num_ack_pending: i.num_ack_pending,
    num_redelivered: i.num_redelivered,
    num_waiting: i.num_waiting,
    num_pending: i.num_pending,
  };
}
