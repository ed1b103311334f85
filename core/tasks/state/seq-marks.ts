/** What the writer knows about the task message at a TASKS sequence. */
export const Mark = {
  /** Nothing known (not folded by this writer, out of range, or another id): read the record. */
  Unknown: 0,
  /** Its task part was written and nothing since: the state is the initial one, no read. */
  TaskOnly: 1,
  /** A state was stored for it (a state part, or a task part written whole): cache or read. */
  Stored: 2,
} as const;
export type Mark = (typeof Mark)[keyof typeof Mark];

/** Sequences covered (2 bytes each, 8 MB): a task's events may come this far behind it. */
export const DEFAULT_MARKS = 1 << 22;

/**
 * Per TASKS sequence folded by this writer, whether a task message there has had anything but
 * its task part stored: a JetDeck worker's status events carry the task message's sequence, so
 * a task's final event needs no read of its record when nothing else was written for it.
 *
 * A ring over the newest `cap` sequences from the one this writer started at; each slot holds
 * 14 bits of the id's hash (an event naming another id than the task at its `seq` reads as
 * today) and the mark. Slots are cleared as the fold moves past them, so a slot never speaks
 * for an older sequence. Anything outside (older than the start or the ring, no `seq` in the
 * event: non-JetDeck workers, cancels) is Unknown and read back.
 */
export class SeqMarks {
  private readonly slots: Uint16Array;
  /** Sequences before this are Unknown (before this writer started, or forgotten after a failure). */
  private from: number;
  /** Highest sequence the fold has reached. */
  private top: number;

  constructor(
    start: number,
    readonly cap = DEFAULT_MARKS,
  ) {
    this.slots = new Uint16Array(cap);
    this.from = start;
    this.top = start - 1;
  }

  /** The fold reached `seq`: slots of the sequences up to it now speak for them (cleared). */
  advance(seq: number): void {
    if (seq <= this.top) return;
    if (seq - this.top >= this.cap) this.slots.fill(0);
    else for (let s = this.top + 1; s <= seq; s++) this.slots[s % this.cap] = 0;
    this.top = seq;
  }

  get(seq: number, id: string): Mark {
    if (!this.covers(seq)) return Mark.Unknown;
    const v = this.slots[seq % this.cap];
    return v >>> 14 === 0 || (v & 0x3fff) !== hash14(id) ? Mark.Unknown : ((v >>> 14) as Mark);
  }

  set(seq: number, id: string, mark: typeof Mark.TaskOnly | typeof Mark.Stored): void {
    if (this.covers(seq)) this.slots[seq % this.cap] = (mark << 14) | hash14(id);
  }

  /** Forget everything folded so far (a batch's writes were lost: read what is stored). */
  forget(): void {
    this.slots.fill(0);
    this.from = this.top + 1;
  }

  private covers(seq: number): boolean {
    return seq >= this.from && seq <= this.top && this.top - seq < this.cap;
  }
}

/** FNV-1a over the UTF-16 code units, folded to 14 bits. */
function hash14(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h ^ (h >>> 14) ^ (h >>> 28)) & 0x3fff;
}
