import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { startServer, stopAll } from './nats-server';

afterAll(stopAll);

describe('test harness', () => {
  it('starts a JetStream server on a free port and restarts it on the same one', async () => {
    const s = await startServer();
    expect(s.port).not.toBe(4222);
    const nc = await connect({ servers: s.url });
    expect(nc.info?.jetstream).toBe(true);
    await nc.close();
    const port = s.port;
    await s.restart();
    expect(s.port).toBe(port);
    const res = await fetch(`${s.monitorUrl}/healthz`);
    expect(res.status).toBe(200);
    await s.dispose();
  });
});
