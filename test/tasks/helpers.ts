import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventName, EventPayload } from '../../api/contract';
import type { Core } from '../../core/core';
import { pollUntil } from '../harness/poll';

/** Polls until `fn` returns a truthy value (the harness's pollUntil). */
export const until = <T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000) =>
  pollUntil(fn, { what, timeoutMs }) as Promise<NonNullable<T>>;

/** Records every payload of a bus topic. */
export function record<E extends EventName>(
  core: Core,
  topic: E,
): { events: EventPayload<E>[]; stop: () => void } {
  const events: EventPayload<E>[] = [];
  const stop = core.bus.on(topic, (p) => events.push(p));
  return { events, stop };
}

/** A separate raw client for checking the server side. */
export async function rawClient(
  url: string,
): Promise<{ nc: NatsConnection; jsm: JetStreamManager; close: () => Promise<void> }> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  return { nc, jsm, close: () => nc.close() };
}

export async function streamMessages(jsm: JetStreamManager, subject?: string): Promise<number> {
  const si = await jsm.streams.info('TASKS', subject ? { subjects_filter: subject } : undefined);
  if (!subject) return si.state.messages;
  return Object.values(si.state.subjects ?? {}).reduce((n, c) => n + c, 0);
}
