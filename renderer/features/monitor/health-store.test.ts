import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthEntry } from '../../../api/features/monitor';

import { emit as emitEvent, fake } from '../../test-support/fake-api';

vi.mock('../../api', () => import('../../test-support/fake-api'));

const { healthKey, refreshHealth, useHealth } = await import('./health-store');
const { useConnections } = await import('../connections/store');

const entry = (status: string) => ({ status }) as unknown as HealthEntry;
const emit = (payload: unknown) => emitEvent('monitor.health', payload);

describe('health store', () => {
  beforeEach(() => {
    fake.call.mockReset();
    useHealth.setState({ entries: {}, overall: 'OK', at: 0, loaded: false });
    useConnections.setState({ status: { state: 'idle', since: 0 } });
  });

  it('healthKey prefixes the kind', () => {
    expect(healthKey('consumer', 'S/c')).toBe('consumer:S/c');
  });

  it('a change event sets new entries and deletes those without an entry', () => {
    useHealth.setState({ entries: { 'stream:A': entry('OK'), 'stream:B': entry('OK') } });
    emit({
      at: 5,
      overall: 'WARN',
      changes: [
        { key: 'stream:A', from: 'OK', to: 'WARN', entry: entry('WARN') },
        { key: 'stream:B', from: 'OK', to: null },
      ],
    });
    const s = useHealth.getState();
    expect(s.entries).toEqual({ 'stream:A': entry('WARN') });
    expect(s.overall).toBe('WARN');
    expect(s.at).toBe(5);
  });

  it('leaving the connected state clears the map so it is read again', () => {
    useConnections.setState({ status: { state: 'connected', since: 0 } });
    useHealth.setState({ entries: { 'stream:A': entry('CRIT') }, overall: 'CRIT', loaded: true });
    useConnections.setState({ status: { state: 'idle', since: 1 } });
    expect(useHealth.getState()).toMatchObject({ entries: {}, overall: 'OK', loaded: false });
  });

  it('refreshHealth loads the map once for concurrent callers', async () => {
    fake.call.mockResolvedValue({ at: 9, overall: 'CRIT', entries: { 'stream:A': entry('CRIT') } });
    await Promise.all([refreshHealth(), refreshHealth()]);
    expect(fake.call).toHaveBeenCalledTimes(1);
    expect(useHealth.getState()).toMatchObject({ overall: 'CRIT', at: 9, loaded: true });
  });

  it('refreshHealth marks the map loaded and empty when the call fails', async () => {
    useHealth.setState({ entries: { 'stream:A': entry('CRIT') } });
    fake.call.mockRejectedValue(new Error('not connected'));
    await refreshHealth();
    expect(useHealth.getState()).toMatchObject({ entries: {}, overall: 'OK', loaded: true });
  });
});
