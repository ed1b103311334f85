import { z } from 'zod';
import { ERROR_CODES } from './errors';

/**
 * The WebSocket bridge's wire format (`jetdeck serve`, path `/ws`): JSON text frames.
 * Client → server: one call per frame. Server → client: the call's reply (same id) or an
 * event pushed from the core's bus. Both sides validate what they receive with these schemas.
 */

export const WS_PATH = '/ws';
/**
 * Browsers cannot set headers on a WebSocket, and a cookie would reach every local port: the
 * page offers two subprotocols, `jetdeck` (the one the server selects) and
 * `jetdeck.auth.<base64url(token)>` (read by the server, never echoed back).
 */
export const WS_SUBPROTOCOL = 'jetdeck';
export const WS_AUTH_PROTOCOL_PREFIX = 'jetdeck.auth.';

/** The subprotocol that carries `token` (printable ASCII) on the upgrade request. */
export function authSubprotocol(token: string): string {
  const b64 = btoa(token).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return WS_AUTH_PROTOCOL_PREFIX + b64;
}

/** The token in a `Sec-WebSocket-Protocol` header, if one of its entries carries it. */
export function tokenFromSubprotocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (!v.startsWith(WS_AUTH_PROTOCOL_PREFIX)) continue;
    const b64 = v.slice(WS_AUTH_PROTOCOL_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/');
    try {
      return atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
/** Largest frame either side accepts (bytes). */
export const WS_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export const clientCallSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(200),
  input: z.unknown().optional(),
});
export type ClientCall = z.infer<typeof clientCallSchema>;

export const errorEnvelopeSchema = z.object({
  name: z.string(),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  detail: z.unknown().optional(),
});

/** `id` is null only when the server could not read the id of a malformed frame. */
const replyId = z.number().int().nonnegative().nullable();
export const replyOkSchema = z.object({ id: replyId, ok: z.literal(true), result: z.unknown() });
export const replyErrorSchema = z.object({ id: replyId, ok: z.literal(false), error: errorEnvelopeSchema });
export const replySchema = z.discriminatedUnion('ok', [replyOkSchema, replyErrorSchema]);
export const eventFrameSchema = z.object({ event: z.string().min(1), payload: z.unknown() });

export type ServerReply = z.infer<typeof replySchema>;
export type EventFrame = z.infer<typeof eventFrameSchema>;
export type ServerFrame = ServerReply | EventFrame;

export const serverFrameSchema: z.ZodType<ServerFrame> = z.union([replySchema, eventFrameSchema]);
