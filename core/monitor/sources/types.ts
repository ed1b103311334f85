import type {
  MonitorClient,
  MonitorServer,
  MonitorSourceInfo,
  MonitorSourceKind,
} from '../../../api/features/monitor';

/** What one server reported in one poll (state bookkeeping is the registry's job). */
export type PolledServer = Omit<MonitorServer, 'state' | 'lastSeen' | 'since'>;

/** 'sample' = the cheap per-tick numbers (varz or account statz); 'full' adds jsz, routes, health… */
export type PollDetail = 'sample' | 'full';

export interface PollOptions {
  detail: PollDetail;
  /** Servers we expect to answer (lets fan-out requests return early); undefined = discover. */
  expected?: number;
}

export interface ConnzOptions {
  limit: number;
}

/** One way of reading server data; `poll` returns only the servers that answered. */
export interface MonitorSource {
  readonly kind: MonitorSourceKind;
  info(): MonitorSourceInfo;
  poll(opts: PollOptions): Promise<PolledServer[]>;
  connz(opts: ConnzOptions): Promise<MonitorClient[]>;
  close(): Promise<void>;
}
