import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';
import { LATENCY_BUCKETS_MS, type LatencySnapshot } from '../latency-histogram';
import type { MonitorServer } from '../../api/features/monitor';
import type { MetricsInputs, MetricsReader, RawConsumerInfo, RawStreamInfo } from './inputs';

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

/** Who serves the metrics, for `jetdeck_build_info`. */
export interface BuildInfo {
  version: string;
  /** serve, desktop or worker. */
  component: string;
}

/**
 * A dedicated registry (never prom-client's global one, so several cores or tests never
 * collide) with JetDeck's metrics, all prefixed `jetdeck_`, plus prom-client's default process
 * metrics (`process_*`, `nodejs_*`). Names follow Prometheus conventions: base units (seconds,
 * bytes, ratios rather than percents), `_total` on counters, gauges for what can go down.
 */
export function createMetricsRegistry(read: MetricsReader, build?: BuildInfo): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg });
  // prom-client keeps these gauges under a `_total` name for compatibility; Prometheus reserves
  // `_total` for counters (promtool flags them). The same numbers stay as nodejs_active_handles etc.
  for (const legacy of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    reg.removeSingleMetric(legacy);
  const add = (name: string, help: string, type: PromType, values: (i: MetricsInputs) => Value[]) =>
    reg.registerMetric(snapshotMetric(name, help, type, () => values(read())));
  // Task counters carry a `type` label (bounded by TypeStats: the first 20 types, then `other`);
  // a reader without per-type numbers gets one unlabelled series.
  const perType =
    (kind: 'processed' | 'failed' | 'retried') =>
    (i: MetricsInputs): Value[] => {
      const p = i.pool;
      if (!p) return [];
      if (!p.types) return [{ value: p[kind] }];
      return Object.entries(p.types).map(([type, c]) => ({ value: c[kind], labels: { type } }));
    };

  add('jetdeck_build_info', 'JetDeck version and component; always 1.', 'gauge', () => [
    {
      value: 1,
      labels: {
        version: build?.version ?? 'unknown',
        component: build?.component ?? 'unknown',
        nodejs: process.versions.node,
      },
    },
  ]);

  add(
    'jetdeck_tasks_processed_total',
    'Tasks the worker pool completed, by task type.',
    'counter',
    perType('processed'),
  );
  add(
    'jetdeck_tasks_failed_total',
    'Tasks that failed for good (attempts exhausted or terminated), by task type.',
    'counter',
    perType('failed'),
  );
  add(
    'jetdeck_tasks_retried_total',
    'Task attempts that failed and were nak’d for a retry.',
    'counter',
    perType('retried'),
  );
  // Without a running pool nothing is in flight: 0, so the gauge does not vanish on stop.
  add('jetdeck_tasks_in_flight', 'Tasks being handled right now.', 'gauge', (i) => [
    { value: i.pool?.inFlight ?? 0 },
  ]);
  add('jetdeck_task_handler_latency_seconds', 'Task handler latency, by task type.', 'histogram', (i) => {
    const name = 'jetdeck_task_handler_latency_seconds';
    if (!i.pool) return [];
    if (!i.pool.types) return histogramValues(name, i.pool.latency);
    return Object.entries(i.pool.types).flatMap(([type, c]) => histogramValues(name, c.latency, { type }));
  });

  // Durable consumers only: ephemeral ones (JetDeck's own message browser pages, tails, replays
  // and ordered consumers, or anyone's) live seconds and would only churn label sets.
  const perConsumer = (f: (c: RawConsumerInfo) => number) => (i: MetricsInputs) =>
    (i.consumers ?? [])
      .filter((c) => c.config.durable_name)
      .map((c) => ({ value: f(c), labels: { stream: c.stream_name, consumer: c.name } }));
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
    'Messages delivered but not acknowledged that were redelivered at least once.',
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
    'jetdeck_server_cpu_ratio',
    'Server CPU use as a ratio of one core (1 = one core busy; above 1 on several cores).',
    'gauge',
    perServer((s) => (s.cpu === undefined ? undefined : s.cpu / 100)),
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
    'jetdeck_server_slow_consumers_total',
    'Slow consumers the server has seen since it started.',
    'counter',
    perServer((s) => s.slowConsumers),
  );
  return reg;
}

function histogramValues(name: string, latency: LatencySnapshot, labels: Labels = {}): Value[] {
  const { counts, sum, count } = latency;
  const out: Value[] = [];
  let cumulative = 0;
  LATENCY_BUCKETS_MS.forEach((le, i) => {
    cumulative += counts[i] ?? 0;
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: le / 1000 }, value: cumulative });
  });
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum / 1000 });
  out.push({ metricName: `${name}_count`, labels, value: count });
  return out;
}
