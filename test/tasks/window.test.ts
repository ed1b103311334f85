import { describe, expect, it } from 'vitest';
import type { StateRecord, TaskRecord } from '../../core/tasks/state/record';
import { TaskWindow } from '../../core/tasks/state/window';

const rec = (seq: number, lseq = seq, status: TaskRecord['status'] = 'completed'): TaskRecord => ({
  id: `t${seq}`,
  type: 'echo',
  status,
  priority: 'normal',
  subject: 'tasks.new',
  seq,
  published_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  attempts: 1,
  timeline: [],
  lseq,
});
/** A state part (`s.<id>`): what the task's events changed. */
const state = (seq: number, lseq: number, status: TaskRecord['status']): StateRecord => ({
  id: `t${seq}`,
  status,
  attempts: 1,
  updated_at: '2026-01-01T00:00:01.000Z',
  lseq,
  seq,
  timeline: [{ kind: 'status', at: '2026-01-01T00:00:01.000Z', seq: lseq, status }],
  worker: 'w',
});
const ids = (w: TaskWindow) => w.list({}, 1000).tasks.map((t) => t.id);

/** The live table's window: the start-up fill merges older records behind the newest ones. */
describe('TaskWindow.applyOlder', () => {
  it('merges older records in sequence order behind the newest ones, whatever order they come in', () => {
    const w = new TaskWindow(100);
    for (const s of [50, 51, 52]) w.apply(rec(s));
    w.takeChanged();
    w.applyOlder([rec(10), rec(49), rec(30), rec(51, 40), rec(20)]);
    expect(ids(w)).toEqual(['t52', 't51', 't50', 't49', 't30', 't20', 't10']);
    expect(w.fromSeq).toBe(10);
    // Only what the fill added is reported changed: t51's older revision was ignored.
    expect(w.takeChanged().sort()).toEqual(['t10', 't20', 't30', 't49']);
  });

  it('keeps the newer revision of a task it already holds, and takes a newer one', () => {
    const w = new TaskWindow(100);
    w.apply(rec(5, 90, 'completed'));
    w.apply(rec(6, 10, 'pending'));
    w.applyOlder([rec(5, 80, 'processing'), rec(6, 20, 'processing')]);
    expect(w.get('t5')?.status).toBe('completed');
    expect(w.get('t6')?.status).toBe('processing');
    expect(ids(w)).toEqual(['t6', 't5']);
  });

  it('stays within its cap, dropping the oldest', () => {
    const w = new TaskWindow(10);
    for (let s = 100; s < 105; s++) w.apply(rec(s));
    w.applyOlder(Array.from({ length: 20 }, (_, i) => rec(i + 1)));
    expect(w.size).toBe(10);
    expect(ids(w)).toEqual(['t104', 't103', 't102', 't101', 't100', 't20', 't19', 't18', 't17', 't16']);
    expect(w.get('t1')).toBeUndefined();
  });
});

/** State parts (`s.<id>`) merged into the task the window holds, whichever part comes first. */
describe('TaskWindow with state parts', () => {
  const whole = (seq: number) => ({
    ...rec(seq, seq, 'pending'),
    attempts: 0,
    timeline: [{ kind: 'published' as const, at: '2026-01-01T00:00:00.000Z', seq, subject: 'tasks.new' }],
  });

  it('merges a state part into the task part it holds; an older one changes nothing', () => {
    const w = new TaskWindow(100);
    w.apply(whole(5));
    w.apply(state(5, 9, 'completed'));
    expect(w.get('t5')).toMatchObject({
      type: 'echo',
      status: 'completed',
      worker: 'w',
      lseq: 9,
      attempts: 1,
    });
    expect(w.get('t5')!.timeline.map((e) => e.kind)).toEqual(['published', 'status']);
    w.apply(state(5, 7, 'processing'));
    expect(w.get('t5')?.status).toBe('completed');
  });

  it('holds a state part read before its task part (start-up reads the newest first) and merges it then', () => {
    const w = new TaskWindow(100);
    w.apply(state(3, 8, 'failed'));
    expect(w.get('t3')).toBeUndefined();
    w.applyOlder([whole(3), whole(4), state(4, 6, 'processing')]);
    expect(w.get('t3')).toMatchObject({ status: 'failed', type: 'echo', lseq: 8 });
    expect(w.get('t4')).toMatchObject({ status: 'processing', lseq: 6 });
    expect(ids(w)).toEqual(['t4', 't3']);
  });

  it('drops a state part of a task older than a full window', () => {
    const w = new TaskWindow(2);
    w.apply(whole(10));
    w.apply(whole(11));
    w.apply(state(1, 12, 'completed'));
    w.apply(whole(1));
    expect(w.get('t1')).toBeUndefined();
    expect(ids(w)).toEqual(['t11', 't10']);
  });
});
