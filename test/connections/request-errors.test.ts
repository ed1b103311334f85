import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { toApiError } from '../../core/errors';
import { startServer, type TestServer } from '../harness';

describe('errors of requests cut short', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.dispose());

  it('a request still open when its connection closes is not_connected, not an internal error', async () => {
    const nc = await connect({ servers: server.url });
    // Something listens but never answers: the request is open when the connection closes.
    nc.subscribe('silent.service');
    await nc.flush();
    const pending = nc.request('silent.service', 'x', { timeout: 30_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await nc.close();
    const err = await pending;
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(toApiError(err).code).toBe('not_connected');
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it('no responders stays a NATS error', async () => {
    const nc = await connect({ servers: server.url });
    try {
      const err = await nc.request('nobody.here', 'x', { timeout: 2000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(toApiError(err).code).toBe('nats_error');
    } finally {
      await nc.close();
    }
  });
});
