import type { EventName, EventPayload } from '../../api/contract';
import type { EventBus } from '../../core/events';

/** Every payload of `topic` since the recorder was made, plus a way to await the next match. */
export function recordEvents<E extends EventName>(bus: EventBus, topic: E) {
  const seen: EventPayload<E>[] = [];
  const waiters = new Set<() => void>();
  const off = bus.on(topic, (p) => {
    seen.push(p);
    waiters.forEach((w) => w());
  });
  return {
    seen,
    off,
    /** Resolves with the first payload at index >= `from` matching `pred`; rejects after `timeoutMs`. */
    waitFor(
      pred: (p: EventPayload<E>) => boolean,
      opts: { from?: number; timeoutMs?: number } = {},
    ): Promise<EventPayload<E>> {
      const from = opts.from ?? 0;
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = seen.slice(from).find(pred);
          if (!hit) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching ${topic} event within ${opts.timeoutMs ?? 15_000} ms; saw ${JSON.stringify(seen.slice(from))}`,
            ),
          );
        }, opts.timeoutMs ?? 15_000);
        if (!check()) waiters.add(check);
      });
    },
  };
}
