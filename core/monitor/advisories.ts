import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { z } from 'zod';
import type {
  Advisory,
  AdvisoryKind,
  advisoryFilterSchema,
  AdvisoriesPage,
} from '../../api/features/monitor';
import type { EventBus } from '../events';
import { Batcher } from '../util/batcher';

type Filter = z.output<typeof advisoryFilterSchema>;
type Json = Record<string, unknown>;

export const ADVISORY_CAPACITY = 10_000;

/**
 * Account-level advisories: consumer/stream lifecycle, deliveries, leaders, quorum, storage.
 * Not `$JS.EVENT.ADVISORY.API`: the server builds an audit advisory for every JetStream API
 * call once someone listens, including the sampler's own ~50 listing requests a second.
 */
export const ACCOUNT_SUBJECTS = [
  '$JS.EVENT.ADVISORY.CONSUMER.>',
  '$JS.EVENT.ADVISORY.STREAM.>',
  '$JS.EVENT.ADVISORY.SERVER.>',
];
/**
 * Through the system account: JetStream meta-level advisories plus server and connection
 * events. Periodic STATSZ heartbeats and our own requests are left out.
 */
export const SYSTEM_SUBJECTS = [
  '$JS.EVENT.ADVISORY.>',
  '$SYS.SERVER.>',
  '$SYS.ACCOUNT.*.CONNECT',
  '$SYS.ACCOUNT.*.DISCONNECT',
];
const SYSTEM_NOISE = /^\$SYS\.SERVER\.[^.]+\.(STATSZ|ACC\.)|\.REQ\./;

interface Stored extends Advisory {
  /** Lower-cased search text, built on the first search (most advisories are never searched). */
  text?: string;
}

/**
 * The session's advisory feed: parses `type` into a kind with a one-line summary, keeps the
 * newest `capacity` in a ring, answers filter + search queries and exports JSON Lines; new ones
 * go to the UI as batched 'monitor.advisories' events.
 */
export class AdvisoryFeed {
  private buf: Stored[] = [];
  private seq = 0;
  private dropped = 0;
  private systemSubs = 0;
  private readonly batcher: Batcher<Advisory>;

  constructor(
    bus: EventBus,
    readonly capacity = ADVISORY_CAPACITY,
  ) {
    this.batcher = new Batcher<Advisory>(
      (advisories, dropped) => bus.emit('monitor.advisories', { advisories, dropped }),
      250,
      2000,
    );
  }

  /** Subscribes on `nc`; the returned function unsubscribes. */
  attach(nc: NatsConnection, origin: Advisory['origin']): () => void {
    const subjects = origin === 'system' ? SYSTEM_SUBJECTS : ACCOUNT_SUBJECTS;
    const subs: Subscription[] = subjects.map((subject) =>
      nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return;
          if (origin === 'system' && SYSTEM_NOISE.test(msg.subject)) return;
          let data: unknown;
          try {
            data = JSON.parse(msg.string());
          } catch {
            data = msg.string();
          }
          this.add(msg.subject, data, origin);
        },
      }),
    );
    if (origin === 'system') this.systemSubs++;
    return () => {
      for (const s of subs) s.unsubscribe();
      if (origin === 'system') this.systemSubs--;
    };
  }

  add(subject: string, data: unknown, origin: Advisory['origin']): Advisory {
    const a: Stored = { seq: ++this.seq, origin, subject, ...classify(subject, data), data };
    this.buf.push(a);
    if (this.buf.length > this.capacity) {
      const over = this.buf.length - this.capacity;
      this.buf.splice(0, over);
      this.dropped += over;
    }
    this.batcher.push(strip(a));
    return strip(a);
  }

  list(filter: Filter, q: string | undefined, limit: number): AdvisoriesPage {
    const all = this.match(filter, q);
    return {
      advisories: all.slice(-limit).map(strip),
      total: all.length,
      dropped: this.dropped,
      capacity: this.capacity,
      systemFeed: this.systemSubs > 0,
    };
  }

  exportJsonl(filter: Filter, q: string | undefined): { jsonl: string; count: number } {
    const all = this.match(filter, q);
    return {
      jsonl: all.map((a) => JSON.stringify(strip(a))).join('\n') + (all.length ? '\n' : ''),
      count: all.length,
    };
  }

  clear(): number {
    const n = this.buf.length;
    this.buf = [];
    return n;
  }

  dispose(): void {
    this.batcher.drain();
    this.batcher.dispose();
  }

  private match(f: Filter, q: string | undefined): Stored[] {
    const kinds = f.kinds?.length ? new Set(f.kinds) : undefined;
    const needle = q?.trim().toLowerCase();
    return this.buf.filter(
      (a) =>
        (!kinds || kinds.has(a.kind)) &&
        (!f.stream || a.stream === f.stream) &&
        (!f.consumer || a.consumer === f.consumer) &&
        (!f.severity || a.severity === f.severity) &&
        (f.afterSeq === undefined || a.seq > f.afterSeq) &&
        (f.since === undefined || a.time >= f.since) &&
        (!needle || searchText(a).includes(needle)),
    );
  }
}

