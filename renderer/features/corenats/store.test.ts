import { beforeEach, describe, expect, it } from 'vitest';
import type { CoreMessage, CoreSubscribeInput, CoreSubscriptionInfo } from '../../../api/features/corenats';
import { SUB_KEEP, useCoreNats } from './store';

const info = (subId: string, p: Partial<CoreSubscriptionInfo> = {}) =>
  ({
    subId,
    subject: 'a.>',
    state: 'running',
    bufferSize: 100,
    received: 0,
    dropped: 0,
    ...p,
  }) as CoreSubscriptionInfo;
const input = { subject: 'a.>' } as CoreSubscribeInput;
const msg = (n: number) =>
  ({ subject: `a.${n}`, time: '', size: 0, data: '', truncated: false }) as CoreMessage;
const ids = () => useCoreNats.getState().subs.map((s) => s.info.subId);

describe('core NATS store', () => {
  beforeEach(() => useCoreNats.setState({ subs: [], selected: undefined, focused: undefined }));

  it('added appends the subscription and selects it', () => {
    useCoreNats.getState().added(info('s1'), input);
    useCoreNats.getState().added(info('s2'), input);
    expect(ids()).toEqual(['s1', 's2']);
    expect(useCoreNats.getState().selected).toBe('s2');
  });

  it('replaced keeps the place and messages and moves the selection to the new id', () => {
    const { added, batch, replaced } = useCoreNats.getState();
    added(info('s1'), input);
    added(info('s2'), input);
    useCoreNats.setState({ selected: 's1' });
    batch({ subId: 's1', messages: [msg(1)], dropped: 0, received: 1 });
    replaced('s1', info('s1b'));
    expect(ids()).toEqual(['s1b', 's2']);
    expect(useCoreNats.getState().subs[0].messages).toHaveLength(1);
    expect(useCoreNats.getState().selected).toBe('s1b');
  });

  it('removing the selected subscription selects the last one and clears the focused message', () => {
    const { added, removed } = useCoreNats.getState();
    added(info('s1'), input);
    added(info('s2'), input);
    added(info('s3'), input);
    useCoreNats.setState({ selected: 's2', focused: msg(1) });
    removed('s2');
    const s = useCoreNats.getState();
    expect(ids()).toEqual(['s1', 's3']);
    expect(s.selected).toBe('s3');
    expect(s.focused).toBeUndefined();
  });

  it('removing another subscription keeps the selection and the focused message', () => {
    const { added, removed } = useCoreNats.getState();
    added(info('s1'), input);
    added(info('s2'), input);
    const focused = msg(1);
    useCoreNats.setState({ selected: 's2', focused });
    removed('s1');
    expect(useCoreNats.getState().selected).toBe('s2');
    expect(useCoreNats.getState().focused).toBe(focused);
  });

  it('batch keeps SUB_KEEP messages, counts the overflow as dropped and updates received', () => {
    const { added, batch } = useCoreNats.getState();
    added(info('s1'), input);
    added(info('s2'), input);
    batch({
      subId: 's1',
      messages: Array.from({ length: SUB_KEEP }, (_, i) => msg(i)),
      dropped: 2,
      received: SUB_KEEP,
    });
    batch({ subId: 's1', messages: [msg(SUB_KEEP)], dropped: 0, received: SUB_KEEP + 3 });
    const [s1, s2] = useCoreNats.getState().subs;
    expect(s1.messages).toHaveLength(SUB_KEEP);
    expect(s1.messages[0].subject).toBe('a.1');
    expect(s1.dropped).toBe(3);
    expect(s1.info.received).toBe(SUB_KEEP + 3);
    expect(s2.messages).toEqual([]);
  });
});
