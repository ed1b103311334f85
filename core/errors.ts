import {
  AuthorizationError,
  ClosedConnectionError,
  ConnectionError,
  InvalidArgumentError,
  InvalidSubjectError,
  NoRespondersError,
  PermissionViolationError,
  TimeoutError,
  UserAuthenticationExpiredError,
} from '@nats-io/transport-node';
import { JetStreamApiError } from '@nats-io/jetstream';
import { ZodError } from 'zod';
import { ApiError } from '../api/errors';

export { ApiError };

/** Turns anything thrown (zod, nats.js, node) into an ApiError with a stable code. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) {
    return new ApiError('invalid_input', formatZodError(err), { issues: err.issues });
  }
  const e = err instanceof Error ? err : new Error(String(err));
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
  return new ApiError('internal', msg, { stack: e.stack }, e.name);
}

export function formatZodError(err: ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
