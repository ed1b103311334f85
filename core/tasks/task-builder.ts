import type { PublishInput } from '../../api/features/tasks';
import { ApiError } from '../../api/errors';
import { SUBJECTS, type Task } from '../../api/task-wire';
import type { OutMsg } from './pub-ack-window';

const encoder = new TextEncoder();

/** Where a task goes: a typed lane when asked, else the high or the normal lane. */
export function subjectFor(input: Pick<PublishInput, 'type' | 'priority' | 'route'>): string {
  if (input.route === 'typed') return SUBJECTS.typed(input.type);
  return input.priority === 'high' ? SUBJECTS.high : SUBJECTS.new;
}

/**
 * Encodes tasks of one shape fast: the payload, metadata and the fixed fields are serialized
 * once, each task only adds its id and time. Key order matches `taskSchema`.
 */
export class TaskEncoder {
  readonly subject: string;
  private readonly payloadJson: string;
  private readonly tail: string;
  private readonly headerBytes: number;

  constructor(
    private readonly input: Omit<PublishInput, 'id'>,
    private readonly maxPayload: number,
  ) {
    this.subject = subjectFor(input);
    this.payloadJson = JSON.stringify(input.payload ?? null);
    let tail = '';
    if (input.priority) tail += `,"priority":${JSON.stringify(input.priority)}`;
    if (input.max_attempts) tail += `,"max_attempts":${input.max_attempts}`;
    if (input.metadata) tail += `,"metadata":${JSON.stringify(input.metadata)}`;
    this.tail = tail;
    this.headerBytes = headerSize(input.headers);
  }

  /** The task object (for results and the API), without encoding. */
  task(id: string, createdAt: string): Task {
    const t: Task = { id, type: this.input.type, payload: this.input.payload ?? null, created_at: createdAt };
    if (this.input.priority) t.priority = this.input.priority;
    if (this.input.max_attempts) t.max_attempts = this.input.max_attempts;
    if (this.input.metadata) t.metadata = this.input.metadata;
    return t;
  }

  encode(id: string, createdAt: string): OutMsg {
    const json = `{"id":${JSON.stringify(id)},"type":${JSON.stringify(this.input.type)},"payload":${this.payloadJson},"created_at":"${createdAt}"${this.tail}}`;
    const data = encoder.encode(json);
    const size = data.length + this.headerBytes + 24 + id.length;
    if (size > this.maxPayload) {
      throw new ApiError(
        'payload_too_large',
        `task is ${size} bytes with headers; the server accepts at most ${this.maxPayload} (max_payload)`,
        { size, maxPayload: this.maxPayload },
      );
    }
    return { subject: this.subject, data, msgId: id, headers: this.input.headers };
  }
}

/** Bytes the user headers add on the wire (NATS/1.0 line and the Nats-Msg-Id line excluded). */
function headerSize(h: Record<string, string> | undefined): number {
  if (!h) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(h)) n += k.length + Buffer.byteLength(v) + 4;
  return n;
}
