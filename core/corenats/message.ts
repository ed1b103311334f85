import type { CoreMessage } from '../../api/features/corenats';
import { guessContentType } from '../messages/format';

/** A received message for the wire: `preview` is at most the first bytes of a `size`-byte payload. */
export function toCoreMessage(
  m: { subject: string; reply?: string; timeMs: number; headers?: Record<string, string[]> },
  preview: Uint8Array,
  size: number,
): CoreMessage {
  const truncated = size > preview.length;
  return {
    subject: m.subject,
    ...(m.reply ? { reply: m.reply } : {}),
    time: new Date(m.timeMs).toISOString(),
    size,
    ...(m.headers ? { headers: m.headers } : {}),
    data: Buffer.from(preview.buffer, preview.byteOffset, preview.byteLength).toString('base64'),
    truncated,
    contentType: guessContentType(preview, truncated),
  };
}
