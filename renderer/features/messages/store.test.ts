import { beforeEach, describe, expect, it } from 'vitest';
import type { TailMessage } from '../../../api/features/messages';
import { EMPTY_WINDOW, TAIL_KEEP, useMessages } from './store';

const tail = (seq: number): TailMessage => ({
  seq,
  subject: 's',
  time: '',
  size: 0,
  data: '',
  truncated: false,
  contentType: 'text',
});

describe('messages store', () => {
  beforeEach(() =>
    useMessages.setState({ checked: [], tailMessages: [], tailDropped: 0, win: EMPTY_WINDOW }),
  );

  it('toggleChecked adds sequences in ascending order', () => {
    const { toggleChecked } = useMessages.getState();
    toggleChecked(5);
    toggleChecked(2);
    toggleChecked(9);
    expect(useMessages.getState().checked).toEqual([2, 5, 9]);
  });

  it('toggleChecked removes a sequence that is already checked', () => {
    useMessages.setState({ checked: [2, 5, 9] });
    useMessages.getState().toggleChecked(5);
    expect(useMessages.getState().checked).toEqual([2, 9]);
  });

  it('setWin merges into the window without touching other fields', () => {
    useMessages.getState().setWin({ hasNext: true, lastSeq: 42 });
    expect(useMessages.getState().win).toEqual({ ...EMPTY_WINDOW, hasNext: true, lastSeq: 42 });
    expect(EMPTY_WINDOW.hasNext).toBe(false);
  });

  it('addTail appends messages and adds the reported drops', () => {
    useMessages.getState().addTail([tail(1), tail(2)], 0);
    useMessages.getState().addTail([tail(3)], 4);
    const s = useMessages.getState();
    expect(s.tailMessages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(s.tailDropped).toBe(4);
  });

  it('addTail keeps the newest TAIL_KEEP messages and counts the overflow as dropped', () => {
    const first = Array.from({ length: TAIL_KEEP }, (_, i) => tail(i + 1));
    useMessages.getState().addTail(first, 1);
    useMessages.getState().addTail([tail(TAIL_KEEP + 1), tail(TAIL_KEEP + 2)], 0);
    const s = useMessages.getState();
    expect(s.tailMessages).toHaveLength(TAIL_KEEP);
    expect(s.tailMessages[0].seq).toBe(3);
    expect(s.tailMessages[TAIL_KEEP - 1].seq).toBe(TAIL_KEEP + 2);
    expect(s.tailDropped).toBe(3);
  });
});
