import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autoConnect } from '../../core/backend';
import { makeTestCore } from '../harness/core';

const dataDir = mkdtempSync(join(tmpdir(), 'jetdeck-auto-'));
const savedEnv = process.env.JETDECK_NATS_SERVER;
afterAll(() => {
  if (savedEnv !== undefined) process.env.JETDECK_NATS_SERVER = savedEnv;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('autoConnect with no profile', () => {
  it('starts the embedded server, connects to it, stops it on dispose and reuses it next launch', async () => {
    delete process.env.JETDECK_NATS_SERVER;
    const t = makeTestCore({ dataDir });
    await autoConnect(t.core);
    const status = await t.call('connections.status');
    expect(status).toMatchObject({ state: 'connected', profileId: 'local', profileName: 'Local (embedded)' });
    const local = await t.call('localServer.status');
    expect(local.state).toBe('running');
    expect(local.storeDir).toBe(join(dataDir, 'nats-server', 'store'));
    expect(status.server).toBe(local.clientUrl!.replace('nats://', ''));
    const overview = await t.call('connections.overview');
    expect(overview.jetstream).not.toBeNull();
    const list = await t.call('connections.list');
    expect(list.activeId).toBe('local');
    expect(list.profiles.find((p) => p.id === 'local')).toMatchObject({
      source: 'local',
      servers: [local.clientUrl],
      monitorUrls: [local.monitorUrl],
    });
    const pid = local.pid!;
    await t.dispose();
    expect(() => process.kill(pid, 0)).toThrow();

    // Next launch: same data folder, same port, so the saved embedded profile still points right.
    const t2 = makeTestCore({ dataDir });
    try {
      await autoConnect(t2.core);
      expect((await t2.call('connections.status')).state).toBe('connected');
      expect((await t2.call('localServer.status')).clientUrl).toBe(local.clientUrl);
    } finally {
      await t2.dispose();
    }
  });
});
