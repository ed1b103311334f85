import type { HandlerMap, TaskContext } from './types';

/** Built-in handlers, useful for trying a queue out and for benchmarks and tests. */

function field<T>(payload: unknown, key: string, check: (v: unknown) => v is T, fallback?: T): T {
  const v =
    typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[key] : undefined;
  if (v === undefined && fallback !== undefined) return fallback;
  if (!check(v)) throw new Error(`payload.${key} is missing or has the wrong type`);
  return v;
}
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isString = (v: unknown): v is string => typeof v === 'string';

function abortable(ms: number, ctx: TaskContext): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

const PROGRESS_EVERY_MS = 10_000;

/** Spins for `ms`; returns the loop count. */
function spin(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
}

export const builtinHandlers: HandlerMap = {
  /** Returns the payload. */
  echo: (task) => task.payload,

  /**
   * { ms }: waits, abortably. Heartbeats (working()) every ctx.heartbeatMs keep it alive for any
   * ack wait; a `processing` progress report every 10 s.
   */
  sleep: async (task, ctx) => {
    const ms = field(task.payload, 'ms', isNumber);
    const beat = ctx.heartbeatMs;
    let reported = 0;
    for (let done = 0; done < ms;) {
      const step = Math.min(beat, ms - done);
      await abortable(step, ctx);
      done += step;
      if (done >= ms) break;
      if (done - reported >= PROGRESS_EVERY_MS) {
        ctx.progress(done / ms);
        reported = done;
      } else ctx.working();
    }
    return { slept: ms };
  },

  /** { message }: always throws. */
  fail: (task) => {
    throw new Error(field(task.payload, 'message', isString, 'task failed (fail handler)'));
  },

  /**
   * { failRate }: throws with that probability. { failTimes: n } instead fails the first n
   * attempts and then succeeds (deterministic, for tests and demos).
   */
  flaky: (task, ctx) => {
    const failTimes = field(task.payload, 'failTimes', isNumber, -1);
    if (failTimes >= 0) {
      if (ctx.attempt <= failTimes) throw new Error(`flaky: failing attempt ${ctx.attempt} of ${failTimes}`);
      return { attempt: ctx.attempt };
    }
    const rate = field(task.payload, 'failRate', isNumber, 0.5);
    if (Math.random() < rate) throw new Error(`flaky: failed (failRate ${rate})`);
    return { attempt: ctx.attempt };
  },

  /**
   * { ms }: busy loop (CPU-bound work). Up to one heartbeat interval it runs in one go; longer
   * runs work in slices of ctx.heartbeatMs, calling working() and yielding between them, so the
   * heartbeat reaches the server (nothing is written while the thread spins) and an abort is seen.
   */
  cpu: (task, ctx) => {
    const ms = field(task.payload, 'ms', isNumber);
    const beat = ctx.heartbeatMs;
    if (ms <= beat) return { iterations: spin(ms) };
    return (async () => {
      let n = 0;
      for (let done = 0; done < ms; done += beat) {
        n += spin(Math.min(beat, ms - done));
        ctx.working();
        await new Promise((r) => setImmediate(r));
        if (ctx.signal.aborted) throw new Error('aborted');
      }
      return { iterations: n };
    })();
  },
};

export const BUILTIN_TYPES = Object.keys(builtinHandlers);
