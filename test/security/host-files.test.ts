import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../api/errors';
import { makeTestCore, type TestCore } from '../harness/core';
import { startServer, stopAll, type TestServer } from '../harness/nats-server';
import { seeder, type Seeder } from '../messages/helpers';

/**
 * The API token drives NATS; it must not load code or read/write files the user did not put
 * in JetDeck's folders. Each case here used to load a module, write or read a file anywhere.
 */

let nats: TestServer;
let tc: TestCore;
let s: Seeder;
let outside: string;
let marker: string;
let evil: string;
let secret: string;

const SECRET_LINE = 'root:x:0:0:TOP-SECRET-LINE:/root:/bin/bash';

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  nats = await startServer();
  tc = makeTestCore();
  await tc.connectTo(nats.url);
  s = await seeder(nats.url);
  await s.jsm.streams.add({ name: 'HF', subjects: ['hf.>'] });
  for (let i = 0; i < 3; i++) await s.publish(`hf.${i}`, `m${i}`);
  outside = mkdtempSync(join(tmpdir(), 'jetdeck-outside-'));
  marker = join(outside, 'module-ran');
  evil = join(outside, 'evil.mjs');
  // Importing this module leaves a marker: proof that code ran.
  writeFileSync(
    evil,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { pwned: () => 1 };\n`,
  );
  secret = join(outside, 'shadow');
  writeFileSync(secret, `${SECRET_LINE}\n${SECRET_LINE}\n`);
});

afterAll(async () => {
  await s?.close();
  await tc?.dispose();
  await stopAll();
  if (outside) rmSync(outside, { recursive: true, force: true });
});

describe('handler modules come only from places the user chose', () => {
  it('refuses a path, a traversal or a symlink out of handlers/, and never runs the module', async () => {
    for (const handlers of [
      evil,
      '../evil.mjs',
      '..',
      'a/../../evil.mjs',
      'x\\..\\evil.mjs',
      'cli:evil.mjs',
      '',
    ]) {
      const r = await tc.call('workers.handlerTypes', { handlers }).then(
        (v) => v.error ?? 'ok',
        (e: ApiError) => e.code,
      );
      expect(r, handlers).not.toBe('ok');
      expect(await failure(tc.call('workers.start', { threads: 1, handlers })), handlers).toMatchObject({
        code: expect.stringMatching(/invalid_input|not_found/),
      });
    }
    symlinkSync(evil, join(tc.dataDir, 'handlers', 'link.mjs'));
    const viaLink = await tc.call('workers.handlerTypes', { handlers: 'link.mjs' });
    expect(viaLink.error).toMatch(/symbolic link/);
    expect(await failure(tc.call('workers.start', { threads: 1, handlers: 'link.mjs' }))).toMatchObject({
      code: 'invalid_input',
    });
    expect(existsSync(marker)).toBe(false);
    expect((await tc.call('workers.status')).state).toBe('stopped');
  });

  it('lists the handlers folder and the --handlers module; no file dialog without a screen', async () => {
    writeFileSync(join(tc.dataDir, 'handlers', 'mine.mjs'), 'export default { mine: () => 1 };\n');
    const name = tc.core.features.files.allow('handlers', join(outside, 'flag.mjs'), 'cli');
    const list = await tc.call('files.list', { folder: 'handlers' });
    expect(list.path).toBe(join(tc.dataDir, 'handlers'));
    expect(list.canPick).toBe(false);
    expect(list.files.map((f) => f.name)).toEqual(expect.arrayContaining(['mine.mjs', name]));
    // A symlink is not offered.
    expect(list.files.map((f) => f.name)).not.toContain('link.mjs');
    expect((await tc.call('workers.handlerTypes', { handlers: 'mine.mjs' })).types).toContain('mine');
    expect(await failure(tc.call('files.pick', { folder: 'imports' }))).toMatchObject({
      code: 'unsupported',
    });
  });
});

describe('exports are written only inside exports/', () => {
  it('refuses paths and traversal, and does not follow a symlink planted there', async () => {
    for (const file of [
      join(outside, 'out.jsonl'),
      '../out.jsonl',
      '../../etc/cron.d/x',
      'picked:9:x.jsonl',
    ]) {
      expect(
        await failure(tc.call('messages.exportToFile', { source: { stream: 'HF' }, file })),
        file,
      ).toMatchObject({
        code: expect.stringMatching(/invalid_input|not_found/),
      });
    }
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(tc.dataDir, 'exports', 'planted.jsonl'));
    expect(
      await failure(tc.call('messages.exportToFile', { source: { stream: 'HF' }, file: 'planted.jsonl' })),
    ).toMatchObject({ code: 'invalid_input' });
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(existsSync(join(outside, 'out.jsonl'))).toBe(false);

    const ok = await tc.call('messages.exportToFile', { source: { stream: 'HF' }, file: 'hf.jsonl' });
    expect(ok).toMatchObject({ file: 'hf.jsonl', count: 3, path: join(tc.dataDir, 'exports', 'hf.jsonl') });
  });
});

describe('imports are read only from imports/, and errors never quote the file', () => {
  it('refuses a path (the old `path` field too) and a symlink out of imports/', async () => {
    expect(await failure(tc.call('messages.import', { path: secret } as never))).toMatchObject({
      code: 'invalid_input',
    });
    expect(await failure(tc.call('messages.import', { file: secret }))).toMatchObject({
      code: 'invalid_input',
    });
    symlinkSync(secret, join(tc.dataDir, 'imports', 'shadow'));
    const viaLink = await failure(tc.call('messages.import', { file: 'shadow' }));
    expect(viaLink.code).toBe('invalid_input');
    expect(JSON.stringify(viaLink)).not.toContain('TOP-SECRET');
  });

  it('reports a bad file by line number without echoing its content', async () => {
    writeFileSync(
      join(tc.dataDir, 'imports', 'bad.jsonl'),
      `${SECRET_LINE}\n{"subject":"hf.x","data":"ok"}\n`,
    );
    const err = await failure(tc.call('messages.import', { file: 'bad.jsonl' }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/line 1: not JSON/);
    expect(JSON.stringify({ m: err.message, d: err.detail })).not.toMatch(/TOP-SECRET|root:x/);
    expect((await s.jsm.streams.info('HF')).state.messages).toBe(3);
  });
});
