import type {
  CapabilityName,
  Capability,
  ConsumerCapabilities,
  ServerCapabilities,
} from '../../api/features/streams';
import type { ActiveConnection } from '../connections/connection-manager';

/** Server version that introduced each feature (nats-server release notes; reset per nats.js). */
const MIN_VERSION: Record<CapabilityName, [number, number]> = {
  multiFilterSubjects: [2, 10],
  streamMetadata: [2, 10],
  subjectTransform: [2, 10],
  compression: [2, 10],
  firstSeq: [2, 10],
  consumerLimits: [2, 10],
  consumerPause: [2, 11],
  priorityGroups: [2, 11],
  perMessageTtl: [2, 11],
  batchDirectGet: [2, 11],
  msgGetStartTime: [2, 11],
  consumerReset: [2, 14],
  atomicBatch: [2, 12],
  counters: [2, 12],
};

const LABEL: Record<CapabilityName, string> = {
  multiFilterSubjects: 'Consumers with several filter subjects',
  streamMetadata: 'Stream and consumer metadata',
  subjectTransform: 'Subject transforms',
  compression: 'Stream compression',
  firstSeq: 'Initial stream sequence',
  consumerLimits: 'Stream consumer limits',
  consumerPause: 'Pausing consumers',
  priorityGroups: 'Consumer priority groups',
  perMessageTtl: 'Per-message TTL',
  batchDirectGet: 'Batch direct get',
  msgGetStartTime: 'Message get by start time',
  consumerReset: 'Consumer reset',
  atomicBatch: 'Atomic batch publish',
  counters: 'Counter streams',
};

export function capability(conn: ActiveConnection, name: CapabilityName): Capability {
  const [maj, min] = MIN_VERSION[name];
  const minVersion = `${maj}.${min}.0`;
  const supported = conn.atLeast(maj, min);
  const version = conn.serverVersion().join('.');
  return supported
    ? { supported, minVersion }
    : {
        supported,
        minVersion,
        reason: `${LABEL[name]} needs nats-server ${minVersion} or newer; connected server is ${version}`,
      };
}

export function serverCapabilities(conn: ActiveConnection): ServerCapabilities {
  const features = {} as Record<CapabilityName, Capability>;
  for (const name of Object.keys(MIN_VERSION) as CapabilityName[]) features[name] = capability(conn, name);
  return { serverVersion: conn.nc.info?.version ?? 'unknown', features };
}

export function consumerCapabilities(conn: ActiveConnection): ConsumerCapabilities {
  return {
    pause: capability(conn, 'consumerPause'),
    reset: capability(conn, 'consumerReset'),
    multiFilter: capability(conn, 'multiFilterSubjects'),
  };
}

/** Stream config fields and the capability each needs. */
export const STREAM_FIELD_CAPABILITY: Record<string, CapabilityName> = {
  metadata: 'streamMetadata',
  compression: 'compression',
  first_seq: 'firstSeq',
  subject_transform: 'subjectTransform',
  consumer_limits: 'consumerLimits',
  allow_msg_ttl: 'perMessageTtl',
  subject_delete_marker_ttl: 'perMessageTtl',
  allow_atomic: 'atomicBatch',
  allow_msg_counter: 'counters',
};

export const CONSUMER_FIELD_CAPABILITY: Record<string, CapabilityName> = {
  filter_subjects: 'multiFilterSubjects',
  metadata: 'streamMetadata',
  pause_until: 'consumerPause',
  priority_groups: 'priorityGroups',
  priority_policy: 'priorityGroups',
};

/** Reasons a config uses fields the connected server lacks (empty when fine). */
export function unsupportedFields(
  conn: ActiveConnection,
  config: Record<string, unknown>,
  table: Record<string, CapabilityName>,
): string[] {
  const out: string[] = [];
  for (const [field, cap] of Object.entries(table)) {
    const v = config[field];
    if (isUnset(v) || (field === 'compression' && v === 'none')) continue;
    const c = capability(conn, cap);
    if (!c.supported) out.push(`${field}: ${c.reason}`);
  }
  return out;
}

function isUnset(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}
