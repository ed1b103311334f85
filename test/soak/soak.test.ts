import { expect, it } from 'vitest';
import { runSoak } from '../../bench/soak';

/**
 * The short soak CI runs (`npm run soak` is the long one): tasks through the pool with 2 threads
 * while a UI-like client tails the stream; every task completes exactly once, counted from the
 * stream. Figures are printed, never asserted as timings.
 */
it('short soak: no lost and no duplicate completions while a UI tails the stream', async () => {
  const tasks = Number(process.env.SOAK_TASKS ?? 20_000);
  const r = await runSoak({ tasks, stallMs: 60_000 });
  console.log(
    `soak ${tasks} tasks in ${r.seconds.toFixed(1)} s: rss ${mb(r.rss.start)} → ${mb(r.rss.middle)} → ${mb(r.rss.end)} MB, ` +
      `completed events ${r.completedEvents}, lost ${r.lost}, duplicates ${r.duplicates}, ` +
      `tail ${r.tail.batches} batches / ${r.tail.messages} messages / ${r.tail.dropped} dropped`,
  );
  expect(r.publish).toMatchObject({ acked: tasks, failed: 0, state: 'done' });
  expect(r.lost).toBe(0);
  expect(r.duplicates).toBe(0);
  expect(r.completedEvents).toBe(tasks);
  // The UI really was fed while the pool ran.
  expect(r.tail.batches).toBeGreaterThan(0);
  expect(r.tail.messages).toBeGreaterThan(0);
}, 300_000);

const mb = (b: number) => Math.round(b / 1024 / 1024);
