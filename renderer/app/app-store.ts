import { create } from 'zustand';
import type { AppInfo } from '../../api/features/connections';

interface AppState {
  /** 'loading' until the first list + status arrive; 'failed' if they could not be read. */
  phase: 'loading' | 'ready' | 'failed';
  bootError?: string;
  info?: AppInfo;
  /** The transport link itself (the WebSocket), not the NATS connection. */
  transport: 'open' | 'closed';
}

export const useApp = create<AppState>()(() => ({ phase: 'loading', transport: 'open' }));
