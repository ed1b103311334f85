import { describe, expect, it } from 'vitest';
import { headerRecord, INITIAL_SEND_FORM, validateSendForm, validateSubscribeForm } from './form-model';

describe('core NATS send form', () => {
  it('builds a publish call with headers grouped by name and the reply subject', () => {
    const r = validateSendForm({
      ...INITIAL_SEND_FORM,
      subject: ' orders.new ',
      payload: '{"a":1}',
      reply: 'answers',
      headers: [
        { key: 'X', value: '1' },
        { key: 'X', value: '2' },
        { key: '', value: '' },
      ],
    });
    expect(r.errors).toEqual({});
    expect(r.call).toEqual({
      method: 'core.publish',
      input: {
        subject: 'orders.new',
        data: '{"a":1}',
        encoding: 'text',
        headers: { X: ['1', '2'] },
        reply: 'answers',
      },
    });
  });

  it('puts each problem on its field: wildcard subject, header name, timeout', () => {
    const r = validateSendForm({
      ...INITIAL_SEND_FORM,
      mode: 'request',
      subject: 'orders.*',
      headers: [{ key: 'Bad Name', value: 'v' }],
      timeoutMs: '99999',
    });
    expect(r.call).toBeUndefined();
    expect(r.errors.subject).toMatch(/concrete subject/);
    expect(r.errors.headers).toMatch(/^"Bad Name": header names/);
    expect(r.errors.timeoutMs).toMatch(/at most 60 s/);
  });

  it('rejects a timeout that is not a whole number', () => {
    const r = validateSendForm({ ...INITIAL_SEND_FORM, mode: 'request', subject: 'a', timeoutMs: '1.5' });
    expect(r.errors.timeoutMs).toBeDefined();
  });

  it('has no headers when every row is blank', () => {
    expect(headerRecord([{ key: ' ', value: '' }])).toBeUndefined();
  });
});

describe('core NATS subscribe form', () => {
  it('accepts wildcards and an optional queue group', () => {
    expect(validateSubscribeForm({ subject: 'orders.>', queue: '' }).input).toEqual({ subject: 'orders.>' });
    expect(validateSubscribeForm({ subject: '*', queue: 'q1' }).input).toEqual({ subject: '*', queue: 'q1' });
  });
  it('says what is wrong with the subject or the queue', () => {
    expect(validateSubscribeForm({ subject: 'a.>.b', queue: '' }).errors.subject).toMatch(/invalid subject/);
    expect(validateSubscribeForm({ subject: 'a', queue: 'q.*' }).errors.queue).toMatch(/queue group/);
  });
});
