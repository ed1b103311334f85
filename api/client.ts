import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from './contract';
import { ApiError, isErrorEnvelope, type ErrorEnvelope } from './errors';

/** The result of one call as it crosses a transport: never a thrown error. */
export type CallResult = { ok: true; result: unknown } | { ok: false; error: ErrorEnvelope };

/**
 * What a transport must provide: the Electron preload (IPC) and the serve bridge (WebSocket)
 * both implement this, and the typed client below is built on it, so the renderer never
 * knows which one it has.
 */
export interface Transport {
  readonly kind: 'ipc' | 'ws';
  request(method: string, input: unknown): Promise<CallResult>;
  /** Receives every event; returns an unsubscribe function. */
  onEvent(listener: (topic: string, payload: unknown) => void): () => void;
  /** Optional transport-level state (WebSocket reconnects). */
  onState?(listener: (state: 'open' | 'closed') => void): () => void;
}

export interface JetDeckClient {
  readonly transport: Transport['kind'];
  call<N extends MethodName>(
    method: N,
    ...input: undefined extends MethodInput<N> ? [MethodInput<N>?] : [MethodInput<N>]
  ): Promise<MethodOutput<N>>;
  on<E extends EventName>(topic: E, listener: (payload: EventPayload<E>) => void): () => void;
  onTransportState(listener: (state: 'open' | 'closed') => void): () => void;
}

export function createClient(transport: Transport): JetDeckClient {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  transport.onEvent((topic, payload) => {
    listeners.get(topic)?.forEach((l) => l(payload));
  });
  return {
    transport: transport.kind,
    async call(method, ...args) {
      const res = await transport.request(method, args[0]);
      if (res.ok) return res.result as never;
      throw isErrorEnvelope(res.error)
        ? ApiError.fromEnvelope(res.error)
        : new ApiError('internal', 'malformed error from backend', res.error);
    },
    on(topic, listener) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onTransportState(listener) {
      return transport.onState?.(listener) ?? (() => {});
    },
  };
}
