import type { NatsConnection } from '@nats-io/transport-node';
import {
  WORKER_SERVICE_NAME,
  setConcurrencyBody,
  workerControlSubject,
  type ControlAction,
  type FleetMemberInfo,
  type FleetMemberStatus,
  type FleetTypeCounts,
} from '../../api/features/fleet';
import { MicroService, ServiceError, type Endpoint } from './micro';

/**
 * A worker (one runtime, or a pool of threads) as the `jetdeck-worker` NATS service: its facts
 * in the metadata, its live numbers in the `status` endpoint (and that endpoint's STATS data),
 * and control endpoints that answer 403 unless remote control was allowed at start.
 */
export interface FleetMember {
  info(): Omit<FleetMemberInfo, 'remoteControl'>;
  status(): FleetMemberStatus;
  /** Cumulative counters per task type, sent in the STATS data (the fleet's per-type figures). */
  types?(): FleetTypeCounts;
  /** Finish in-flight tasks and stop for good (a `jetdeck worker` then exits). */
  drain(): Promise<void>;
  /** Stop taking tasks (in-flight ones finish); the service keeps answering. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  setConcurrency(n: number): Promise<void>;
}

export interface WorkerServiceOptions {
  allowRemoteControl: boolean;
  /** Semver of this JetDeck. */
  version: string;
  /** Called when a control request failed after it was accepted (the request got its answer already). */
  onError?(action: ControlAction, err: Error): void;
}

export const REMOTE_CONTROL_OFF =
  'remote control is off for this worker: start it with --allow-remote-control (and see the README for the NATS permissions that protect it)';

export async function registerWorkerService(
  nc: NatsConnection,
  member: FleetMember,
  opts: WorkerServiceOptions,
): Promise<MicroService> {
  const info = { ...member.info(), remoteControl: opts.allowRemoteControl };
  const control = (
    id: string,
    action: ControlAction,
    run: (body: Uint8Array) => Promise<void>,
  ): Endpoint => ({
    name: action,
    subject: workerControlSubject(id, action),
    metadata: { remote_control: opts.allowRemoteControl ? 'on' : 'off' },
    handler: (data) => {
      if (!opts.allowRemoteControl) throw new ServiceError(403, REMOTE_CONTROL_OFF);
      // Answer at once with the new state; the change itself (a drain can take minutes) runs on.
      const done = run(data);
      done.catch((err: unknown) => opts.onError?.(action, err as Error));
      return member.status();
    },
  });
  // Subjects name the instance: `jetdeck.worker.<id>.<action>`.
  const endpoints = (id: string): Endpoint[] => [
    {
      name: 'status',
      subject: workerControlSubject(id, 'status'),
      handler: () => member.status(),
      statsData: (): FleetMemberStatus => ({ ...member.status(), types: member.types?.() }),
    },
    control(id, 'drain', () => member.drain()),
    control(id, 'pause', () => member.pause()),
    control(id, 'resume', () => member.resume()),
    control(id, 'concurrency', (data) => {
      const parsed = setConcurrencyBody.safeParse(safeJson(data));
      if (!parsed.success) throw new ServiceError(400, parsed.error.issues[0]?.message ?? 'bad request');
      return member.setConcurrency(parsed.data.concurrency);
    }),
  ];
  const svc = await MicroService.start(
    nc,
    {
      name: WORKER_SERVICE_NAME,
      version: opts.version,
      description: `JetDeck ${info.kind === 'pool' ? 'worker pool' : 'worker'} ${info.worker}`,
      metadata: toMetadata(info),
    },
    endpoints,
  );
  return svc;
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new ServiceError(400, 'the request body is not JSON');
  }
}

/** Metadata is a string map in the protocol: lists joined by commas. */
export function toMetadata(info: FleetMemberInfo): Record<string, string> {
  const m: Record<string, string> = {
    worker: info.worker,
    kind: info.kind,
    host: info.host,
    pid: String(info.pid),
    version: info.version,
    lanes: info.lanes.join(','),
    remote_control: info.remoteControl ? 'on' : 'off',
  };
  if (info.types) m.types = info.types.join(',');
  if (info.server) m.server = info.server;
  return m;
}

export function fromMetadata(m: Record<string, string> | undefined): FleetMemberInfo | undefined {
  if (!m?.worker || (m.kind !== 'pool' && m.kind !== 'process')) return undefined;
  const list = (s?: string) => (s ? s.split(',').filter(Boolean) : []);
  return {
    worker: m.worker,
    kind: m.kind,
    host: m.host ?? '',
    pid: Number(m.pid) || 0,
    version: m.version ?? '',
    lanes: list(m.lanes),
    ...(m.types ? { types: list(m.types) } : {}),
    remoteControl: m.remote_control === 'on',
    ...(m.server ? { server: m.server } : {}),
  };
}
