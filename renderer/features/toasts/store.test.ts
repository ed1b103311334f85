import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/errors';
import { toastError, toastInfo, toEnvelope, useToasts } from './store';

describe('toasts store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useToasts.setState({ toasts: [] });
  });
  afterEach(() => vi.useRealTimers());

  it('push returns a fresh id for each toast', () => {
    const a = useToasts.getState().push({ kind: 'error', title: 'a' });
    const b = useToasts.getState().push({ kind: 'error', title: 'b' });
    expect(b).not.toBe(a);
    expect(useToasts.getState().toasts.map((t) => t.id)).toEqual([a, b]);
  });

  it('keeps only the 5 newest toasts', () => {
    for (let i = 0; i < 7; i++) useToasts.getState().push({ kind: 'error', title: `t${i}` });
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['t2', 't3', 't4', 't5', 't6']);
  });

  it('info toasts disappear after 4 s, error toasts stay', () => {
    toastInfo('saved');
    toastError('failed', new Error('boom'));
    vi.advanceTimersByTime(3999);
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['saved', 'failed']);
    vi.advanceTimersByTime(1);
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['failed']);
  });

  it('dismiss removes only the given toast', () => {
    const a = useToasts.getState().push({ kind: 'error', title: 'a' });
    useToasts.getState().push({ kind: 'error', title: 'b' });
    useToasts.getState().dismiss(a);
    expect(useToasts.getState().toasts.map((t) => t.title)).toEqual(['b']);
  });

  it('toastError carries the error envelope and its message', () => {
    toastError('save failed', new Error('disk full'));
    const [t] = useToasts.getState().toasts;
    expect(t).toMatchObject({ kind: 'error', title: 'save failed', message: 'disk full' });
    expect(t.error).toEqual({ name: 'Error', code: 'internal', message: 'disk full' });
  });
});

describe('toEnvelope', () => {
  it('turns a non-Error into an internal envelope with its string form', () => {
    expect(toEnvelope('nope')).toEqual({ name: 'Error', code: 'internal', message: 'nope' });
  });

  it('keeps the code of an ApiError', () => {
    const env = toEnvelope(new ApiError('not_found', 'gone'));
    expect(env.code).toBe('not_found');
    expect(env.message).toBe('gone');
  });
});
