import type { ConnectionStatus } from '../../../api/features/connections';
import { formatRtt } from '../../ui/format';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

/**
 * The profile's name and the server it reached, once when they read the same (a connection made
 * from a URL is named after it).
 */
export function nameAndServer(name: string | undefined, server: string | undefined): string {
  const parts = [name, server].filter((p): p is string => !!p);
  if (parts.length === 2 && (parts[0] === parts[1] || parts[0].endsWith(`//${parts[1]}`))) parts.pop();
  return parts.join(' · ');
}

/** One line for the connection state (status bar, overview, profile rows). */
export function describeStatus(s: ConnectionStatus): { tone: Tone; text: string } {
  const who = s.profileName ? `${s.profileName}` : '';
  switch (s.state) {
    case 'connecting':
      return { tone: 'warn', text: `connecting… ${who}${s.server ? ` (${s.server})` : ''}`.trim() };
    case 'connected':
      return {
        tone: 'ok',
        text: `connected · ${nameAndServer(s.profileName, s.server)}${s.rttMs !== undefined ? ` · RTT ${formatRtt(s.rttMs)}` : ''}`,
      };
    case 'reconnecting':
      return {
        tone: 'warn',
        text: `reconnecting${s.attempt ? ` (attempt ${s.attempt})` : ''} · ${who}${s.reason ? ` — ${s.reason}` : ''}`,
      };
    case 'disconnected':
      return { tone: 'idle', text: `disconnected${s.reason ? ` — ${s.reason}` : ''}` };
    case 'error':
      return { tone: 'bad', text: `error${who ? ` · ${who}` : ''}: ${s.reason ?? 'unknown error'}` };
    default:
      return { tone: 'idle', text: 'not connected' };
  }
}
