import { z } from 'zod';
import { event, method } from '../define';

/**
 * nats://, tls:// or host:port: what JetDeck's connection (nats.js's Node transport) dials.
 * ws:// and wss:// are refused here with the reason rather than failing at connect.
 */
export const natsUrlSchema = z
  .string()
  .trim()
  .min(1, 'server URL is required')
  .refine((s) => !/^wss?:\/\//i.test(s), {
    message:
      "ws:// and wss:// (NATS over WebSocket) are not supported: JetDeck connects over TCP; use the server's nats:// or tls:// client port",
  })
  .refine((s) => /^((nats|tls|ws|wss):\/\/)?[^\s/]+(:\d{1,5})?\/?$/i.test(s), {
    message: 'expected a server URL like nats://host:4222',
  });

/** A JetStream domain or an inbox prefix: one subject prefix, no spaces or wildcards. */
const subjectPrefixSchema = z
  .string()
  .trim()
  .regex(/^[^\s*>.]+(\.[^\s*>.]+)*$/, 'expected a subject prefix without spaces or wildcards');

export const authSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('userpass'),
    user: z.string().min(1, 'user is required'),
    password: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('token'), token: z.string().optional() }),
  z.strictObject({ kind: z.literal('nkey'), seed: z.string().optional() }),
  z.strictObject({
    kind: z.literal('creds'),
    credsFile: z.string().optional(),
    creds: z.string().optional(),
  }),
]);
export type AuthInput = z.infer<typeof authSchema>;
export type AuthKind = AuthInput['kind'];

export const tlsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  handshakeFirst: z.boolean().optional(),
});

/** What the renderer sends to create or edit a profile. Secret fields left out keep their stored value. */
export const profileInputSchema = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().trim().min(1, 'name is required').max(100),
  servers: z.array(natsUrlSchema).min(1, 'at least one server URL'),
  auth: authSchema.default({ kind: 'none' }),
  tls: tlsSchema.optional(),
  /** Optional system-account credentials, used only by the monitor. */
  system: z.strictObject({ auth: authSchema }).optional(),
  /** HTTP monitoring URLs (http://host:8222) for the monitor. */
  monitorUrls: z.array(z.string().url()).optional(),
  /** JetStream domain (`nats --js-domain`, a context's jetstream_domain). */
  jsDomain: subjectPrefixSchema.optional(),
  /** Inbox prefix for accounts that restrict _INBOX (a context's inbox_prefix). */
  inboxPrefix: subjectPrefixSchema.optional(),
  /** Connect and JetStream API timeout (`nats --timeout`). */
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
});
export type ProfileInput = z.input<typeof profileInputSchema>;

