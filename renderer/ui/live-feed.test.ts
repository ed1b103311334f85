import { describe, expect, it, vi } from 'vitest';
import { runLiveFeed, type LiveFeed } from './live-feed';

interface Info {
  id: string;
}

/** A feed whose starts resolve or reject when the test says, recording what it was asked. */
function fakeFeed() {
  const starts: { resolve: (i: Info) => void; reject: (e: unknown) => void }[] = [];
  let reopen: (() => void) | undefined;
  let current: (() => Info | undefined) | undefined;
  const feed = {
    start: vi.fn(() => new Promise<Info>((resolve, reject) => starts.push({ resolve, reject }))),
    stop: vi.fn((_: Info) => Promise.resolve()),
    listen: vi.fn((c: () => Info | undefined) => {
      current = c;
      return unlisten;
    }),
    onReopen: (fn: () => void) => {
      reopen = fn;
      return offReopen;
    },
    show: vi.fn((_: Info | undefined) => {}),
    fail: vi.fn((_: unknown) => {}),
  } satisfies LiveFeed<Info>;
  const unlisten = vi.fn();
  const offReopen = vi.fn();
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return { feed, starts, unlisten, offReopen, tick, reopen: () => reopen?.(), current: () => current?.() };
}

describe('runLiveFeed', () => {
  it('shows the started feed, routes by its id, and stops it with the cleanup', async () => {
    const f = fakeFeed();
    const stop = runLiveFeed(f.feed);
    expect(f.current()).toBeUndefined();
    f.starts[0].resolve({ id: 'a' });
    await f.tick();
    expect(f.feed.show).toHaveBeenLastCalledWith({ id: 'a' });
    expect(f.current()).toEqual({ id: 'a' });
    stop();
    expect(f.feed.stop).toHaveBeenCalledWith({ id: 'a' });
    expect(f.unlisten).toHaveBeenCalledOnce();
    expect(f.offReopen).toHaveBeenCalledOnce();
    expect(f.feed.show).toHaveBeenLastCalledWith(undefined);
  });

  it('stops a feed that starts after the cleanup ran, and never shows it', async () => {
    const f = fakeFeed();
    const stop = runLiveFeed(f.feed);
    stop();
    f.starts[0].resolve({ id: 'late' });
    await f.tick();
    expect(f.feed.stop).toHaveBeenCalledWith({ id: 'late' });
    expect(f.feed.show).not.toHaveBeenCalledWith({ id: 'late' });
  });

  it('starts again after the transport reopens and follows the new id', async () => {
    const f = fakeFeed();
    const stop = runLiveFeed(f.feed);
    f.starts[0].resolve({ id: 'a' });
    await f.tick();
    f.reopen();
    expect(f.current()).toBeUndefined();
    expect(f.feed.start).toHaveBeenCalledTimes(2);
    f.starts[1].resolve({ id: 'b' });
    await f.tick();
    expect(f.current()).toEqual({ id: 'b' });
    stop();
    expect(f.feed.stop).toHaveBeenCalledTimes(1);
    expect(f.feed.stop).toHaveBeenCalledWith({ id: 'b' });
  });

  it('reports a failed start and shows no feed', async () => {
    const f = fakeFeed();
    runLiveFeed(f.feed);
    f.starts[0].reject(new Error('no stream'));
    await f.tick();
    expect(f.feed.fail).toHaveBeenCalledWith(new Error('no stream'));
    expect(f.feed.show).toHaveBeenLastCalledWith(undefined);
  });
});
