import {
  AuthorizationError,
  ClosedConnectionError,
  ConnectionError,
  InvalidArgumentError,
  InvalidSubjectError,
  NoRespondersError,
  PermissionViolationError,
  RequestError,
  TimeoutError,
  UserAuthenticationExpiredError,
} from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import { ApiError, type ErrorEnvelope } from '../api/errors';

/**
 * nats.js and Node errors as ApiErrors with a stable code, for the core and the worker alike
 * (undefined for anything else: the caller decides what an unexpected error becomes).
 */
export function natsApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (!(err instanceof Error)) return undefined;
  const e = err;
  const msg = e.message;
  if (e instanceof AuthorizationError || e instanceof UserAuthenticationExpiredError) {
    return new ApiError('auth_error', msg, undefined, e.name);
  }
  if (e instanceof PermissionViolationError) return new ApiError('auth_error', msg, undefined, e.name);
  if (e instanceof InvalidSubjectError) return new ApiError('invalid_input', msg, undefined, e.name);
  if (e instanceof InvalidArgumentError) return new ApiError('invalid_input', msg, undefined, e.name);
  if (e instanceof TimeoutError) return new ApiError('timeout', msg, undefined, e.name);
  if (e instanceof NoRespondersError) return new ApiError('nats_error', msg, undefined, e.name);
  if (e instanceof ClosedConnectionError) return new ApiError('not_connected', msg, undefined, e.name);
  if (e instanceof RequestError) {
    if (e.isNoResponders()) return new ApiError('nats_error', msg, undefined, e.name);
    // Requests still open when their connection closes (a disconnect, JetDeck stopping).
    if (e.cause instanceof ClosedConnectionError || msg === 'connection closed')
      return new ApiError('not_connected', msg, undefined, e.name);
    return natsApiError(e.cause);
  }
  if (e instanceof JetStreamApiError) {
    const code = e.status === 404 ? 'not_found' : e.status === 400 ? 'invalid_input' : 'nats_error';
    return new ApiError(code, msg, { status: e.status, errCode: e.code }, e.name);
  }
  if (e instanceof ConnectionError) {
    if (/tls|certificate|self.signed|SSL/i.test(msg))
      return new ApiError('tls_error', msg, undefined, e.name);
    return new ApiError('unreachable', msg, undefined, e.name);
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return new ApiError('unreachable', msg, undefined, e.name);
  }
  if (/maximum payload|max_payload|MAX_PAYLOAD/i.test(msg))
    return new ApiError('payload_too_large', msg, undefined, e.name);
  if (/tls|certificate|SSL/i.test(msg)) return new ApiError('tls_error', msg, undefined, e.name);
  return undefined;
}

/**
 * The envelope an error crosses a process or thread boundary in, so the far side rebuilds it
 * with its code (ApiError.fromEnvelope). Between JetDeck's own threads an unexpected error
 * keeps its message, with the stack in `detail` for the log.
 */
export function errorEnvelope(err: unknown): ErrorEnvelope {
  const known = natsApiError(err);
  if (known) return known.toEnvelope();
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: e.message || e.name, detail: { stack: e.stack } };
}
