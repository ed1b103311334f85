/**
 * A fresh JetDeck core in its own process (so its RSS is its own): connects to the server in
 * argv[2], times how long until the task list is ready and until its whole window is loaded,
 * then looks up the ids in argv[3..] and prints one JSON line. Used by the `scale` bench group.
 */
import { makeTestCore } from '../../test/harness';
import { percentile } from '../lib';

const [url, ...ids] = process.argv.slice(2);
const ROUNDS = 40;
const t = makeTestCore();
const t0 = performance.now();
await t.connectTo(url);
let list = await t.call('tasks.list', { limit: 100 }).catch(() => undefined);
while (!list?.ready) {
  await new Promise((r) => setTimeout(r, 10));
  list = await t.call('tasks.list', { limit: 100 }).catch(() => undefined);
}
const readyMs = performance.now() - t0;
// The rest of the window is read behind the first pages: RSS is taken once it is all in.
while (list.index?.window_filling) {
  await new Promise((r) => setTimeout(r, 10));
  list = await t.call('tasks.list', { limit: 100 });
}
const windowMs = performance.now() - t0;
const lookups: Record<string, number> = {};
for (const id of ids) {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const s = performance.now();
    const d = await t.call('tasks.get', { id });
    times.push(performance.now() - s);
    if (d.id !== id || d.status !== 'completed') throw new Error(`lookup ${id}: ${d.status}`);
  }
  lookups[id] = percentile(
    times.sort((a, b) => a - b),
    95,
  );
}
const out = {
  readyMs,
  windowMs,
  window: list.index?.window ?? 0,
  rss: process.memoryUsage().rss,
  counts: list.counts,
  index: list.index,
  lookups,
};
console.log(JSON.stringify(out));
await t.dispose();
process.exit(0);
