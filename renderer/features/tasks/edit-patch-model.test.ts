import { describe, expect, it } from 'vitest';
import { checkPatch, starterPatch } from './edit-patch-model';

describe('edit-and-retry patch model', () => {
  it('accepts a valid patch and reports JSON or schema problems with where they are', () => {
    expect(checkPatch('[{"op":"replace","path":"/a","value":1}]')).toEqual({
      ok: true,
      patch: [{ op: 'replace', path: '/a', value: 1 }],
    });
    const bad = checkPatch('[{"op":"replace","path":"/a"');
    expect(bad.ok).toBe(false);
    expect(checkPatch('[]')).toEqual({ ok: false, message: 'a patch has at least one operation' });
    const noSlash = checkPatch('[{"op":"add","path":"a","value":1}]');
    expect(noSlash).toEqual({ ok: false, message: '0.path: a JSON pointer is "" or starts with "/"' });
  });

  it('starts from the first field of a sample payload, escaping ~ and / in its name', () => {
    expect(JSON.parse(starterPatch({ 'a/b~': 5, c: 1 }))).toEqual([
      { op: 'replace', path: '/a~1b~0', value: 5 },
    ]);
    expect(JSON.parse(starterPatch('text'))).toEqual([{ op: 'replace', path: '', value: 'text' }]);
    expect(JSON.parse(starterPatch(undefined))).toEqual([{ op: 'replace', path: '', value: null }]);
    expect(checkPatch(starterPatch({ x: [1] })).ok).toBe(true);
  });
});
