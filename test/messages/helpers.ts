import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { JobProgress } from '../../api/features/messages';
import type { Core } from '../../core/core';
import { sharedCore, type SharedCore } from '../harness/fixtures';
import { pollUntil } from '../harness/poll';

export interface Seeder {
  nc: NatsConnection;
  jsm: JetStreamManager;
  publish(subject: string, data: string | Uint8Array, msgId?: string): Promise<number>;
  close(): Promise<void>;
}

/** A separate client connection for seeding and checking streams. */
export async function seeder(url: string): Promise<Seeder> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    jsm,
    async publish(subject, data, msgId) {
      const h = msgId ? headers() : undefined;
      if (h && msgId) h.set('Nats-Msg-Id', msgId);
      const ack = await js.publish(subject, data, h ? { headers: h } : undefined);
      return ack.seq;
    },
    close: () => nc.close(),
  };
}

/** Publishes many messages concurrently (bounded) and waits for every ack. */
export async function publishMany(
  s: Seeder,
  n: number,
  subjectOf: (i: number) => string,
  dataOf: (i: number) => string,
): Promise<void> {
  const js = jetstream(s.nc);
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    inFlight.push(js.publish(subjectOf(i), dataOf(i)));
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
}

/** Resolves with the final progress of a job (awaits the event, no sleeps). */
export function jobDone(core: Core, jobId: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = core.bus.on('replay.progress', (p) => {
      if (p.jobId === jobId && p.done) {
        off();
        resolve(p);
      }
    });
  });
}

export const b64 = (s: string) => Buffer.from(s).toString('base64');
export const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Polls until `fn`'s value satisfies `ok` (the harness's pollUntil). */
export const until = <T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000) =>
  pollUntil(fn, { ok, timeoutMs, what: 'the condition', intervalMs: 50 });

/** `sharedCore` plus a seeding connection (`s`), closed with them. */
export function sharedSeededCore(ready: (env: SharedCore & { s: Seeder }) => void | Promise<void>): void {
  sharedCore(async (env) => {
    const s = await seeder(env.server.url);
    await ready({ ...env, s });
    return () => s.close();
  });
}
