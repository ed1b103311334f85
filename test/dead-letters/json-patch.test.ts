import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError, jsonPatchSchema, type JsonPatchOp } from '../../api/json-patch';

const apply = (doc: unknown, patch: JsonPatchOp[]) => applyJsonPatch(doc, patch);
const failure = (doc: unknown, patch: JsonPatchOp[]) => {
  try {
    apply(doc, patch);
  } catch (err) {
    return err as JsonPatchError;
  }
  throw new Error('the patch applied');
};

/** The examples of RFC 6902 appendix A, and the edges of RFC 6901 pointers. */
describe('JSON patch (RFC 6902)', () => {
  it('A.1-A.3: add an object member, an array element, remove a member', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({
      foo: 'bar',
      baz: 'qux',
    });
    expect(apply({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({
      foo: ['bar', 'qux', 'baz'],
    });
    expect(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
  });

  it('A.4-A.7: remove an element, replace, move a value, move an element', () => {
    expect(apply({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({
      foo: ['bar', 'baz'],
    });
    expect(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({
      baz: 'boo',
      foo: 'bar',
    });
    expect(
      apply({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [
        { op: 'move', from: '/foo/waldo', path: '/qux/thud' },
      ]),
    ).toEqual({ foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } });
    expect(
      apply({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]),
    ).toEqual({
      foo: ['all', 'cows', 'eat', 'grass'],
    });
  });

  it('A.8-A.9: test succeeds on an equal value and fails the whole patch otherwise', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    expect(
      apply(doc, [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
      ]),
    ).toEqual(doc);
    const e = failure({ baz: 'qux' }, [
      { op: 'add', path: '/x', value: 1 },
      { op: 'test', path: '/baz', value: 'bar' },
    ]);
    expect(e).toBeInstanceOf(JsonPatchError);
    expect(e.index).toBe(1);
    expect(e.message).toBe('operation 2 (test /baz): the value differs');
  });

  it('A.10, A.12, A.16: add a nested object, fail on a missing parent, append with "-"', () => {
    expect(apply({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({
      foo: 'bar',
      child: { grandchild: {} },
    });
    expect(failure({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]).message).toMatch(
      /operation 1 \(add \/baz\/bat\): no value at "baz"/,
    );
    expect(apply({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({
      foo: ['bar', ['abc', 'def']],
    });
  });

  it('A.14: ~0 and ~1 escape "~" and "/" in member names', () => {
    const doc = { '/': 9, '~1': 10 };
    expect(apply(doc, [{ op: 'test', path: '/~01', value: 10 }])).toEqual(doc);
    expect(apply(doc, [{ op: 'replace', path: '/~1', value: 1 }])).toEqual({ '/': 1, '~1': 10 });
  });

  it('replace and remove need an existing target; array indexes are checked', () => {
    expect(failure({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]).message).toMatch(/no value at "b"/);
    expect(failure({ a: 1 }, [{ op: 'remove', path: '/b' }]).message).toMatch(/no value at "b"/);
    expect(failure([1, 2], [{ op: 'add', path: '/3', value: 0 }]).message).toMatch(/out of bounds/);
    expect(failure([1, 2], [{ op: 'remove', path: '/01' }]).message).toMatch(/not an array index/);
    expect(failure([1, 2], [{ op: 'replace', path: '/-', value: 0 }]).message).toMatch(/not an array index/);
  });

  it('copy clones; the root can be replaced; a value cannot move into itself', () => {
    const out = apply({ a: { x: 1 } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'replace', path: '/b/x', value: 2 },
    ]);
    expect(out).toEqual({ a: { x: 1 }, b: { x: 2 } });
    expect(apply({ a: 1 }, [{ op: 'replace', path: '', value: [1] }])).toEqual([1]);
    expect(failure({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]).message).toMatch(
      /into itself/,
    );
  });

  it('never mutates its input, also when a later operation fails', () => {
    const doc = { a: { list: [1, 2] }, keep: true };
    const before = JSON.stringify(doc);
    apply(doc, [
      { op: 'add', path: '/a/list/-', value: 3 },
      { op: 'remove', path: '/keep' },
    ]);
    failure(doc, [
      { op: 'add', path: '/a/list/0', value: 0 },
      { op: 'test', path: '/keep', value: false },
    ]);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('the schema refuses unknown ops, bad pointers, a missing value and empty patches', () => {
    expect(jsonPatchSchema.safeParse([{ op: 'replace', path: '/a', value: 1 }]).success).toBe(true);
    expect(jsonPatchSchema.safeParse([]).success).toBe(false);
    expect(jsonPatchSchema.safeParse([{ op: 'merge', path: '/a', value: 1 }]).success).toBe(false);
    expect(jsonPatchSchema.safeParse([{ op: 'add', path: 'a', value: 1 }]).success).toBe(false);
    expect(jsonPatchSchema.safeParse([{ op: 'add', path: '/a~2', value: 1 }]).success).toBe(false);
    expect(jsonPatchSchema.safeParse([{ op: 'add', path: '/a' }]).success).toBe(false);
    expect(jsonPatchSchema.safeParse([{ op: 'move', path: '/a' }]).success).toBe(false);
  });
});
