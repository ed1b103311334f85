import { create } from 'zustand';
import type {
  ConnectionProfile,
  ConnectionStatus,
  LocalServerStatus,
  OpenConnection,
} from '../../../api/features/connections';

const MAX_LOG_LINES = 5000;

interface ConnectionsState {
  profiles: ConnectionProfile[];
  activeId?: string;
  status: ConnectionStatus;
  local?: LocalServerStatus;
  /** Every open connection, the active one (which the screens use) first. */
  open: OpenConnection[];
  /** The managed nats-server's log, newest last, bounded. */
  log: string[];
  setProfiles: (v: { profiles: ConnectionProfile[]; activeId?: string }) => void;
  setStatus: (s: ConnectionStatus) => void;
  setOpen: (v: { open: OpenConnection[] }) => void;
  setLocal: (s: LocalServerStatus) => void;
  setLog: (lines: string[]) => void;
  appendLog: (lines: string[]) => void;
}

/** Mirrors the core's connection state; filled by bootstrap and kept fresh by events. */
export const useConnections = create<ConnectionsState>()((set, get) => ({
  profiles: [],
  status: { state: 'idle', since: Date.now() },
  log: [],
  open: [],
  setOpen: ({ open }) => set({ open }),
  setProfiles: ({ profiles, activeId }) => set({ profiles, activeId }),
  setStatus: (status) => set({ status }),
  setLocal: (local) => set({ local }),
  setLog: (lines) => set({ log: lines.slice(-MAX_LOG_LINES) }),
  appendLog: (lines) => set({ log: [...get().log, ...lines].slice(-MAX_LOG_LINES) }),
}));
