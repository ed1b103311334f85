import { useEffect } from 'react';
import { api, onTransportReopen } from '../../api';
import { runLiveFeed } from '../../ui/live-feed';
import { toastError } from '../toasts/store';
import { useMessages } from './store';

/**
 * Runs a live tail while `on`: started in the core, fed by batched 'messages.tail' events,
 * stopped when turned off, when the stream/filter changes or when the screen closes, and started
 * again on a new socket after a drop.
 */
export function useTail(stream: string | undefined, subject: string, on: boolean): void {
  useEffect(() => {
    if (!on || !stream) return;
    const store = useMessages.getState;
    store().set({ tailMessages: [], tailDropped: 0, tail: undefined });
    return runLiveFeed({
      start: () => api.call('messages.tail.start', { stream, subject: subject.trim() || undefined }),
      stop: ({ tailId }) => api.call('messages.tail.stop', { tailId }),
      listen: (current) => {
        const offBatch = api.on('messages.tail', (b) => {
          if (b.tailId === current()?.tailId) store().addTail(b.messages, b.dropped);
        });
        const offState = api.on('messages.tail.state', (info) => {
          if (info.tailId === current()?.tailId) store().set({ tail: info });
        });
        return () => (offBatch(), offState());
      },
      onReopen: onTransportReopen,
      show: (tail) => store().set({ tail }),
      fail: (err) => toastError('Could not start the live tail', err),
    });
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
