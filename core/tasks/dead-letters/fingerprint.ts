import { createHash } from 'node:crypto';

/**
 * An error's fingerprint: its message with what varies from task to task (ids, numbers, paths,
 * uuids, times, addresses) replaced by placeholders, hashed. "order 1234 not found in
 * /data/a.csv" and "order 98 not found in /srv/b.csv" share one; "timeout" does not join them.
 * Order matters: the specific shapes (uuid, time, url, ip) go before the generic number rule.
 */
const RULES: [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // ISO times (before numbers eat their digits)
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>)]+/gi, '<url>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<email>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  // ULID-shaped ids (JetDeck's task ids): 26 Crockford base32 characters
  [/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, '<id>'],
  // Windows and POSIX paths with at least two segments (or one with an extension)
  [/\b[A-Za-z]:\\[^\s'"<>|]+/g, '<path>'],
  [/(^|[\s'"(=:,[])(?:~|\.{1,2})?\/(?:[^\s'"()<>,:;\]]+\/)*[^\s'"()<>,:;\]]*[^\s'"()<>,:;.\]]/g, '$1<path>'],
  // hex blobs (hashes, object ids) with at least one digit
  [/\b(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  // numbers not glued to a word before them ("utf8" stays, "order_42" and "42ms" do not)
  [/(?<![A-Za-z0-9.])\d+(?:\.\d+)?/g, '<n>'],
];

const MAX_MESSAGE = 300;

/** The normalised message: what a group is named by. */
export function normaliseError(message: string): string {
  let s = message.replace(/\s+/g, ' ').trim();
  if (s.length > 2000) s = s.slice(0, 2000);
  for (const [re, to] of RULES) s = s.replace(re, to);
  s = s.replace(/(<n>)(?:[ ,.]*<n>)+/g, '$1');
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s || '(no error message)';
}

/** 12 hex characters of the normalised message's SHA-1: stable across processes and releases. */
export function fingerprintOf(normalised: string): string {
  return createHash('sha1').update(normalised).digest('hex').slice(0, 12);
}
