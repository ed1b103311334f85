import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../core/tasks/state/record';
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
