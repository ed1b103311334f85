import { describe, expect, it } from 'vitest';
import { taskSchema } from '../../api/task-wire';
import { plainTask } from '../../worker/runtime';

/** The runtime's hand-written fast check must never accept what taskSchema rejects. */
describe('plainTask (the fast path before taskSchema)', () => {
  const base = { id: 'a-1', type: 'echo', payload: { x: 1 }, created_at: '2024-01-01T00:00:00Z' };
  const { payload: _omit, ...noPayload } = base;
  const cases: [string, unknown][] = [
    ['plain', base],
    ['high priority, max attempts', { ...base, priority: 'high', max_attempts: 3 }],
    ['null payload', { ...base, payload: null }],
    ['missing payload', noPayload],
    ['empty id', { ...base, id: '' }],
    ['id of 200', { ...base, id: 'x'.repeat(200) }],
    ['id of 201', { ...base, id: 'x'.repeat(201) }],
    ['id with a space', { ...base, id: 'a b' }],
    ['id with a newline', { ...base, id: 'a\n' }],
    ['numeric id', { ...base, id: 5 }],
    ['type of 128', { ...base, type: 'x'.repeat(128) }],
    ['type of 129', { ...base, type: 'x'.repeat(129) }],
    ['type with a dot', { ...base, type: 'a.b' }],
    ['numeric created_at', { ...base, created_at: 5 }],
    ['unknown priority', { ...base, priority: 'low' }],
    ['null priority', { ...base, priority: null }],
    ['max attempts 0', { ...base, max_attempts: 0 }],
    ['max attempts 101', { ...base, max_attempts: 101 }],
    ['fractional max attempts', { ...base, max_attempts: 1.5 }],
    ['metadata', { ...base, metadata: { a: 1 } }],
    ['unknown key', { ...base, extra: 1 }],
    ['array', []],
    ['null', null],
    ['string', 'x'],
  ];
  it.each(cases)('%s: accepted only if taskSchema accepts it', (_name, value) => {
    const fast = plainTask(value);
    if (fast) {
      expect(taskSchema.safeParse(value).success).toBe(true);
      expect(taskSchema.parse(value)).toEqual(fast);
    }
  });

  it('takes the common shapes without zod', () => {
    expect(plainTask(base)).toBe(base);
    expect(plainTask({ ...base, priority: 'high', max_attempts: 3 })).toBeDefined();
    // What needs copying or stripping goes through taskSchema.
    expect(plainTask({ ...base, metadata: {} })).toBeUndefined();
    expect(plainTask({ ...base, extra: 1 })).toBeUndefined();
  });
});
