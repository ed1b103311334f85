import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createCore } from '../../core/backend';
import { monitorOf } from '../../core/monitor/runtime';
import { startServer } from '../../test/harness/nats-server';
import { percentile, report, type BenchGroup } from '../lib';

const STREAMS = 50;
const CONSUMERS_PER_STREAM = 4;
const WINDOW_MS = 20_000;

/** CPU of this process (user + system) over `ms`, as % of one core. */
async function cpuPct(ms: number): Promise<number> {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const d = process.cpuUsage(before);
  return ((d.user + d.system) / 1000 / (performance.now() - t0)) * 100;
}

export const group: BenchGroup = {
  name: 'sampler',
  description: `monitor sampler at 1 s with ${STREAMS} streams / ${STREAMS * CONSUMERS_PER_STREAM} consumers: main-process CPU over an idle baseline`,
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
    await setup.close();

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
      const session = await monitorOf(core).requireSession();
      await session.sampler.tick(); // warm up (JIT, HTTP keep-alive)
      session.sampler.stop();
      await new Promise((r) => setTimeout(r, 1000));

      const idle = await cpuPct(WINDOW_MS);
      session.sampler.durations.length = 0;
      session.sampler.start();
      const busy = await cpuPct(WINDOW_MS);
      session.sampler.stop();

      const ms = [...session.sampler.durations].sort((a, b) => a - b);
      const consumers = session.sampler.state.consumers.length;
      if (consumers < STREAMS * CONSUMERS_PER_STREAM) throw new Error(`sampler saw ${consumers} consumers`);
      report('sampler_cpu_pct', busy - idle, '%');
      report('sampler_idle_cpu_pct', idle, '%');
      report('sampler_samples', ms.length, 'samples');
      report('sampler_sample_ms_p50', percentile(ms, 50), 'ms');
      report('sampler_sample_ms_p95', percentile(ms, 95), 'ms');
    } finally {
      await core.dispose();
      rmSync(dataDir, { recursive: true, force: true });
      await server.dispose();
    }
  },
};
