import { Notification } from 'electron';
import type { EventBus } from '../core/events';

export interface DesktopNotice {
  title: string;
  body: string;
  /** Called when the user clicks the notification (e.g. focus the window on a screen). */
  onClick?: () => void;
}

/**
 * Hook for OS notifications (task failures, server down…); main.ts subscribes it to chosen bus
 * topics. Silently does nothing where unsupported.
 */
export function showDesktopNotice(notice: DesktopNotice): boolean {
  if (!Notification.isSupported()) return false;
  const n = new Notification({ title: notice.title, body: notice.body, silent: false });
  if (notice.onClick) n.on('click', notice.onClick);
  n.show();
  return true;
}

/**
 * The monitor's alerts (health checks turning WARN/CRIT, already filtered by the user's
 * notification settings in the core) as OS notifications. The renderer's browser-notification
 * code stays quiet under IPC, so each alert is shown once. Returns the unsubscribe function.
 */
export function notifyMonitorAlerts(bus: EventBus, onClick?: () => void): () => void {
  return bus.on('monitor.alert', (alert) => {
    showDesktopNotice({ title: alert.title, body: alert.body, onClick });
  });
}
