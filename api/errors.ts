/**
 * Errors cross every transport as this envelope and are rebuilt as ApiError on the far side,
 * so the renderer can branch on `code` whether it talks IPC or WebSocket.
 */
export const ERROR_CODES = [
  'invalid_input',
  'not_found',
  'conflict',
  'not_connected',
  'auth_error',
  'tls_error',
  'timeout',
  'unreachable',
  'nats_error',
  'unsupported',
  'payload_too_large',
  /** A stream at its limits with discard new refused the message: final until room is made. */
  'stream_full',
  'unauthorized',
  'forbidden',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorEnvelope {
  name: string;
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly detail?: unknown;
  /** HTTP status when it differs from the code's usual one (415 for a refused charset). */
  statusCode?: number;
  constructor(code: ErrorCode, message: string, detail?: unknown, name = 'ApiError') {
    super(message);
    this.name = name;
    this.code = code;
    this.detail = detail;
  }

  toEnvelope(): ErrorEnvelope {
    return { name: this.name, code: this.code, message: this.message, detail: this.detail };
  }

  static fromEnvelope(e: ErrorEnvelope): ApiError {
    return new ApiError(e.code, e.message, e.detail, e.name);
  }
}

export function isErrorEnvelope(v: unknown): v is ErrorEnvelope {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ErrorEnvelope).code === 'string' &&
    typeof (v as ErrorEnvelope).message === 'string'
  );
}

/** HTTP status for each code, used by the REST API. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  not_connected: 503,
  auth_error: 502,
  tls_error: 502,
  timeout: 504,
  unreachable: 503,
  nats_error: 502,
  unsupported: 501,
  payload_too_large: 413,
  stream_full: 507,
  unauthorized: 401,
  forbidden: 403,
  internal: 500,
};
