import { app, session, shell, type WebContents } from 'electron';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, isSafeExternalUrl } from './app-url';

/**
 * App-wide hardening, applied to every web contents ever created (not just our window), so a
 * later feature cannot forget it: no navigation, no new windows (web links go to the OS
 * browser), no <webview>, no permission grants beyond clipboard writes, and a CSP on every response.
 */
export function hardenApp(): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    const allowed = isAllowedPermission(permission, details.requestingUrl);
    if (!allowed)
      console.warn(`[jetdeck] denied permission request: ${permission} from ${details.requestingUrl}`);
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_wc, permission, origin) => isAllowedPermission(permission, origin));
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    const hasCsp = Object.keys(headers).some((k) => k.toLowerCase() === 'content-security-policy');
    if (!hasCsp) headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
}

function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    console.warn(`[jetdeck] blocked navigation to ${url}`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    console.warn(`[jetdeck] blocked redirect to ${url}`);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) {
      void shell
        .openExternal(url)
        .catch((err: Error) => console.warn(`[jetdeck] could not open ${url}: ${err.message}`));
    } else {
      console.warn(`[jetdeck] blocked window.open(${url})`);
    }
    return { action: 'deny' };
  });
}

/**
 * Everything is denied except writing text to the clipboard from our own UI (the "copy error
 * details" button): Chromium grants that to any page on a click, and it reads nothing back.
 */
function isAllowedPermission(permission: string, origin: string): boolean {
  return (
    permission === 'clipboard-sanitized-write' &&
    (origin === APP_ORIGIN || origin.startsWith(`${APP_ORIGIN}/`))
  );
}
