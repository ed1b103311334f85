import { api } from '../../api';
import { toastError } from '../toasts/store';

/** Connect and report failure as a toast; the status bar shows the outcome from events. */
export async function connectProfile(id: string, name: string): Promise<boolean> {
  try {
    await api.call('connections.connect', { id });
    return true;
  } catch (err) {
    toastError(`Could not connect to ${name}`, err);
    return false;
  }
}

export async function disconnect(): Promise<void> {
  try {
    await api.call('connections.disconnect');
  } catch (err) {
    toastError('Could not disconnect', err);
  }
}
