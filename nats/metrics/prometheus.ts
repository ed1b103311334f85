import { Registry, type Metric } from 'prom-client';
import { LATENCY_BUCKETS_MS } from '../latency-histogram';
import type { MonitorServer } from '../../api/features/monitor';
import type {
  MetricsInputs,
  MetricsReader,
  PoolMetricsSnapshot,
  RawConsumerInfo,
  RawStreamInfo,
} from './inputs';

type Labels = Record<string, string | number>;
interface Value {
  value: number;
  labels?: Labels;
  metricName?: string;
}
type PromType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric whose values are read from a snapshot at scrape time. The pool and the sampler own
 * the numbers (cumulative counters, a bucketed histogram); prom-client's registry formats them.
 */
function snapshotMetric(name: string, help: string, type: PromType, values: () => Value[]): Metric {
  const m = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => {},
  };
  return m as unknown as Metric;
}

/**
 * A dedicated registry (never prom-client's global one, so several cores or tests never
 * collide) with JetDeck's metrics, all prefixed `jetdeck_`.
 */
export function createMetricsRegistry(read: MetricsReader): Registry {
  const reg = new Registry();
  const add = (name: string, help: string, type: PromType, values: (i: MetricsInputs) => Value[]) =>
    reg.registerMetric(snapshotMetric(name, help, type, () => values(read())));
  const poolValue = (f: (p: PoolMetricsSnapshot) => number) => (i: MetricsInputs) =>
    i.pool ? [{ value: f(i.pool) }] : [];

  add(
    'jetdeck_tasks_processed_total',
    'Tasks the worker pool completed.',
    'counter',
    poolValue((p) => p.processed),
  );
  add(
    'jetdeck_tasks_failed_total',
    'Tasks that failed for good (attempts exhausted or terminated).',
    'counter',
    poolValue((p) => p.failed),
  );
  add(
    'jetdeck_tasks_retried_total',
    'Task attempts that failed and were nak’d for a retry.',
    'counter',
    poolValue((p) => p.retried),
  );
  // Without a running pool nothing is in flight: 0, so the gauge does not vanish on stop.
  add('jetdeck_tasks_in_flight', 'Tasks being handled right now.', 'gauge', (i) => [
    { value: i.pool?.inFlight ?? 0 },
  ]);
  add('jetdeck_task_handler_latency_seconds', 'Task handler latency.', 'histogram', (i) =>
    histogramValues('jetdeck_task_handler_latency_seconds', i.pool),
  );

  const perConsumer = (f: (c: RawConsumerInfo) => number) => (i: MetricsInputs) =>
    (i.consumers ?? []).map((c) => ({ value: f(c), labels: { stream: c.stream_name, consumer: c.name } }));
  add(
    'jetdeck_consumer_pending',
    'Messages not yet delivered to the consumer (num_pending).',
    'gauge',
    perConsumer((c) => c.num_pending),
  );
  add(
    'jetdeck_consumer_ack_pending',
    'Messages delivered but not acknowledged.',
    'gauge',
    perConsumer((c) => c.num_ack_pending),
  );
  add(
    'jetdeck_consumer_redelivered',
    'Messages redelivered at least once.',
    'gauge',
    perConsumer((c) => c.num_redelivered),
  );
  add(
    'jetdeck_consumer_waiting',
    'Pull requests waiting.',
    'gauge',
    perConsumer((c) => c.num_waiting),
  );

  const perStream = (f: (s: RawStreamInfo) => number) => (i: MetricsInputs) =>
    (i.streams ?? []).map((s) => ({ value: f(s), labels: { stream: s.config.name } }));
  add(
    'jetdeck_stream_messages',
    'Messages stored in the stream.',
    'gauge',
    perStream((s) => s.state.messages),
  );
  add(
    'jetdeck_stream_bytes',
    'Bytes stored in the stream.',
    'gauge',
    perStream((s) => s.state.bytes),
  );

  const perServer = (f: (s: MonitorServer) => number | undefined) => (i: MetricsInputs) =>
    (i.servers ?? []).flatMap((s) => {
      const v = f(s);
      return v === undefined ? [] : [{ value: v, labels: { server: s.name } }];
    });
  add(
    'jetdeck_server_up',
    '1 when the server answered the last poll.',
    'gauge',
    perServer((s) => (s.state === 'up' ? 1 : 0)),
  );
  add(
    'jetdeck_server_cpu_percent',
    'Server CPU (% of one core).',
    'gauge',
    perServer((s) => s.cpu),
  );
  add(
    'jetdeck_server_memory_bytes',
    'Server resident memory.',
    'gauge',
    perServer((s) => s.mem),
  );
  add(
    'jetdeck_server_connections',
    'Client connections.',
    'gauge',
    perServer((s) => s.connections ?? s.account?.connections),
  );
  add(
    'jetdeck_server_in_msgs_total',
    'Messages received by the server.',
    'counter',
    perServer((s) => s.inMsgs ?? s.account?.inMsgs),
  );
  add(
    'jetdeck_server_out_msgs_total',
    'Messages sent by the server.',
    'counter',
    perServer((s) => s.outMsgs ?? s.account?.outMsgs),
  );
  add(
    'jetdeck_server_in_bytes_total',
    'Bytes received by the server.',
    'counter',
    perServer((s) => s.inBytes ?? s.account?.inBytes),
  );
  add(
    'jetdeck_server_out_bytes_total',
    'Bytes sent by the server.',
    'counter',
    perServer((s) => s.outBytes ?? s.account?.outBytes),
  );
  add(
    'jetdeck_server_slow_consumers',
    'Slow consumers seen by the server.',
    'gauge',
    perServer((s) => s.slowConsumers),
  );
  return reg;
}

function histogramValues(name: string, pool: PoolMetricsSnapshot | undefined): Value[] {
  if (!pool) return [];
  const { counts, sum, count } = pool.latency;
  const out: Value[] = [];
  let cumulative = 0;
  LATENCY_BUCKETS_MS.forEach((le, i) => {
    cumulative += counts[i] ?? 0;
    out.push({ metricName: `${name}_bucket`, labels: { le: le / 1000 }, value: cumulative });
  });
  out.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count });
  out.push({ metricName: `${name}_sum`, value: sum / 1000 });
  out.push({ metricName: `${name}_count`, value: count });
  return out;
}
