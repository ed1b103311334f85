import type { EventName, EventPayload } from '../../api/contract';
import type { Core } from '../../core/core';
import type { TestCore } from '../harness/core';
import { APP_USER, SYS_USER } from '../harness/cluster-auth';
import { pollUntil } from '../harness/poll';

/** Polls until `fn` returns a truthy value (the harness's pollUntil). */
export const waitFor = <T>(
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 15_000,
) => pollUntil(fn, { what, timeoutMs, intervalMs: 100 }) as Promise<T>;

/** Resolves with the first payload of `topic` that satisfies `pred`. */
export function nextEvent<E extends EventName>(
  core: Core,
  topic: E,
  pred: (p: EventPayload<E>) => boolean,
  timeoutMs = 15_000,
): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${topic} event matched within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = core.bus.on(topic, (p) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

export type SourceSetup = 'system' | 'http' | 'account';

/** Saves and connects an APP-account profile whose extra settings select the wanted source. */
export async function connectWith(
  tc: TestCore,
  setup: SourceSetup,
  urls: string[],
  monitorUrls: string[] = [],
): Promise<string> {
  const p = await tc.call('connections.save', {
    name: `monitor ${setup}`,
    servers: urls,
    auth: { kind: 'userpass', user: APP_USER.user, password: APP_USER.password },
    system:
      setup === 'system'
        ? { auth: { kind: 'userpass', user: SYS_USER.user, password: SYS_USER.password } }
        : undefined,
    monitorUrls: setup === 'http' ? monitorUrls : undefined,
  });
  await tc.call('connections.connect', { id: p.id });
  return p.id;
}
