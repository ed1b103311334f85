import { headers, nuid, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/**
 * The NATS micro-services protocol (v1), server side: what `nats micro ls|info|stats` and every
 * official client's service client read. A service answers `$SRV.PING|INFO|STATS`,
 * `$SRV.<VERB>.<name>` and `$SRV.<VERB>.<name>.<id>` with `io.nats.micro.v1.*_response` JSON,
 * and serves its endpoints in the queue group `q`. Errors go back in the `Nats-Service-Error`
 * and `Nats-Service-Error-Code` headers.
 *
 * Why our own ~150 lines rather than `@nats-io/services`: its only v3 release is a prerelease
 * (3.0.0-25) that declares `@nats-io/nats-core` 3.0.0-50; sharing our 3.4 client needs an npm
 * override of its declared dependency. The public face here mirrors it (service → endpoints,
 * `ServiceError`), so switching is one module.
 */

export const SRV_PREFIX = '$SRV';
export const SERVICE_ERROR_HEADER = 'Nats-Service-Error';
export const SERVICE_ERROR_CODE_HEADER = 'Nats-Service-Error-Code';
export const DEFAULT_QUEUE = 'q';
export type Verb = 'PING' | 'INFO' | 'STATS';
const VERBS: Verb[] = ['PING', 'INFO', 'STATS'];

export const NAME_RE = /^[A-Za-z0-9_-]+$/;
const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** An error an endpoint returns to its caller (code is HTTP-like: 400, 403, 409, 500). */
export class ServiceError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ServiceConfig {
  name: string;
  version: string;
  description?: string;
  metadata?: Record<string, string>;
  queue?: string;
}

export interface Endpoint {
  name: string;
  subject: string;
  metadata?: Record<string, string>;
  /** The JSON answer, or a thrown ServiceError. Gets the request's data (may be empty). */
  handler(data: Uint8Array, msg: Msg): unknown;
  /** `data` of this endpoint in STATS responses. */
  statsData?(): unknown;
}

export interface PingResponse {
  type: 'io.nats.micro.v1.ping_response';
  name: string;
  id: string;
  version: string;
  metadata: Record<string, string>;
}
export interface EndpointInfo {
  name: string;
  subject: string;
  queue_group: string;
  metadata?: Record<string, string>;
}
export interface InfoResponse extends Omit<PingResponse, 'type'> {
  type: 'io.nats.micro.v1.info_response';
  description: string;
  endpoints: EndpointInfo[];
}
export interface EndpointStats {
  name: string;
  subject: string;
  queue_group: string;
  num_requests: number;
  num_errors: number;
  last_error: string;
  /** Nanoseconds. */
  processing_time: number;
  average_processing_time: number;
  data?: unknown;
}
export interface StatsResponse extends Omit<PingResponse, 'type'> {
  type: 'io.nats.micro.v1.stats_response';
  started: string;
  endpoints: EndpointStats[];
}

interface Counters {
  requests: number;
  errors: number;
  lastError: string;
  nanos: number;
}

export class MicroService {
  readonly id = nuid.next();
  private readonly started = new Date().toISOString();
  private readonly subs: Subscription[] = [];
  private readonly counters = new Map<string, Counters>();
  private stopped = false;

  private endpoints: Endpoint[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly config: ServiceConfig,
  ) {}

  /**
   * Subscribes the discovery subjects and every endpoint, then flushes so the server has them.
   * `endpoints` may be built from the instance id (for subjects that name the instance).
   */
  static async start(
    nc: NatsConnection,
    config: ServiceConfig,
    endpoints: Endpoint[] | ((id: string) => Endpoint[]),
  ): Promise<MicroService> {
    if (!NAME_RE.test(config.name)) throw new Error(`service name "${config.name}" must match ${NAME_RE}`);
    if (!SEMVER_RE.test(config.version)) throw new Error(`service version "${config.version}" is not semver`);
    const svc = new MicroService(nc, config);
    svc.endpoints = typeof endpoints === 'function' ? endpoints(svc.id) : endpoints;
    svc.subscribe();
    await nc.flush();
    return svc;
  }

  get name(): string {
    return this.config.name;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  ping(): PingResponse {
    return { type: 'io.nats.micro.v1.ping_response', ...this.identity() };
  }

  info(): InfoResponse {
    return {
      type: 'io.nats.micro.v1.info_response',
      ...this.identity(),
      description: this.config.description ?? '',
      endpoints: this.endpoints.map((e) => ({
        name: e.name,
        subject: e.subject,
        queue_group: this.queue,
        ...(e.metadata ? { metadata: e.metadata } : {}),
      })),
    };
  }

  stats(): StatsResponse {
    return {
      type: 'io.nats.micro.v1.stats_response',
      ...this.identity(),
      started: this.started,
      endpoints: this.endpoints.map((e) => {
        const c = this.counter(e.name);
        const data = e.statsData?.();
        return {
          name: e.name,
          subject: e.subject,
          queue_group: this.queue,
          num_requests: c.requests,
          num_errors: c.errors,
          last_error: c.lastError,
          processing_time: c.nanos,
          average_processing_time: c.requests > 0 ? Math.round(c.nanos / c.requests) : 0,
          ...(data === undefined ? {} : { data }),
        };
      }),
    };
  }

  /** Unsubscribes everything (idempotent); in-flight handlers still answer if they can. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.subs.splice(0)) s.unsubscribe();
    if (!this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
  }

  private get queue(): string {
    return this.config.queue ?? DEFAULT_QUEUE;
  }

  private identity() {
    const { name, version, metadata } = this.config;
    return { name, id: this.id, version, metadata: metadata ?? {} };
  }

  private counter(name: string): Counters {
    let c = this.counters.get(name);
    if (!c) {
      c = { requests: 0, errors: 0, lastError: '', nanos: 0 };
      this.counters.set(name, c);
    }
    return c;
  }

  private subscribe(): void {
    const { name } = this.config;
    for (const verb of VERBS) {
      const answer = () => (verb === 'PING' ? this.ping() : verb === 'INFO' ? this.info() : this.stats());
      for (const subject of [
        `${SRV_PREFIX}.${verb}`,
        `${SRV_PREFIX}.${verb}.${name}`,
        `${SRV_PREFIX}.${verb}.${name}.${this.id}`,
      ]) {
        this.subs.push(
          this.nc.subscribe(subject, {
            callback: (err, msg) => {
              if (!err && msg.reply) msg.respond(JSON.stringify(answer()));
            },
          }),
        );
      }
    }
    for (const e of this.endpoints) {
      this.subs.push(
        this.nc.subscribe(e.subject, {
          queue: this.queue,
          callback: (err, msg) => {
            if (!err) void this.serve(e, msg);
          },
        }),
      );
    }
  }

  private async serve(e: Endpoint, msg: Msg): Promise<void> {
    const c = this.counter(e.name);
    const t0 = process.hrtime.bigint();
    c.requests++;
    try {
      const out = await e.handler(msg.data, msg);
      if (msg.reply) msg.respond(JSON.stringify(out ?? null));
    } catch (err) {
      const se = err instanceof ServiceError ? err : new ServiceError(500, (err as Error).message);
      c.errors++;
      c.lastError = `${se.code}:${se.message}`;
      if (msg.reply) {
        const h = headers();
        h.set(SERVICE_ERROR_HEADER, se.message);
        h.set(SERVICE_ERROR_CODE_HEADER, String(se.code));
        msg.respond(JSON.stringify({ error: { code: se.code, message: se.message } }), { headers: h });
      }
    } finally {
      c.nanos += Number(process.hrtime.bigint() - t0);
    }
  }
}

/** The service error a reply carries, if any (what a service client checks first). */
export function serviceErrorOf(msg: Msg): ServiceError | undefined {
  const message = msg.headers?.get(SERVICE_ERROR_HEADER);
  if (!message) return undefined;
  return new ServiceError(Number(msg.headers?.get(SERVICE_ERROR_CODE_HEADER) ?? 500) || 500, message);
}
