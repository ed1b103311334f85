import type { MonitorSourceInfo } from '../../../api/features/monitor';
import type { ActiveConnection } from '../../connections/connection-manager';
import { AccountSource } from './account';
import { HttpSource } from './http';
import { SystemSource } from './system';
import type { MonitorSource } from './types';

export interface SelectOptions {
  /** Extra monitoring URLs known outside the profile (the managed local server's). */
  extraMonitorUrls?: string[];
}

/**
 * Picks the best source for the active connection: system account, then HTTP monitoring, then
 * the account's own view. Each skipped source is recorded with its reason, so the UI can say
 * what more credentials would show and why they did not work.
 */
export async function selectSource(conn: ActiveConnection, opts: SelectOptions = {}): Promise<MonitorSource> {
  const fallbacks: MonitorSourceInfo['fallbacks'] = [];
  const profile = conn.profile;
  if (profile.system) {
    try {
      return withFallbacks(await SystemSource.open(profile), fallbacks);
    } catch (err) {
      fallbacks.push({
        source: 'system',
        reason: `system-account credentials did not work: ${(err as Error).message}`,
      });
    }
  } else {
    fallbacks.push({ source: 'system', reason: 'no system-account credentials in the connection profile' });
  }
  const urls = [...(profile.monitorUrls ?? []), ...(opts.extraMonitorUrls ?? [])];
  if (urls.length) {
    try {
      return withFallbacks(await HttpSource.open(urls), fallbacks);
    } catch (err) {
      fallbacks.push({ source: 'http', reason: (err as Error).message });
    }
  } else {
    fallbacks.push({ source: 'http', reason: 'no HTTP monitoring URL in the connection profile' });
  }
  return new AccountSource(conn.nc, fallbacks);
}

function withFallbacks(src: MonitorSource, fallbacks: MonitorSourceInfo['fallbacks']): MonitorSource {
  const info = src.info.bind(src);
  src.info = () => ({ ...info(), fallbacks });
  return src;
}
