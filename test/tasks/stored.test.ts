import { describe, expect, it } from 'vitest';
import {
  foldCancel,
  foldDiscard,
  foldRetriedAs,
  foldStatus,
  foldTask,
  parse,
  pushTimeline,
  statePart,
  type StateRecord,
  type StreamRecord,
  type TaskRecord,
} from '../../core/tasks/state/record';
import { readStored, storedJson } from '../../core/tasks/state/stored';

const enc = new TextEncoder();
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const msg = (
  subject: string,
  seq: number,
  body: unknown,
  headers?: Record<string, string>,
): StreamRecord => ({
  subject,
  seq,
  time: at(seq),
  data: enc.encode(typeof body === 'string' ? body : JSON.stringify(body)),
  headers: headers && { get: (k) => headers[k] ?? '', keys: () => Object.keys(headers) },
});
const task = (id: string, seq: number, extra: Record<string, unknown> = {}, subject = 'tasks.new') => {
  const r = msg(subject, seq, { id, type: 'echo', payload: { n: seq }, created_at: at(0), ...extra });
  return foldTask(
    undefined,
    parse(r) as Extract<ReturnType<typeof parse>, { kind: 'task' }>,
    r,
  ) as TaskRecord;
};
const status = (rec: TaskRecord | StateRecord, s: string, seq: number, ev: Record<string, unknown>) => {
  const r = msg(`tasks.status.${s}`, seq, { id: rec.id, status: s, ...ev });
  foldStatus(rec, parse(r) as Extract<ReturnType<typeof parse>, { kind: 'status' }>, r);
};
/** What a reader had before: the record through JSON as it is. */
const plain = <T>(r: T): T => JSON.parse(JSON.stringify(r)) as T;

/** Stored records leave out what can be derived, and read back exactly as written. */
describe('stored records', () => {
  it('a new task part leaves out its defaults and its published entry, and reads back whole', () => {
    const t = task('a1', 7);
    const json = storedJson(t);
    expect(json.length).toBeLessThan(JSON.stringify(t).length * 0.6);
    const raw = JSON.parse(json) as Record<string, unknown>;
    for (const k of ['status', 'priority', 'updated_at', 'attempts', 'lseq', 'timeline'])
      expect(raw[k]).toBeUndefined();
    expect(readStored(json)).toEqual(plain(t));
  });

  it('a completed state part leaves out what its last entry says, and reads back whole', () => {
    const t = task('a2', 7);
    status(t, 'processing', 9, { at: at(9), attempt: 1, worker: 'w1', seq: 7 });
    status(t, 'completed', 12, {
      at: at(12),
      attempt: 1,
      worker: 'w1',
      seq: 7,
      result: { ok: [1, 2] },
      duration_ms: 3,
    });
    const s = statePart(t);
    const json = storedJson(s);
    const raw = JSON.parse(json) as Record<string, unknown>;
    for (const k of ['updated_at', 'lseq', 'worker', 'result', 'duration_ms']) expect(raw[k]).toBeUndefined();
    expect(readStored(json)).toEqual(plain(s));
  });

  it('reads back exactly in the cases a rule does not hold', () => {
    const cases: (TaskRecord | StateRecord)[] = [];
    // Scheduled, high priority, retry of another, user headers.
    const r = msg(
      'tasks.scheduled',
      3,
      { id: 's1', type: 'echo', payload: {}, created_at: at(0), priority: 'high', run_at: at(50) },
      { 'Nats-Msg-Id': 's1', 'x-team': 'a' },
    );
    cases.push(foldTask(undefined, parse(r) as Extract<ReturnType<typeof parse>, { kind: 'task' }>, r));
    cases.push(task('r1', 4, { metadata: { retry_of: 'a0' } }));
    // An invalid task (last_error set, no last entry with it).
    const bad = msg('tasks.new', 5, 'not json', { 'Nats-Msg-Id': 'bad1' });
    cases.push(foldTask(undefined, parse(bad) as Extract<ReturnType<typeof parse>, { kind: 'task' }>, bad));
    // A status event with an empty worker: the record keeps none, the entry says ''.
    const e = task('e1', 6);
    status(e, 'processing', 8, { attempt: 1, worker: '' });
    cases.push(e, statePart(e));
    // A result of null, a failure with its error, a discard note, then a cancel and a retry.
    const n = task('n1', 10);
    status(n, 'completed', 11, { attempt: 1, worker: 'w', result: null, duration_ms: 0 });
    cases.push(n, statePart(n));
    const f = task('f1', 12);
    status(f, 'failed', 14, { attempt: 3, worker: 'w', error: 'boom', note: 'max_deliveries' });
    cases.push(f, statePart(f));
    const d = task('d1', 15);
    status(d, 'failed', 16, { attempt: 1, error: 'x' });
    foldDiscard(d, msg('tasks.delete', 17, {}));
    foldRetriedAs(d, 'd2', msg('tasks.new', 18, {}));
    cases.push(d, statePart(d));
    const c = task('c1', 19);
    foldCancel(c, msg('tasks.delete', 20, {}));
    pushTimeline(c, { kind: 'advisory', at: at(21), seq: 19, reason: 'terminated', deliveries: 2 });
    cases.push(c, statePart(c));
    // A released scheduled task (subject and seq moved) and one published again.
    const rel = cases[0] as TaskRecord;
    const lane = msg(
      'tasks.new',
      22,
      { id: 's1', type: 'echo', payload: {}, created_at: at(0) },
      {
        'JetDeck-Released-From': '3',
      },
    );
    const relDone = foldTask(
      plain(rel),
      parse(lane) as Extract<ReturnType<typeof parse>, { kind: 'task' }>,
      lane,
    ) as TaskRecord;
    cases.push(relDone, statePart(relDone));
    for (const rec of cases) expect(readStored(storedJson(rec))).toEqual(plain(rec));
  });

  it('reads records written before, without the marker, as they are', () => {
    const t = plain(task('old', 3));
    expect(readStored(JSON.stringify(t))).toEqual(t);
  });
});
