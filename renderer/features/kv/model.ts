import { decodeKvValue, type KvEntryView, type KvValueFormat } from '../../../api/features/kv';
import { base64ToBytes, bytesToText, tryParseJson } from '../messages/payload';

/** Live changes the screen keeps (newest first); older ones fall off. */
export const LIVE_MAX = 200;

/** Applies watch changes to a key listing: each key keeps its newest entry; new keys join, sorted. */
export function mergeChanges(keys: KvEntryView[], changes: KvEntryView[]): KvEntryView[] {
  if (!changes.length) return keys;
  const byKey = new Map(keys.map((k) => [k.key, k]));
  let added = false;
  for (const c of changes) {
    const old = byKey.get(c.key);
    if (old && old.revision >= c.revision) continue;
    if (!old) added = true;
    // The listing holds no values: keep it light.
    byKey.set(c.key, {
      key: c.key,
      revision: c.revision,
      created: c.created,
      operation: c.operation,
      length: c.length,
    });
  }
  const out = added
    ? [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    : keys.map((k) => byKey.get(k.key)!);
  return out;
}

/** Newest first, capped at LIVE_MAX. */
export function addLive(live: KvEntryView[], changes: KvEntryView[]): KvEntryView[] {
  return [...[...changes].reverse(), ...live].slice(0, LIVE_MAX);
}

/** The format a value opens in: how its bytes look. */
export function defaultFormat(e: KvEntryView | undefined): KvValueFormat {
  return e?.contentType === 'json' ? 'json' : e?.contentType === 'binary' ? 'hex' : 'text';
}

/** The value's bytes as editable text in `format` (JSON pretty-printed when it parses). */
export function editText(base64: string | undefined, format: KvValueFormat): string {
  const bytes = base64ToBytes(base64 ?? '');
  switch (format) {
    case 'json': {
      const text = bytesToText(bytes);
      const j = tryParseJson(text);
      return j.ok ? JSON.stringify(j.value, null, 2) : text;
    }
    case 'text':
      return bytesToText(bytes);
    case 'hex':
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))
        .join(' ')
        .replace(/((?:[0-9a-f]{2} ){16})/g, '$1\n')
        .trim();
    case 'base64':
      return base64 ?? '';
  }
}

export const TTL_UNITS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;
export type TtlUnit = keyof typeof TTL_UNITS;

/** "0" or empty = forever; otherwise a whole number of `unit`. NaN for anything else. */
export function ttlToMs(value: string, unit: TtlUnit): number {
  const v = value.trim();
  if (!v) return 0;
  if (!/^\d+$/.test(v)) return NaN;
  return Number(v) * TTL_UNITS[unit];
}

/** "forever", "90 s", "5 min", "2 h", "7 d". */
export function formatTtl(ms: number): string {
  if (!ms) return 'forever';
  if (ms % TTL_UNITS.days === 0) return `${ms / TTL_UNITS.days} d`;
  if (ms % TTL_UNITS.hours === 0) return `${ms / TTL_UNITS.hours} h`;
  if (ms % TTL_UNITS.minutes === 0) return `${ms / TTL_UNITS.minutes} min`;
  return `${ms / 1000} s`;
}

export function bytesToBase64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** The draft re-expressed in another format, or an error when it does not parse in its own. */
export function convertDraft(
  draft: string,
  from: KvValueFormat,
  to: KvValueFormat,
): { text: string } | { error: string } {
  const bytes = decodeKvValue(draft, from);
  if (typeof bytes === 'string') return { error: bytes };
  return { text: editText(bytesToBase64(bytes), to) };
}
