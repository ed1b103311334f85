import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, HTTP_STATUS, type ErrorEnvelope } from '../../api/errors';
import { toApiError } from '../errors';

/**
 * The one error shape of `jetdeck serve`, on every route (REST, `/api/call`, auth, 404s and
 * fastify's own errors alike): `{ ok: false, error: { name, code, message, detail? } }` with
 * the HTTP status of the code. `/api/call` successes are `{ ok: true, result }`; the REST
 * routes answer with the resource itself.
 */
export interface RestErrorBody {
  ok: false;
  error: ErrorEnvelope;
}

export function restErrorBody(err: ApiError): RestErrorBody {
  const error: ErrorEnvelope = { name: err.name, code: err.code, message: err.message };
  if (err.detail !== undefined) error.detail = err.detail;
  return { ok: false, error };
}

export function sendError(reply: FastifyReply, err: ApiError, status = HTTP_STATUS[err.code]): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(restErrorBody(err));
}

/** Maps fastify's own errors (bad JSON, oversize body, wrong content type) and thrown ApiErrors to the REST shape. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ApiError) return sendError(reply, err, err.statusCode ?? HTTP_STATUS[err.code]);
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, new ApiError('payload_too_large', 'request body is too large'), 413);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(
          reply,
          new ApiError('invalid_input', `unsupported content type; send application/json`),
          415,
        );
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendError(reply, new ApiError('invalid_input', 'request body is not valid JSON'), 400);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const code =
        err.statusCode === 404 ? 'not_found' : err.statusCode === 413 ? 'payload_too_large' : 'invalid_input';
      return sendError(reply, new ApiError(code, err.message), err.statusCode);
    }
    // Anything unexpected is logged with an id (by toApiError) and answered without its stack.
    return sendError(reply, toApiError(err));
  });
}
