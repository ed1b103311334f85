import { headers as natsHeaders, nuid, type MsgHdrs } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { replayTargetSchema } from '../../api/features/messages';
import { taskSchema } from '../../api/task-wire';
import type { RawMsg } from '../messages/format';
import type { OutMsg } from './jobs';
import { MSG_ID } from '../../nats/publish/pub-ack';
import { SubjectMapper, subjectMatches } from './mapping';

export type Target = z.output<typeof replayTargetSchema>;

export const REPLAY_OF_HEADER = 'JetDeck-Replay-Of';
export const REPLAY_MSG_ID_HEADER = 'JetDeck-Replay-Msg-Id';
const ROUTE_CACHE = 10_000;
const MSG_ID_LC = MSG_ID.toLowerCase();
const REPLAY_OF_LC = REPLAY_OF_HEADER.toLowerCase();
const REPLAY_MSG_ID_LC = REPLAY_MSG_ID_HEADER.toLowerCase();

/** Task subjects whose JSON payloads get a fresh task id so workers run them again. */
const TASK_SUBJECTS = ['tasks.new', 'tasks.high', 'tasks.typed.*'];

/**
 * Headers that would make a replay fail or do damage: expectations about the stream's state
 * at the original publish, and rollups that purge. Everything else is kept.
 */
const DROPPED_HEADERS = new Set([
  'nats-expected-stream',
  'nats-expected-last-sequence',
  'nats-expected-last-subject-sequence',
  'nats-expected-last-msg-id',
  'nats-rollup',
]);

const te = new TextEncoder();
const td = new TextDecoder();

export function isTaskSubject(subject: string): boolean {
  return TASK_SUBJECTS.some((p) => subjectMatches(p, subject));
}

export interface TransformOptions {
  stream: string;
  target: Target;
  /** Default "from" pattern for mapping: the source's subject filter. */
  sourceFilter?: string;
  /** Fresh Nats-Msg-Ids (and fresh task ids on task subjects): replay always, import on request. */
  renewMsgIds: boolean;
  /** Replay adds JetDeck-Replay-Of; import does not. */
  markReplay: boolean;
  /**
   * Faithful copy: bytes and headers as stored, no new ids; the original Nats-Msg-Id moves to
   * JetDeck-Replay-Msg-Id so deduplication does not drop the copy.
   */
  faithful?: boolean;
}

/** Turns stored messages into messages to publish (subject mapping, headers, fresh ids). */
export class ReplayTransform {
  private readonly mapper?: SubjectMapper;
  constructor(private readonly o: TransformOptions) {
    if (o.target.kind === 'subject')
      this.mapper = new SubjectMapper(o.target.from ?? o.sourceFilter ?? '>', o.target.subject);
  }

  /** Per source subject: its target and whether it carries tasks (streams hold few subjects). */
  private readonly routes = new Map<string, { target?: string; task: boolean }>();

  targetFor(subject: string): string | undefined {
    return this.mapper ? this.mapper.map(subject) : subject;
  }

  private route(subject: string): { target?: string; task: boolean } {
    let r = this.routes.get(subject);
    if (!r) {
      const target = this.targetFor(subject);
      r = { target, task: target !== undefined && (isTaskSubject(subject) || isTaskSubject(target)) };
      // Bounded: a stream with a subject per message gets no help from the cache, only no harm.
      if (this.routes.size >= ROUTE_CACHE) this.routes.clear();
      this.routes.set(subject, r);
    }
    return r;
  }

  /** undefined when the message's subject is outside the mapping (skipped). */
  apply(m: RawMsg, ref: { seq?: number; line?: number }): OutMsg | undefined {
    const { target: subject, task: taskSubject } = this.route(m.subject);
    if (subject === undefined) return undefined;
    const { renewMsgIds, markReplay } = this.o;
    const oldMsgId = m.headers ? findHeader(m.headers, MSG_ID_LC) : undefined;
    if (this.o.faithful)
      return { subject, data: m.data, headers: faithfulHeaders(m.headers), timeMs: m.timeMs, ...ref };
    let data = m.data;
    let msgId: string | undefined;
    const task = renewMsgIds && taskSubject ? rewriteTask(m.data) : undefined;
    if (task) {
      data = task.data;
      msgId = task.id;
    } else if (oldMsgId && renewMsgIds) msgId = `${oldMsgId}.replay.${nuid.next()}`.slice(-250);
    // Kept headers first (in their order), then the ones set here replace any of the same name.
    let h: MsgHdrs | undefined;
    const add = (k: string, v: string): void => (h ??= natsHeaders()).append(k, v);
    if (m.headers) {
      for (const k in m.headers) {
        const lower = k.toLowerCase();
        if (DROPPED_HEADERS.has(lower)) continue;
        if (msgId !== undefined && (lower === MSG_ID_LC || (oldMsgId && lower === REPLAY_MSG_ID_LC)))
          continue;
        if (markReplay && lower === REPLAY_OF_LC) continue;
        for (const v of m.headers[k]) add(k, v);
      }
    }
    if (msgId !== undefined) {
      add(MSG_ID, msgId);
      if (oldMsgId) add(REPLAY_MSG_ID_HEADER, oldMsgId);
    }
    if (markReplay) add(REPLAY_OF_HEADER, `${this.o.stream}:${m.seq}`);
    return { subject, data, headers: h, timeMs: m.timeMs, ...ref };
  }
}

/** Stored headers in order, minus the risky ones; Nats-Msg-Id renamed to JetDeck-Replay-Msg-Id. */
function faithfulHeaders(stored: Record<string, string[]> | undefined): MsgHdrs | undefined {
  if (!stored) return undefined;
  let h: MsgHdrs | undefined;
  for (const k in stored) {
    const lower = k.toLowerCase();
    if (DROPPED_HEADERS.has(lower) || lower === REPLAY_MSG_ID_LC) continue;
    const name = lower === MSG_ID_LC ? REPLAY_MSG_ID_HEADER : k;
    for (const v of stored[k]) (h ??= natsHeaders()).append(name, v);
  }
  return h;
}

function findHeader(h: Record<string, string[]>, lower: string): string | undefined {
  for (const k in h) if (k.toLowerCase() === lower) return h[k][0];
  return undefined;
}

/**
 * A task re-run: fresh id (so Nats-Msg-Id deduplication does not drop it and its status is
 * tracked apart), linked to the original through metadata.replay_of / retry_of.
 */
function rewriteTask(data: Uint8Array): { id: string; data: Uint8Array } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(td.decode(data));
  } catch {
    return undefined;
  }
  const r = taskSchema.safeParse(parsed);
  if (!r.success) return undefined;
  const old = r.data;
  const id = nuid.next();
  const task = {
    ...(parsed as Record<string, unknown>),
    id,
    created_at: new Date().toISOString(),
    metadata: { ...(old.metadata ?? {}), replay_of: old.id, retry_of: old.id },
  };
  return { id, data: te.encode(JSON.stringify(task)) };
}
