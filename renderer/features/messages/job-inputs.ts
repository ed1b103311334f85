import type { RateInput, ReplaySource } from '../../../api/features/messages';

/** What the source picker edits; turned into a ReplaySource by `toSource`. */
export interface SourceForm {
  kind: 'selection' | 'range';
  seqs: number[];
  fromSeq: string;
  toSeq: string;
  fromTime: string;
  toTime: string;
  subject: string;
}

export interface TargetForm {
  kind: 'original' | 'subject';
  subject: string;
  from: string;
}

export interface RateForm {
  mode: 'max' | 'perSecond' | 'original';
  perSecond: string;
  maxWaitMs: string;
  speed: string;
}

export const DEFAULT_TARGET: TargetForm = { kind: 'original', subject: '', from: '' };
export const DEFAULT_RATE: RateForm = { mode: 'max', perSecond: '100', maxWaitMs: '1000', speed: '1' };

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
/** datetime-local text (local time) to ISO, undefined when empty. */
const iso = (s: string) => (s ? new Date(s).toISOString() : undefined);

export function toSource(stream: string, f: SourceForm): ReplaySource {
  if (f.kind === 'selection') return { stream, seqs: f.seqs };
  const r: ReplaySource = { stream };
  const set = <K extends string>(k: K, v: unknown) => {
    if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  };
  set('fromSeq', num(f.fromSeq));
  set('toSeq', num(f.toSeq));
  set('fromTime', iso(f.fromTime));
  set('toTime', iso(f.toTime));
  set('subject', f.subject.trim() || undefined);
  return r;
}

export function toTarget(t: TargetForm) {
  return t.kind === 'original'
    ? ({ kind: 'original' } as const)
    : ({
        kind: 'subject',
        subject: t.subject.trim(),
        ...(t.from.trim() ? { from: t.from.trim() } : {}),
      } as const);
}

export function toRate(r: RateForm): RateInput {
  if (r.mode === 'perSecond') return { mode: 'perSecond', perSecond: Number(r.perSecond) };
  if (r.mode === 'original')
    return { mode: 'original', maxWaitMs: Number(r.maxWaitMs), speed: Number(r.speed) };
  return { mode: 'max' };
}
