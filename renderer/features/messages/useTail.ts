import { useEffect } from 'react';
import { api, onTransportReopen } from '../../api';
import { toastError } from '../toasts/store';
import { useMessages } from './store';

/**
 * Runs a live tail while `on`: started in the core, fed by batched 'messages.tail' events,
 * stopped when turned off, when the stream/filter changes or when the screen closes.
 */
export function useTail(stream: string | undefined, subject: string, on: boolean): void {
  useEffect(() => {
    if (!on || !stream) return;
    let tailId: string | undefined;
    let stopped = false;
    useMessages.getState().set({ tailMessages: [], tailDropped: 0, tail: undefined });
    const offBatch = api.on('messages.tail', (b) => {
      if (b.tailId === tailId) useMessages.getState().addTail(b.messages, b.dropped);
    });
    const offState = api.on('messages.tail.state', (info) => {
      if (info.tailId === tailId) useMessages.getState().set({ tail: info });
    });
    const start = () =>
      api
        .call('messages.tail.start', { stream, subject: subject.trim() || undefined })
        .then((info) => {
          tailId = info.tailId;
          if (stopped) void api.call('messages.tail.stop', { tailId }).catch(() => {});
          else useMessages.getState().set({ tail: info });
        })
        .catch((err: unknown) => {
          toastError('Could not start the live tail', err);
          useMessages.getState().set({ tail: undefined });
        });
    void start();
    // The server stops a socket's tails when the socket drops: start a new one on the new socket.
    const offReopen = onTransportReopen(() => {
      if (stopped) return;
      tailId = undefined;
      void start();
    });
    return () => {
      stopped = true;
      offReopen();
      offBatch();
      offState();
      if (tailId) void api.call('messages.tail.stop', { tailId }).catch(() => {});
      useMessages.getState().set({ tail: undefined });
    };
  }, [stream, subject, on]);
}

export async function setTailPaused(paused: boolean): Promise<void> {
  const t = useMessages.getState().tail;
  if (!t) return;
  try {
    const info = await api.call(paused ? 'messages.tail.pause' : 'messages.tail.resume', {
      tailId: t.tailId,
    });
    useMessages.getState().set({ tail: info });
  } catch (err) {
    toastError('Could not change the live tail', err);
  }
}
