import type { NatsConnection } from '@nats-io/transport-node';
import { seriesKey, type MonitorSampleBatch, type MonitorServer } from '../../api/features/monitor';
import type { EventBus } from '../events';
import type { MonitorConfigStore } from './config';
import { alertsFor, type HealthChecker } from './health';
import type { HistoryStore } from './history';
import type { PoolMetricsSnapshot, RawConsumerInfo, RawStreamInfo } from '../../nats/metrics/inputs';
import { IDLE_RELIST_MS, JetStreamPoller, type JetStreamSnapshot } from './js-poller';
import { consumerInfoReuseMs } from '../../nats/server-quirks';
import { JetStreamSeries, type JetStreamObservations } from './js-series';
import { latencyDelta, latencyPercentile } from '../../nats/latency-histogram';
import { readPoolMetrics } from './pool-metrics';
import { RequestMux } from './request-mux';
import type { ServerRegistry } from './server-registry';
import type { MonitorSource } from './sources/types';

/** Refresh jsz, routes and health with a full poll about every 10 s; samples use varz only. */
const FULL_POLL_MS = 10_000;

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
  /** Streams whose consumers this sample listed (the others were carried forward). */
  relisted?: number;
}

/**
 * Samples servers, streams, consumers and the worker pool every interval (default 1 s) in the
 * main process: rates from counter deltas, a time-to-drain estimate from the pending slope, one
 * history point and one 'monitor.sample' event per tick. Listing uses paged STREAM.LIST /
 * CONSUMER.LIST (a request per 256 objects), never one INFO call per object, and re-lists a
 * stream's consumers only when they can have changed (see JetStreamPoller).
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
  private readonly js: JetStreamPoller;
  private readonly jsSeries = new JetStreamSeries();
  private prevPool?: { t: number; snap: PoolMetricsSnapshot };
  private intervalMs: number;
  private disposed = false;
  /** Duration of recent ticks, ms (bench and status). */
  readonly durations: number[] = [];
  /** CPU time of this process during recent ticks, ms (the bench's robust per-sample figure). */
  readonly cpuMs: number[] = [];
  state: SamplerState = { at: 0, streams: [], consumers: [] };

  private readonly mux: RequestMux;

  constructor(private readonly d: SamplerDeps) {
    this.intervalMs = d.config.current().intervalMs;
    this.mux = new RequestMux(d.nc);
    this.js = new JetStreamPoller(this.mux, IDLE_RELIST_MS, consumerInfoReuseMs(d.nc.info?.version));
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

  /** Resolves once no sample is in flight (the bench waits for it after `stop()`). */
  async settled(): Promise<void> {
    await this.inflight;
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
    const cpu0 = process.cpuUsage();
    try {
      const now = Date.now();
      const full = now - this.lastFullAt >= FULL_POLL_MS;
      const discover = full || this.ticks % 10 === 0 || this.d.registry.size === 0;
      const [servers, js] = await Promise.all([this.pollServers(full, discover), this.listJetStream(now)]);
      if (this.disposed) return;
      if (full) this.lastFullAt = now;
      const pool = readPoolMetrics();
      // A failed listing (e.g. during a reconnect) keeps the last streams and health as they were.
      this.state = js.error
        ? { ...this.state, at: now, pool, jsError: js.error }
        : { at: now, streams: js.streams, consumers: js.consumers, pool, relisted: js.relisted };
      const values: Record<string, number> = {};
      this.serverValues(servers, now, values);
      const observations = js.error ? undefined : this.jsSeries.write(js.streams, js.consumers, now, values);
      if (pool) this.poolValues(pool, now, values);
      this.d.history.add({ t: now, values });
      if (observations) this.evaluateHealth(observations, now);
      const sampleMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      this.durations.push(sampleMs);
      this.cpuMs.push((cpu.user + cpu.system) / 1000);
      if (this.durations.length > 600) this.durations.shift();
      if (this.cpuMs.length > 600) this.cpuMs.shift();
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

  private async listJetStream(now: number): Promise<JetStreamSnapshot & { error?: string }> {
    try {
      return await this.js.poll(now);
    } catch (err) {
      return { streams: [], consumers: [], relisted: 0, error: (err as Error).message };
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

  private evaluateHealth(obs: JetStreamObservations, now: number): void {
    const cfg = this.d.config.current();
    const change = this.d.health.evaluate(obs.streams, obs.consumers, cfg.thresholds, now);
    if (!change) return;
    this.d.bus.emit('monitor.health', change);
    for (const a of alertsFor(change, cfg.notifications)) this.d.bus.emit('monitor.alert', a);
  }
}
