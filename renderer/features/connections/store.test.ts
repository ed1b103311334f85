import { beforeEach, describe, expect, it } from 'vitest';
import { useConnections } from './store';

const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `line ${from + i}`);

describe('connections store', () => {
  beforeEach(() => useConnections.setState({ log: [], profiles: [], activeId: undefined, open: [] }));

  it('appendLog adds lines after the existing ones', () => {
    useConnections.getState().setLog(['a']);
    useConnections.getState().appendLog(['b', 'c']);
    expect(useConnections.getState().log).toEqual(['a', 'b', 'c']);
  });

  it('appendLog keeps only the newest 5000 lines', () => {
    useConnections.getState().setLog(lines(0, 4999));
    useConnections.getState().appendLog(lines(4999, 3));
    const log = useConnections.getState().log;
    expect(log).toHaveLength(5000);
    expect(log[0]).toBe('line 2');
    expect(log[4999]).toBe('line 5001');
  });

  it('setLog replaces the log and caps it at 5000 lines', () => {
    useConnections.getState().setLog(['old']);
    useConnections.getState().setLog(lines(0, 5001));
    const log = useConnections.getState().log;
    expect(log).toHaveLength(5000);
    expect(log[0]).toBe('line 1');
  });

  it('setProfiles clears the active id when none is given', () => {
    useConnections.setState({ activeId: 'p1' });
    useConnections.getState().setProfiles({ profiles: [] });
    expect(useConnections.getState().activeId).toBeUndefined();
  });
});
