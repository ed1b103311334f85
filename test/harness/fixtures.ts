import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { ApiError } from '../../api/errors';
import type { ServeHandle } from '../../core/serve/server';
import { builtinHandlers } from '../../worker/handlers/builtin';
import { WorkerRuntime, type WorkerRuntimeOptions } from '../../worker/runtime';
import { makeTestCore, type TestCore } from './core';
import { startServer, type TestServer } from './nats-server';

/**
 * Vitest fixtures over the harness (not in its public face: bench/ and e2e/ do not run under
 * vitest's hooks).
 */

/** The ApiError code `p` rejects with; undefined when it resolves. Anything else is rethrown. */
export async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
}

export interface SharedCore {
  server: TestServer;
  t: TestCore;
}

/**
 * A nats-server and a core connected to it, shared by the tests of a file (or describe block):
 * started in `beforeAll`, then handed to `ready` (assign them to the file's variables, start
 * what else the file needs there and return its cleanup), stopped in `afterAll` in reverse.
 */
export function sharedCore(
  ready: (env: SharedCore) => void | (() => unknown) | Promise<void | (() => unknown)>,
  timeoutMs?: number,
): void {
  let env: SharedCore | undefined;
  let cleanup: void | (() => unknown);
  beforeAll(async () => {
    const server = await startServer();
    const t = makeTestCore();
    env = { server, t };
    await t.connectTo(server.url);
    cleanup = await ready(env);
  }, timeoutMs);
  afterAll(async () => {
    await cleanup?.();
    await env?.t.dispose();
    await env?.server.dispose();
  });
}

export interface TestWorker extends AsyncDisposable {
  runtime: WorkerRuntime;
  nc: NatsConnection;
  /** Drains the runtime and closes its connection. */
  stop(): Promise<void>;
}

/** A started WorkerRuntime with the built-in handlers, on its own connection to `url`. */
export async function startWorker(
  url: string,
  opts: Omit<WorkerRuntimeOptions, 'nc' | 'handlers'> & Partial<Pick<WorkerRuntimeOptions, 'handlers'>>,
): Promise<TestWorker> {
  const nc = await connect({ servers: url });
  const runtime = new WorkerRuntime({ nc, handlers: builtinHandlers, ...opts });
  await runtime.start();
  const stop = async () => {
    await runtime.drain();
    await nc.close();
  };
  return { runtime, nc, stop, [Symbol.asyncDispose]: stop };
}

/** A REST call to a running serve with its token: JSON in, status and JSON body out. */
export async function rest(
  serve: ServeHandle,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${serve.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${serve.token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
