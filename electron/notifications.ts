import { Notification } from 'electron';

export interface DesktopNotice {
  title: string;
  body: string;
  /** Called when the user clicks the notification (e.g. focus the window on a screen). */
  onClick?: () => void;
}

/**
 * Hook for OS notifications (task failures, server down…). Features do not call this yet;
 * main.ts will subscribe it to chosen bus topics. Silently does nothing where unsupported.
 */
export function showDesktopNotice(notice: DesktopNotice): boolean {
  if (!Notification.isSupported()) return false;
  const n = new Notification({ title: notice.title, body: notice.body, silent: false });
  if (notice.onClick) n.on('click', notice.onClick);
  n.show();
  return true;
}
