import type { ThresholdLevel } from '../../../api/features/monitor';

export type CheckKind = 'consumer' | 'stream';

export interface CheckDef {
  id: string;
  label: string;
  /** Shown next to the inputs. */
  unit: string;
  /** Ratios are stored 0..1 and edited as percentages. */
  ratio?: boolean;
}

export const CHECKS: Record<CheckKind, CheckDef[]> = {
  consumer: [
    { id: 'maxPending', label: 'Pending (not yet delivered)', unit: 'msgs' },
    { id: 'maxAckPending', label: 'Ack pending', unit: 'msgs' },
    { id: 'maxRedelivered', label: 'Redelivered', unit: 'msgs' },
    { id: 'lastAckAgeSec', label: 'No ack for (while work waits)', unit: 's' },
  ],
  stream: [
    { id: 'msgsRatio', label: 'Messages of max_msgs', unit: '%', ratio: true },
    { id: 'bytesRatio', label: 'Bytes of max_bytes', unit: '%', ratio: true },
    { id: 'replicaLag', label: 'Replica lag', unit: 'ops' },
  ],
};

/** What the inputs hold: strings, '' = level disabled. */
export interface LevelText {
  warn: string;
  crit: string;
}

export function toText(level: ThresholdLevel | undefined, ratio = false): LevelText {
  const f = (v: number | null | undefined) =>
    v === null || v === undefined ? '' : String(ratio ? Math.round(v * 10_000) / 100 : v);
  return { warn: f(level?.warn), crit: f(level?.crit) };
}

/** Parses the inputs back into a level, or an error message for the form. */
export function fromText(t: LevelText, ratio = false): { level?: ThresholdLevel; error?: string } {
  const parse = (s: string): number | null | string => {
    const v = s.trim();
    if (!v) return null;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return `"${v}" is not a number ≥ 0`;
    if (ratio && n > 100) return `${v}% is over 100%`;
    return ratio ? n / 100 : n;
  };
  const warn = parse(t.warn);
  const crit = parse(t.crit);
  if (typeof warn === 'string') return { error: `warn: ${warn}` };
  if (typeof crit === 'string') return { error: `crit: ${crit}` };
  if (warn !== null && crit !== null && warn > crit) return { error: 'warn must be ≤ crit' };
  return { level: { warn, crit } };
}

/** The kind of an override key: `consumer:S/C` or `stream:S`. */
export function kindOfKey(key: string): CheckKind {
  return key.startsWith('consumer:') ? 'consumer' : 'stream';
}
