import { api } from '../../api';
import { toastError } from '../toasts/store';

/**
 * Connect (or switch to an open connection) and report failure as a toast; the status bar shows
 * the outcome from events. The connection left stays open in the background (a pool on it too).
 */
export async function connectProfile(id: string, name: string): Promise<boolean> {
  try {
    await api.call('connections.connect', { id, keep: true });
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

/** Closes a connection kept open in the background. */
export async function closeConnection(id: string, name: string): Promise<void> {
  try {
    await api.call('connections.close', { id });
  } catch (err) {
    toastError(`Could not close ${name}`, err);
  }
}