/** A profile as the renderer sees it: secrets replaced by `hasSecret`. */
export interface PublicAuth {
  kind: AuthKind;
  user?: string;
  credsFile?: string;
  hasSecret: boolean;
}
export interface ConnectionProfile {
  id: string;
  name: string;
  servers: string[];
  auth: PublicAuth;
  tls?: z.infer<typeof tlsSchema>;
  system?: { auth: PublicAuth };
  monitorUrls?: string[];
  jsDomain?: string;
  inboxPrefix?: string;
  timeoutMs?: number;
  source: 'user' | 'nats-context' | 'env' | 'local';
  /** For an imported nats CLI context: whether it was the selected one. */
  selectedContext?: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';
export interface ConnectionStatus {
  state: ConnectionState;
  profileId?: string;
  profileName?: string;
  /** The server we are connected (or connecting) to. */
  server?: string;
  rttMs?: number;
  /** Reconnect attempt number while reconnecting. */
  attempt?: number;
  /** Why we are disconnected or in error, in the server's words where it gave any. */
  reason?: string;
  errorCode?: string;
  since: number;
}

export interface TestResult {
  ok: boolean;
  server?: string;
  version?: string;
  jetstream?: boolean;
  rttMs?: number;
  error?: { code: string; message: string };
}

export interface ServerOverview {
  connectedUrl: string;
  rttMs: number;
  server: {
    id: string;
    name: string;
    version: string;
    host: string;
    port: number;
    cluster?: string;
    headers: boolean;
    maxPayload: number;
    clientId: number;
    clientIp?: string;
    tlsRequired: boolean;
    proto: number;
  };
  /** Other servers the cluster advertised (connect_urls). */
  clusterPeers: string[];
  jetstream: null | {
    domain?: string;
    /**
     * `errorsAtSetup`: the account's error count once JetDeck had set up its queue on this
     * connection. Its own checks for a stream or consumer that did not exist yet count as errors
     * on the server; the UI shows the errors since then.
     */
    api: { total: number; errors: number; errorsAtSetup?: number };
    usage: { memory: number; storage: number; streams: number; consumers: number };
    limits: { memory: number; storage: number; streams: number; consumers: number };
  };
  /** Set when JetStream info could not be read (e.g. disabled on the account). */
  jetstreamError?: string;
  fetchedAt: number;
}

export type LocalServerState = 'stopped' | 'starting' | 'running' | 'missing' | 'error';
export interface LocalServerStatus {
  state: LocalServerState;
  binary?: string;
  version?: string;
  clientUrl?: string;
  monitorUrl?: string;
  storeDir: string;
  pid?: number;
  error?: string;
  /** Shown when no binary was found: how to install one on this OS. */
  installHint?: { os: string; steps: string[] };
}

export interface ImportResult {
  imported: ConnectionProfile[];
  skipped: { file: string; reason: string }[];
  selected?: string;
}

export interface SecretBackendInfo {
  name: string;
  secure: boolean;
  warning?: string;
}

export interface AppInfo {
  version: string;
  mode: 'electron' | 'serve';
  dataDir: string;
  secrets: SecretBackendInfo;
  platform: string;
}

const idInput = z.strictObject({ id: z.string().min(1) });
const none = z.strictObject({}).optional();

/** Connections kept open at once (the active one included); opening one more closes the oldest. */
export const MAX_OPEN_CONNECTIONS = 4;

/** One open NATS connection: the active one (which the screens use) or one kept open in the background. */
export interface OpenConnection {
  profileId: string;
  profileName: string;
  server?: string;
  state: 'connected' | 'reconnecting';
  active: boolean;
  /** When it was opened (ms since epoch). */
  openedAt: number;
}

export const connectionsMethods = {
  'app.info': method(none).returns<AppInfo>(),
  'connections.list': method(none).returns<{ profiles: ConnectionProfile[]; activeId?: string }>(),
  'connections.save': method(profileInputSchema).returns<ConnectionProfile>(),
  'connections.delete': method(idInput).returns<{ deleted: boolean }>(),
  'connections.duplicate': method(idInput).returns<ConnectionProfile>(),
  'connections.test': method(z.union([idInput.strict(), profileInputSchema])).returns<TestResult>(),
  /**
   * Makes the profile's connection the active one (the one every screen uses). With `keep`, the
   * connection active until now stays open in the background (switching back reuses it);
   * without, it is closed. A profile already open is switched to without reconnecting.
   */
  'connections.connect': method(
    idInput.extend({ keep: z.boolean().default(false) }),
  ).returns<ConnectionStatus>(),
  /** Every open connection, the active one first. */
  'connections.open': method(none).returns<{ open: OpenConnection[] }>(),
  /** Closes one open connection (the active one: same as disconnect). */
  'connections.close': method(idInput).returns<{ closed: boolean }>(),
  'connections.disconnect': method(none).returns<ConnectionStatus>(),
  'connections.status': method(none).returns<ConnectionStatus>(),
  'connections.importContexts': method(
    z.strictObject({ dir: z.string().optional(), includeEnv: z.boolean().optional() }).optional(),
  ).returns<ImportResult>(),
  'connections.overview': method(none).returns<ServerOverview>(),
  'localServer.status': method(none).returns<LocalServerStatus>(),
  'localServer.start': method(none).returns<LocalServerStatus>(),
  'localServer.stop': method(none).returns<LocalServerStatus>(),
  'localServer.log': method(
    z.strictObject({ tail: z.number().int().positive().max(10000).optional() }).optional(),
  ).returns<{
    lines: string[];
  }>(),
};

export const connectionsEvents = {
  'connection.status': event<ConnectionStatus>(),
  'localServer.status': event<LocalServerStatus>(),
  /** New log lines of the managed nats-server, batched. */
  'localServer.log': event<{ lines: string[] }>(),
  'connections.changed': event<{ profiles: ConnectionProfile[]; activeId?: string }>(),
  /** The open connections changed (opened, switched, closed, reconnecting in the background). */
  'connections.open': event<{ open: OpenConnection[] }>(),
};
