import { create } from 'zustand';
import type { MonitorAlert } from '../../../api/features/monitor';
import { api } from '../../api';
import { navigate } from '../../navigation';

export type BrowserNotificationState = NotificationPermission | 'unsupported' | 'desktop';

/**
 * Browser notifications for 'monitor.alert' events in serve mode. The core already applies the
 * off / crit / warn+ setting before it emits an alert, so every alert that arrives is shown.
 * Under Electron (ipc transport) the main process owns OS notifications: nothing is shown here,
 * so an alert never pops up twice.
 */
function initialState(): BrowserNotificationState {
  if (api.transport === 'ipc') return 'desktop';
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.permission;
}

export const useNotificationPermission = create<{ state: BrowserNotificationState }>()(() => ({
  state: initialState(),
}));

/** Asks for permission; browsers only allow this from a user gesture (a click handler). */
export async function requestBrowserNotifications(): Promise<BrowserNotificationState> {
  const current = useNotificationPermission.getState().state;
  if (current === 'desktop' || current === 'unsupported' || current === 'granted') return current;
  const state = await Notification.requestPermission();
  useNotificationPermission.setState({ state });
  return state;
}

/** Alerts for the same object within this window are folded into one notification (tag). */
function show(alert: MonitorAlert): void {
  if (useNotificationPermission.getState().state !== 'granted') return;
  try {
    const n = new Notification(alert.title, {
      body: alert.body,
      tag: `jetdeck-${alert.key}`,
      requireInteraction: alert.severity === 'crit',
    });
    n.onclick = () => {
      window.focus();
      navigate('monitor');
      n.close();
    };
  } catch {
    // Some browsers (Android Chrome) only allow notifications from a service worker.
  }
}

if (api.transport !== 'ipc') api.on('monitor.alert', show);
