import type { EventName, EventPayload } from '../api/contract';

type Listener = (topic: EventName, payload: unknown) => void;

/**
 * The core's typed event bus. Transports (IPC, WebSocket) subscribe with `onAny` and forward;
 * features emit. High-rate producers batch before emitting (see core/util/batcher.ts).
 */
export class EventBus {
  private readonly any = new Set<Listener>();
  private readonly byTopic = new Map<EventName, Set<(payload: unknown) => void>>();

  emit<E extends EventName>(topic: E, payload: EventPayload<E>): void {
    this.byTopic.get(topic)?.forEach((l) => safe(() => l(payload)));
    this.any.forEach((l) => safe(() => l(topic, payload)));
  }

  on<E extends EventName>(topic: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.byTopic.get(topic);
    if (!set) this.byTopic.set(topic, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onAny(listener: Listener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('[jetdeck] event listener failed:', err);
  }
}