function searchText(a: Stored): string {
  return (a.text ??= `${a.subject}\n${a.summary}\n${JSON.stringify(a.data)}`.toLowerCase());
}

function strip(a: Stored): Advisory {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { text, ...rest } = a;
  return rest;
}

type Classified = Pick<Advisory, 'kind' | 'severity' | 'type' | 'time' | 'stream' | 'consumer' | 'summary'>;

/** Reads the advisory's `type` (io.nats.jetstream.advisory.v1.max_deliver …) into a kind and a summary. */
export function classify(subject: string, data: unknown): Classified {
  const d: Json = data && typeof data === 'object' ? (data as Json) : {};
  const type = typeof d.type === 'string' ? d.type : '';
  const short = type.split('.').pop() ?? '';
  const stream =
    str(d.stream) ??
    str(d.stream_name) ??
    str(d.stream_info && (d.stream_info as Json).config && ((d.stream_info as Json).config as Json).name);
  const consumer = str(d.consumer) ?? str(d.consumer_name);
  const time = Date.parse(str(d.timestamp) ?? '') || Date.now();
  const base = { type: type || subject, time, stream, consumer };
  const sc = consumer ? `${stream ?? '?'} › ${consumer}` : (stream ?? '');
  const mk = (kind: AdvisoryKind, severity: Advisory['severity'], summary: string): Classified => ({
    ...base,
    kind,
    severity,
    summary,
  });
  const action = str(d.action)?.toLowerCase();
  const actionKind = (what: 'consumer' | 'stream'): AdvisoryKind =>
    action === 'create' ? `${what}_created` : action === 'delete' ? `${what}_deleted` : `${what}_updated`;

  switch (short) {
    case 'max_deliver':
      return mk(
        'max_deliver',
        'warn',
        `${sc}: stream seq ${num(d.stream_seq)} reached max deliveries (${num(d.deliveries)})`,
      );
    case 'nak':
      return mk(
        'nak',
        'info',
        `${sc}: stream seq ${num(d.stream_seq)} nak'd (delivery ${num(d.deliveries)})`,
      );
    case 'terminated':
      return mk(
        'terminated',
        'warn',
        `${sc}: stream seq ${num(d.stream_seq)} terminated${d.reason ? `: ${String(d.reason)}` : ''}`,
      );
    case 'consumer_action':
      return mk(actionKind('consumer'), 'info', `consumer ${sc} ${action ?? 'changed'}`);
    case 'stream_action':
      return mk(actionKind('stream'), 'info', `stream ${stream ?? '?'} ${action ?? 'changed'}`);
    case 'stream_leader_elected':
    case 'consumer_leader_elected':
    case 'domain_leader_elected':
    case 'meta_leader_elected': {
      const what = short.startsWith('stream')
        ? `stream ${stream}`
        : short.startsWith('consumer')
          ? `consumer ${sc}`
          : 'JetStream meta group';
      return mk('leader_elected', 'info', `${what}: new leader ${str(d.leader) ?? '?'}`);
    }
    case 'stream_quorum_lost':
    case 'consumer_quorum_lost':
    case 'meta_quorum_lost': {
      const what = short.startsWith('stream')
        ? `stream ${stream}`
        : short.startsWith('consumer')
          ? `consumer ${sc}`
          : 'JetStream meta group';
      return mk('quorum_lost', 'crit', `${what}: quorum lost`);
    }
    case 'api_audit': {
      const resp = str(d.response) ?? '';
      if (/insufficient (storage|resources)|out of storage|resources exceeded/i.test(resp)) {
        return mk('out_of_storage', 'crit', `JetStream out of storage on ${str(d.subject) ?? 'API call'}`);
      }
      return mk('api_audit', 'info', `API ${str(d.subject) ?? ''}`);
    }
    default:
      break;
  }
  if (/storage|space|resources/i.test(short))
    return mk('out_of_storage', 'crit', `${short.replace(/_/g, ' ')}`);
  if (subject.startsWith('$SYS.')) {
    const sev: Advisory['severity'] = /SHUTDOWN|LAMEDUCK|AUTH\.ERR/.test(subject) ? 'warn' : 'info';
    const client = d.client && typeof d.client === 'object' ? (d.client as Json) : undefined;
    const who = client
      ? ` ${str(client.name) ?? ''} ${str(client.host) ?? ''} (${str(client.acc) ?? ''})`
      : '';
    return mk('server', sev, `${short || subject.split('.').slice(-1)[0].toLowerCase()}${who}`.trim());
  }
  return mk('other', 'info', short ? short.replace(/_/g, ' ') : subject);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}
function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}
