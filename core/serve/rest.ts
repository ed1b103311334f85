import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, HTTP_STATUS, type ErrorCode } from '../../api/errors';
import { toApiError } from '../errors';

/**
 * REST error shape shared by every route of `jetdeck serve` (the task routes included):
 * `{ error: { code, message, detail? } }` with the HTTP status of the code.
 */
export interface RestErrorBody {
  error: { code: ErrorCode; message: string; detail?: unknown };
}

export function restErrorBody(err: ApiError): RestErrorBody {
  const error: RestErrorBody['error'] = { code: err.code, message: err.message };
  if (err.detail !== undefined) error.detail = err.detail;
  return { error };
}

export function sendError(reply: FastifyReply, err: ApiError, status = HTTP_STATUS[err.code]): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(restErrorBody(err));
}

/** Maps fastify's own errors (bad JSON, oversize body, wrong content type) and thrown ApiErrors to the REST shape. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ApiError) return sendError(reply, err);
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
        return sendError(
          reply,
          new ApiError('invalid_input', `request body is not valid JSON: ${err.message}`),
          400,
        );
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, new ApiError('invalid_input', err.message), err.statusCode);
    }
    const apiErr = toApiError(err);
    // Stack traces stay in the server's log, not in responses.
    if (apiErr.code === 'internal') console.error('[jetdeck] request failed:', err);
    return sendError(reply, apiErr.code === 'internal' ? new ApiError('internal', apiErr.message) : apiErr);
  });
}
