import { api, onTransportReopen } from '../../api';
import type { CoreSubscribeInput } from '../../../api/features/corenats';
import { toastError } from '../toasts/store';
import { useCoreNats } from './store';

let wired = false;

/**
 * Feeds the store from the core's batched events, once per window. Subscriptions belong to the
 * window's socket: when it drops the core ends them, so they are started again on the new one.
 */
function wire(): void {
  if (wired) return;
  wired = true;
  api.on('core.messages', (b) => useCoreNats.getState().batch(b));
  api.on('core.subscription.state', (info) => useCoreNats.getState().info(info));
  onTransportReopen(() => {
    for (const s of useCoreNats.getState().subs) {
      api
        .call('core.subscribe', s.input)
        .then((info) => useCoreNats.getState().replaced(s.info.subId, info))
        .catch((err: unknown) => {
          useCoreNats.getState().info({ ...s.info, state: 'error', error: (err as Error).message });
        });
    }
  });
}

export async function subscribe(input: CoreSubscribeInput): Promise<boolean> {
  wire();
  try {
    useCoreNats.getState().added(await api.call('core.subscribe', input), input);
    return true;
  } catch (err) {
    toastError(`Could not subscribe to ${input.subject}`, err);
    return false;
  }
}

export async function setPaused(subId: string, paused: boolean): Promise<void> {
  try {
    useCoreNats.getState().info(await api.call(paused ? 'core.pause' : 'core.resume', { subId }));
  } catch (err) {
    toastError('Could not change the subscription', err);
  }
}

/** Unsubscribes (a subscription the core already ended is just removed from the list). */
export async function unsubscribe(subId: string): Promise<void> {
  try {
    await api.call('core.unsubscribe', { subId });
  } catch (err) {
    toastError('Could not unsubscribe', err);
  }
  useCoreNats.getState().removed(subId);
}
