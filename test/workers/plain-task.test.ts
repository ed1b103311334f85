import { describe, expect, it } from 'vitest';
import { taskSchema } from '../../api/task-wire';
import { plainTask } from '../../worker/runtime';

/**
 * The runtime's hand-written fast check takes the common shapes without zod and must never
 * accept what taskSchema rejects. Each case names its branch: `fast` (plainTask returns the
 * task, equal to what taskSchema makes of it), `schema` (plainTask defers; taskSchema accepts
 * it, copying or stripping) or `invalid` (both refuse it).
 */
describe('plainTask (the fast path before taskSchema)', () => {
  const base = { id: 'a-1', type: 'echo', payload: { x: 1 }, created_at: '2024-01-01T00:00:00Z' };
  const { payload: _omit, ...noPayload } = base;
  type Branch = 'fast' | 'schema' | 'invalid';
  const cases: [string, Branch, unknown][] = [
    ['plain', 'fast', base],
    ['high priority, max attempts', 'fast', { ...base, priority: 'high', max_attempts: 3 }],
    ['null payload', 'fast', { ...base, payload: null }],
    ['id of 200', 'fast', { ...base, id: 'x'.repeat(200) }],
    ['type of 128', 'fast', { ...base, type: 'x'.repeat(128) }],
    ['metadata', 'schema', { ...base, metadata: { a: 1 } }],
    ['unknown key', 'schema', { ...base, extra: 1 }],
    ['missing payload', 'invalid', noPayload],
    ['empty id', 'invalid', { ...base, id: '' }],
    ['id of 201', 'invalid', { ...base, id: 'x'.repeat(201) }],
    ['id with a space', 'invalid', { ...base, id: 'a b' }],
    ['id with a newline', 'invalid', { ...base, id: 'a\n' }],
    ['numeric id', 'invalid', { ...base, id: 5 }],
    ['type of 129', 'invalid', { ...base, type: 'x'.repeat(129) }],
    ['type with a dot', 'invalid', { ...base, type: 'a.b' }],
    ['numeric created_at', 'invalid', { ...base, created_at: 5 }],
    ['unknown priority', 'invalid', { ...base, priority: 'low' }],
    ['null priority', 'invalid', { ...base, priority: null }],
    ['max attempts 0', 'invalid', { ...base, max_attempts: 0 }],
    ['max attempts 101', 'invalid', { ...base, max_attempts: 101 }],
    ['fractional max attempts', 'invalid', { ...base, max_attempts: 1.5 }],
    ['array', 'invalid', []],
    ['null', 'invalid', null],
    ['string', 'invalid', 'x'],
  ];

  it.each(cases)('%s: %s', (_name, branch, value) => {
    const fast = plainTask(value);
    const parsed = taskSchema.safeParse(value);
    switch (branch) {
      case 'fast':
        expect(fast).toBe(value); // no copy on the fast path
        expect(parsed.success && parsed.data).toEqual(fast);
        break;
      case 'schema':
        expect(fast).toBeUndefined();
        expect(parsed.success).toBe(true);
        break;
      case 'invalid':
        expect(fast).toBeUndefined();
        expect(parsed.success).toBe(false);
        break;
    }
  });

  it('strips unknown keys and keeps metadata on the schema path', () => {
    expect(taskSchema.parse({ ...base, extra: 1 })).not.toHaveProperty('extra');
    expect(taskSchema.parse({ ...base, metadata: { a: 1 } }).metadata).toEqual({ a: 1 });
  });
});
