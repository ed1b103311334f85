/**
 * The life of one live feed the core runs for this window (a message tail, a KV watch): start
 * it, let the caller's event listeners pick out its batches by id, stop it when the caller is
 * done, and start it again on a new socket after a drop (the core ended the old one with its
 * socket). Returns the stop function, for a `useEffect` cleanup.
 */
export interface LiveFeed<Info> {
  start: () => Promise<Info>;
  stop: (info: Info) => Promise<unknown>;
  /** Listen to the feed's events; `current()` is the running feed (undefined while starting). */
  listen: (current: () => Info | undefined) => () => void;
  /** Called when the transport comes back after a drop. */
  onReopen: (fn: () => void) => () => void;
  /** The feed's state for the UI: its info once started, undefined when stopped or failed. */
  show: (info: Info | undefined) => void;
  fail: (err: unknown) => void;
}

export function runLiveFeed<Info>(feed: LiveFeed<Info>): () => void {
  let current: Info | undefined;
  let stopped = false;
  const off = feed.listen(() => current);
  const start = () =>
    feed
      .start()
      .then((info) => {
        current = info;
        if (stopped) void feed.stop(info).catch(() => {});
        else feed.show(info);
      })
      .catch((err: unknown) => {
        if (stopped) return;
        feed.fail(err);
        feed.show(undefined);
      });
  void start();
  const offReopen = feed.onReopen(() => {
    if (stopped) return;
    current = undefined;
    void start();
  });
  return () => {
    stopped = true;
    offReopen();
    off();
    if (current) void feed.stop(current).catch(() => {});
    feed.show(undefined);
  };
}
