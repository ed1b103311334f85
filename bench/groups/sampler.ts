import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createCore } from '../../core/backend';
import type { Core } from '../../core/core';
import type { Sampler } from '../../core/monitor/sampler';
import { startServer } from '../../test/harness';
import { percentile, report, type BenchGroup } from '../lib';

const STREAMS = 50;
const CONSUMERS_PER_STREAM = 4;
const INTERVAL_MS = 1000;
/**
 * One sampling window bracketed by idle windows, so load drifting on a shared machine shows in
 * the baseline too. The sampling window is long and continuous: the sampler re-lists idle streams
 * every 5 s, and stopping it often would pile those re-lists up on the first sample after a stop.
 */
const IDLE_WINDOW_MS = 6000;
const BUSY_WINDOW_MS = 20_000;
const SETTLE_MS = 3000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** This process's CPU (user + system, ms) and wall time (ms) spent in `fn`. */
async function cpuOf(fn: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const d = process.cpuUsage(before);
  return { cpu: (d.user + d.system) / 1000, wall: performance.now() - t0 };
}

/**
 * The sampler's CPU per sample, stated as % of one core at one sample per second: CPU of a
 * sampling window minus the idle rate of the windows either side of it (the core's own timers),
 * per sample taken (a window of N seconds holds N or N - 1 samples). Three sampling windows
 * between four idle ones; the median is the figure, since one window on a shared machine can
 * catch a neighbour's burst (the spread is printed too).
 */
const ROUNDS = 3;
async function measure(core: Core, sampler: Sampler, label: string): Promise<void> {
  let relisted = 0;
  const off = core.bus.on('monitor.sample', () => (relisted += sampler.state.relisted ?? 0));
  const idleWindow = async () => {
    // Unmeasured settling first: GC deferred from earlier samples belongs to neither window.
    await sleep(SETTLE_MS);
    return cpuOf(() => sleep(IDLE_WINDOW_MS));
  };
  const durations: number[] = [];
  const cpuMs: number[] = [];
  const pcts: number[] = [];
  let before = await idleWindow();
  for (let r = 0; r < ROUNDS; r++) {
    sampler.durations.length = 0;
    sampler.cpuMs.length = 0;
    const busy = await cpuOf(async () => {
      sampler.start();
      await sleep(BUSY_WINDOW_MS);
      sampler.stop();
      await sampler.settled();
    });
    const samples = sampler.durations.length;
    durations.push(...sampler.durations);
    cpuMs.push(...sampler.cpuMs);
    const after = await idleWindow();
    if (samples === 0) throw new Error('the sampler took no samples');
    const idleRate = (before.cpu + after.cpu) / (before.wall + after.wall);
    pcts.push(((busy.cpu - idleRate * busy.wall) / samples / INTERVAL_MS) * 100);
    before = after;
  }
  off();
  pcts.sort((a, b) => a - b);
  const ms = durations.sort((a, b) => a - b);
  const cpu = cpuMs.sort((a, b) => a - b);
  report(`${label}_cpu_pct`, percentile(pcts, 50), '%');
  report(`${label}_cpu_pct_min`, pcts[0], '%');
  report(`${label}_cpu_pct_max`, pcts[pcts.length - 1], '%');
  report(`${label}_samples`, ms.length, 'samples');
  report(`${label}_relisted_streams`, relisted / ms.length, 'streams/sample');
  // CPU inside each sample: blind to work after it (GC), but immune to the baseline's noise.
  report(`${label}_in_sample_cpu_ms_p50`, percentile(cpu, 50), 'ms');
  report(`${label}_sample_ms_p50`, percentile(ms, 50), 'ms');
  report(`${label}_sample_ms_p95`, percentile(ms, 95), 'ms');
}

/**
 * Steady state, as in an app that has been open a minute or two: V8 optimizes the sampling code
 * only after enough samples, and the first ~50 cost two to three times as much (measured: 10-30
 * ms a sample in the first 20, 4-7 ms after 100). Back-to-back samples get there in a second.
 */
const WARM_UP_SAMPLES = 100;
async function warmUp(sampler: Sampler): Promise<void> {
  for (let i = 0; i < WARM_UP_SAMPLES; i++) await sampler.tick();
}

export const group: BenchGroup = {
  name: 'sampler',
  description:
    `monitor sampler at 1 s with ${STREAMS} streams / ${STREAMS * CONSUMERS_PER_STREAM} consumers: main-process CPU ` +
    'per sample over an idle baseline; sampler_* with idle queues, sampler_backlog_* with every consumer holding work',
  async run() {
    const server = await startServer();
    const setup = await connect({ servers: server.url });
    const jsm = await jetstreamManager(setup);
    for (let s = 0; s < STREAMS; s++) {
      await jsm.streams.add({ name: `S${s}`, subjects: [`s${s}.>`] });
      for (let c = 0; c < CONSUMERS_PER_STREAM; c++) {
        await jsm.consumers.add(`S${s}`, { durable_name: `c${c}`, ack_policy: AckPolicy.Explicit });
      }
    }

    const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-bench-sampler-'));
    const core = createCore({ dataDir, mode: 'test' });
    try {
      const profile = core.profiles.save({
        name: 'bench',
        servers: [server.url],
        auth: { kind: 'none' },
        monitorUrls: [server.monitorUrl],
      });
      await core.connections.connect(core.profiles.resolve(profile.id));
      const session = await core.features.monitor.requireSession();
      const sampler = session.sampler;
      sampler.stop();
      await sampler.settled();
      await warmUp(sampler);
      const consumers = sampler.state.consumers.length;
      if (consumers < STREAMS * CONSUMERS_PER_STREAM) throw new Error(`sampler saw ${consumers} consumers`);

      await measure(core, sampler, 'sampler');

      // Worst case: every consumer has a message pending, so every stream is re-listed each sample.
      const js = jetstream(setup);
      for (let s = 0; s < STREAMS; s++) await js.publish(`s${s}.x`, 'x');
      await warmUp(sampler);
      const ours = sampler.state.consumers.filter((c) => /^S\d+$/.test(c.stream_name));
      if (ours.length !== STREAMS * CONSUMERS_PER_STREAM || ours.some((c) => c.num_pending === 0))
        throw new Error('backlog not visible to the sampler');
      await measure(core, sampler, 'sampler_backlog');
    } finally {
      await setup.close();
      await core.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      await server.dispose();
    }
  },
};
