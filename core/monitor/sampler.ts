import type { NatsConnection } from '@nats-io/transport-node';
import { seriesKey, type MonitorSampleBatch, type MonitorServer } from '../../api/features/monitor';
import type { EventBus } from '../events';
import type { MonitorConfigStore } from './config';
import { alertsFor, type ConsumerObservation, type HealthChecker, type StreamObservation } from './health';
import type { HistoryStore } from './history';
import { listConsumers, listStreams, type RawConsumerInfo, type RawStreamInfo } from './js-lister';
import { latencyDelta, latencyPercentile } from './latency-histogram';
import { readPoolMetrics, type PoolMetricsSnapshot } from './pool-metrics';
import { RequestMux } from './request-mux';
import type { ServerRegistry } from './server-registry';
import type { MonitorSource } from './sources/types';

/** Refresh jsz, routes and health with a full poll about every 10 s; samples use varz only. */
const FULL_POLL_MS = 10_000;
/** Window of the pending slope behind the time-to-drain estimate. */
const DRAIN_WINDOW_MS = 30_000;

export interface SamplerDeps {
  profileId: string;
  /** The user's connection (JetStream listing lives in the account, not the system account). */
  nc: NatsConnection;
  source: MonitorSource;
  registry: ServerRegistry;
  history: HistoryStore;
  health: HealthChecker;
  config: MonitorConfigStore;
  bus: EventBus;
}

/** The last sample's raw data, for /metrics and the servers method. */
export interface SamplerState {
  at: number;
  streams: RawStreamInfo[];
  consumers: RawConsumerInfo[];
  pool?: PoolMetricsSnapshot;
  jsError?: string;
}

interface ConsumerTrack {
  /** Series keys, built once (string building per sample adds up over 200 consumers). */
  keys: Record<'pending' | 'ack_pending' | 'redelivered' | 'waiting' | 'delivered_rate' | 'ttd_sec', string>;
  backlog: { t: number; v: number }[];
  ackSeq: number;
  ackAt: number;
  delivered: number;
}

/**
 * Samples servers, streams, consumers and the worker pool every interval (default 1 s) in the
 * main process: rates from counter deltas, a time-to-drain estimate from the pending slope, one
 * history point and one 'monitor.sample' event per tick. Listing uses paged STREAM.LIST /
 * CONSUMER.LIST (a request per 256 objects), never one INFO call per object.
 */
export class Sampler {
  private timer?: NodeJS.Timeout;
  private inflight?: Promise<void>;
  private ticks = 0;
  private lastFullAt = 0;
  private prevServers = new Map<
    string,
    { t: number; inMsgs: number; outMsgs: number; inBytes: number; outBytes: number }
  >();
  private prevStreams = new Map<string, { t: number; lastSeq: number; bytes: number }>();
  private consumers = new Map<string, ConsumerTrack>();
  private prevPool?: { t: number; snap: PoolMetricsSnapshot };
  private intervalMs: number;
  private disposed = false;
  /** Duration of recent ticks, ms (bench and status). */
  readonly durations: number[] = [];
  state: SamplerState = { at: 0, streams: [], consumers: [] };

  private readonly mux: RequestMux;

  constructor(private readonly d: SamplerDeps) {
    this.intervalMs = d.config.current().intervalMs;
    this.mux = new RequestMux(d.nc);
  }

  start(): void {
    if (this.timer || this.disposed) return;
    this.schedule();
  }

  /** Stops the timer; `tick()` still works (tests and the bench drive it by hand). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops for good and releases the request inbox. */
  dispose(): void {
    this.disposed = true;
    this.stop();
    this.mux.close();
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
    this.d.history.setInterval(ms);
    if (this.timer) {
      clearInterval(this.timer);
      this.schedule();
    }
  }

