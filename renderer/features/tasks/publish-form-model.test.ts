import { describe, expect, it } from 'vitest';
import {
  INITIAL_PUBLISH_FORM,
  publishFieldErrors,
  validatePublishForm,
  whenInput,
  type PublishFormValues,
} from './publish-form-model';

const form = (p: Partial<PublishFormValues>): PublishFormValues => ({ ...INITIAL_PUBLISH_FORM, ...p });

describe('publish form (validated with the contract schemas)', () => {
  it('turns a valid single task into tasks.publish with parsed payload, headers and max attempts', () => {
    const r = validatePublishForm(
      form({
        id: ' job-1 ',
        maxAttempts: '5',
        headers: [
          { key: ' X-Trace ', value: 'abc' },
          { key: '', value: '' },
        ],
      }),
    );
    expect(r.errors).toEqual({});
    expect(r.call).toEqual({
      method: 'tasks.publish',
      input: {
        type: 'echo',
        payload: { hello: 'world' },
        id: 'job-1',
        priority: 'normal',
        route: 'default',
        max_attempts: 5,
        headers: { 'X-Trace': 'abc' },
      },
    });
  });

  it('turns count > 1 into tasks.publishBulk, the id into a prefix and the rate into ratePerSec', () => {
    const r = validatePublishForm(form({ count: '300', rate: '200', id: 'batch' }));
    expect(r.call?.method).toBe('tasks.publishBulk');
    expect(r.call?.input).toMatchObject({ count: 300, ratePerSec: 200, idPrefix: 'batch' });
    expect(r.call?.input).not.toHaveProperty('id');
  });

  it('puts each broken rule on its own field and makes no call', () => {
    const r = validatePublishForm(
      form({ type: 'bad type!', count: '2.5', rate: '-1', maxAttempts: '101', payload: '{"a": }' }),
    );
    expect(r.call).toBeUndefined();
    expect(Object.keys(r.errors).sort()).toEqual(['count', 'maxAttempts', 'payload', 'rate', 'type']);
    expect(r.errors.count).toMatch(/whole number from 1 to 10,000,000/);
    expect(r.errors.maxAttempts).toMatch(/whole number from 1 to 100/);
    expect(r.errors.payload).toMatch(/^line 1, column \d+:/);
  });

  it('names the offending header, and rejects the reserved Nats-* ones', () => {
    const r = validatePublishForm(form({ headers: [{ key: 'Nats-Msg-Id', value: 'x' }] }));
    expect(r.call).toBeUndefined();
    expect(r.errors.headers).toMatch(/^"Nats-Msg-Id": .*reserved/);
    expect(validatePublishForm(form({ headers: [{ key: 'a b', value: '1' }] })).errors.headers).toMatch(
      /^"a b": header names/,
    );
  });

  it('checks the id against the task id rule, and an id prefix against the bulk rule', () => {
    expect(validatePublishForm(form({ id: 'a'.repeat(300) })).errors.id).toBeTruthy();
    expect(validatePublishForm(form({ id: 'x'.repeat(151), count: '2' })).errors.id).toBeTruthy();
    expect(validatePublishForm(form({ id: 'x'.repeat(150), count: '2' })).errors).toEqual({});
  });

  it("maps the server's invalid_input issues onto the same fields", () => {
    expect(
      publishFieldErrors([
        { path: ['ratePerSec'], message: 'too fast' },
        { path: ['idPrefix'], message: 'bad prefix' },
        { path: ['headers', 'X'], message: 'bad value' },
      ]),
    ).toEqual({ rate: 'too fast', id: 'bad prefix', headers: '"X": bad value' });
  });
});

describe('publish form: Run (scheduled tasks)', () => {
  it('a delay text, milliseconds or a time become delay / run_at of tasks.publish', () => {
    expect(whenInput('')).toEqual({});
    expect(whenInput(' 5m ')).toEqual({ delay: '5m' });
    expect(whenInput('1500')).toEqual({ delay: 1500 });
    expect(whenInput('2026-12-01T09:00:00Z')).toEqual({ run_at: '2026-12-01T09:00:00Z' });
    const r = validatePublishForm(form({ when: '1h30m' }));
    expect(r.call).toMatchObject({ method: 'tasks.publish', input: { delay: '1h30m' } });
  });

  it('puts schema issues on the Run field: a bad time, too far ahead, and bulk', () => {
    expect(validatePublishForm(form({ when: 'tomorrow' })).errors.when).toMatch(/ISO 8601/);
    expect(validatePublishForm(form({ when: '9d' })).errors.when).toMatch(/at most 6 days/);
    const bulk = validatePublishForm(form({ when: '5m', count: '10' }));
    expect(bulk.call).toBeUndefined();
    expect(bulk.errors.when).toMatch(/one task/);
  });
});