  private schedule(): void {
    this.timer = setInterval(() => {
      if (this.inflight) return; // a slow tick: skip rather than pile up
      void this.tick();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One sample (or the one in flight); public so tests and the bench can drive it by hand. */
  tick(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.inflight ??= this.sample().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async sample(): Promise<void> {
    const t0 = performance.now();
    try {
      const now = Date.now();
      const full = now - this.lastFullAt >= FULL_POLL_MS;
      const discover = full || this.ticks % 10 === 0 || this.d.registry.size === 0;
      const [servers, js] = await Promise.all([this.pollServers(full, discover), this.listJetStream()]);
      if (this.disposed) return;
      if (full) this.lastFullAt = now;
      const pool = readPoolMetrics();
      // A failed listing (e.g. during a reconnect) keeps the last streams and health as they were.
      this.state = js.error
        ? { ...this.state, at: now, pool, jsError: js.error }
        : { at: now, streams: js.streams, consumers: js.consumers, pool };
      const values: Record<string, number> = {};
      this.serverValues(servers, now, values);
      const observations = js.error ? undefined : this.jsValues(js.streams, js.consumers, now, values);
      if (pool) this.poolValues(pool, now, values);
      this.d.history.add({ t: now, values });
      if (observations) this.evaluateHealth(observations, now);
      const sampleMs = performance.now() - t0;
      this.durations.push(sampleMs);
      if (this.durations.length > 600) this.durations.shift();
      const batch: MonitorSampleBatch = {
        profileId: this.d.profileId,
        source: this.d.source.kind,
        intervalMs: this.intervalMs,
        samples: [{ t: now, values }],
        servers: this.d.registry.list().map((s) => ({ name: s.name, state: s.state, lastSeen: s.lastSeen })),
        sampleMs,
      };
      this.d.bus.emit('monitor.sample', batch);
    } catch (err) {
      console.error('[jetdeck] monitor sample failed:', (err as Error).message);
    } finally {
      this.ticks++;
    }
  }

  private async pollServers(full: boolean, discover: boolean): Promise<MonitorServer[]> {
    const detail = full ? 'full' : 'sample';
    try {
      const polled = await this.d.source.poll({
        detail,
        expected: discover ? undefined : this.d.registry.size,
      });
      this.d.registry.update(polled, detail);
    } catch {
      this.d.registry.markAllDown();
    }
    return this.d.registry.list();
  }

  private async listJetStream(): Promise<{
    streams: RawStreamInfo[];
    consumers: RawConsumerInfo[];
    error?: string;
  }> {
    try {
      const streams = await listStreams(this.mux);
      const withConsumers = streams.filter((s) => s.state.consumer_count > 0);
      const lists = await Promise.all(
        withConsumers.map((s) => listConsumers(this.mux, s.config.name).catch(() => [])),
      );
      return { streams, consumers: lists.flat() };
    } catch (err) {
      return { streams: [], consumers: [], error: (err as Error).message };
    }
  }

  private serverValues(servers: MonitorServer[], now: number, out: Record<string, number>): void {
    for (const s of servers) {
      if (s.state !== 'up') continue;
      const key = (m: string) => seriesKey('server', s.name, m);
      // The account source sees only this account's traffic; it is still the best rate we have.
      const c = s.inMsgs !== undefined ? s : s.account;
      if (c) {
        const cur = {
          t: now,
          inMsgs: c.inMsgs ?? 0,
          outMsgs: c.outMsgs ?? 0,
          inBytes: c.inBytes ?? 0,
          outBytes: c.outBytes ?? 0,
        };
        const prev = this.prevServers.get(s.name);
        this.prevServers.set(s.name, cur);
        const dt = prev ? (now - prev.t) / 1000 : 0;
        if (prev && dt > 0 && cur.inMsgs >= prev.inMsgs && cur.outMsgs >= prev.outMsgs) {
          out[key('msgs_in_rate')] = (cur.inMsgs - prev.inMsgs) / dt;
          out[key('msgs_out_rate')] = (cur.outMsgs - prev.outMsgs) / dt;
          out[key('bytes_in_rate')] = (cur.inBytes - prev.inBytes) / dt;
          out[key('bytes_out_rate')] = (cur.outBytes - prev.outBytes) / dt;
        }
      }
      if (s.cpu !== undefined) out[key('cpu')] = s.cpu;
      if (s.mem !== undefined) out[key('mem')] = s.mem;
      const conns = s.connections ?? s.account?.connections;
      if (conns !== undefined) out[key('connections')] = conns;
      if (s.slowConsumers !== undefined) out[key('slow_consumers')] = s.slowConsumers;
    }
  }

  private jsValues(
    streams: RawStreamInfo[],
    consumers: RawConsumerInfo[],
    now: number,
    out: Record<string, number>,
  ): { streams: StreamObservation[]; consumers: ConsumerObservation[] } {
    const sObs: StreamObservation[] = [];
    const seenStreams = new Set<string>();
    for (const s of streams) {
      const name = s.config.name;
      seenStreams.add(name);
      const key = (m: string) => seriesKey('stream', name, m);
      out[key('messages')] = s.state.messages;
      out[key('bytes')] = s.state.bytes;
      out[key('consumers')] = s.state.consumer_count;
      const prev = this.prevStreams.get(name);
      const dt = prev ? (now - prev.t) / 1000 : 0;
      if (prev && dt > 0 && s.state.last_seq >= prev.lastSeq) {
        out[key('msgs_rate')] = (s.state.last_seq - prev.lastSeq) / dt;
        out[key('bytes_rate')] = (s.state.bytes - prev.bytes) / dt;
      }
      this.prevStreams.set(name, { t: now, lastSeq: s.state.last_seq, bytes: s.state.bytes });
      sObs.push({
        name,
        messages: s.state.messages,
        bytes: s.state.bytes,
        maxMsgs: s.config.max_msgs ?? -1,
        maxBytes: s.config.max_bytes ?? -1,
        replicas: (s.cluster?.replicas ?? []).map((r) => ({
          name: r.name,
          offline: r.offline === true,
          lag: r.lag ?? 0,
        })),
      });
    }
    for (const k of this.prevStreams.keys()) if (!seenStreams.has(k)) this.prevStreams.delete(k);

    const cObs: ConsumerObservation[] = [];
    const seen = new Set<string>();
    for (const c of consumers) {
      const id = `${c.stream_name}/${c.name}`;
      seen.add(id);
      const backlog = c.num_pending + c.num_ack_pending;
      let tr = this.consumers.get(id);
      if (!tr) {
        const k = (m: string) => seriesKey('consumer', id, m);
        const keys = {
          pending: k('pending'),
          ack_pending: k('ack_pending'),
          redelivered: k('redelivered'),
          waiting: k('waiting'),
          delivered_rate: k('delivered_rate'),
          ttd_sec: k('ttd_sec'),
        };
        tr = {
          keys,
          backlog: [],
          ackSeq: c.ack_floor.stream_seq,
          ackAt: now,
          delivered: c.delivered.consumer_seq,
        };
        this.consumers.set(id, tr);
      } else if (c.delivered.consumer_seq >= tr.delivered && tr.backlog.length) {
        const last = tr.backlog[tr.backlog.length - 1];
        const dt = (now - last.t) / 1000;
        if (dt > 0) out[tr.keys.delivered_rate] = (c.delivered.consumer_seq - tr.delivered) / dt;
      }
      tr.delivered = c.delivered.consumer_seq;
      if (c.ack_floor.stream_seq !== tr.ackSeq) {
        tr.ackSeq = c.ack_floor.stream_seq;
        tr.ackAt = now;
      }
      const lastActive = Date.parse(c.ack_floor.last_active ?? '');
      const ackAt = Number.isFinite(lastActive) ? lastActive : tr.ackAt;
      tr.backlog.push({ t: now, v: backlog });
      while (tr.backlog.length > 2 && now - tr.backlog[0].t > DRAIN_WINDOW_MS) tr.backlog.shift();

      out[tr.keys.pending] = c.num_pending;
      out[tr.keys.ack_pending] = c.num_ack_pending;
      out[tr.keys.redelivered] = c.num_redelivered;
      out[tr.keys.waiting] = c.num_waiting;
      const ttd = timeToDrain(tr.backlog);
      if (ttd !== undefined) out[tr.keys.ttd_sec] = ttd;
      cObs.push({
        stream: c.stream_name,
        name: c.name,
        pending: c.num_pending,
        ackPending: c.num_ack_pending,
        redelivered: c.num_redelivered,
        lastAckAgeSec: backlog > 0 ? (now - ackAt) / 1000 : undefined,
      });
    }
    for (const k of this.consumers.keys()) if (!seen.has(k)) this.consumers.delete(k);
    return { streams: sObs, consumers: cObs };
  }

  private poolValues(pool: PoolMetricsSnapshot, now: number, out: Record<string, number>): void {
    const key = (m: string) => seriesKey('pool', 'pool', m);
    const prev = this.prevPool;
    this.prevPool = { t: now, snap: pool };
    out[key('in_flight')] = pool.inFlight;
    if (!prev || pool.processed < prev.snap.processed) return;
    const dt = (now - prev.t) / 1000;
    if (dt <= 0) return;
    out[key('throughput')] = (pool.processed - prev.snap.processed) / dt;
    out[key('failed_rate')] = (pool.failed - prev.snap.failed) / dt;
    const recent = latencyDelta(pool.latency, prev.snap.latency);
    if (recent.count > 0) {
      out[key('p50_ms')] = latencyPercentile(recent, 50);
      out[key('p95_ms')] = latencyPercentile(recent, 95);
      out[key('p99_ms')] = latencyPercentile(recent, 99);
    }
  }

  private evaluateHealth(
    obs: { streams: StreamObservation[]; consumers: ConsumerObservation[] },
    now: number,
  ): void {
    const cfg = this.d.config.current();
    const change = this.d.health.evaluate(obs.streams, obs.consumers, cfg.thresholds, now);
    if (!change) return;
    this.d.bus.emit('monitor.health', change);
    for (const a of alertsFor(change, cfg.notifications)) this.d.bus.emit('monitor.alert', a);
  }
}

/**
 * Seconds until the backlog (pending + ack pending) reaches zero at the slope over the window;
 * 0 when empty, undefined when not draining (flat or growing) or too little data.
 */
export function timeToDrain(points: { t: number; v: number }[]): number | undefined {
  const last = points[points.length - 1];
  if (!last) return undefined;
  if (last.v === 0) return 0;
  const first = points[0];
  const dt = (last.t - first.t) / 1000;
  if (points.length < 3 || dt <= 0) return undefined;
  const slope = (last.v - first.v) / dt;
  return slope < 0 ? last.v / -slope : undefined;
}
