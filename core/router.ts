import {
  isMethodName,
  methods,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
} from '../api/contract';
import type { CallResult } from '../api/client';
import { capDepth, exceedsDepth, MAX_INPUT_DEPTH } from '../api/depth';
import { ApiError } from '../api/errors';
import type { ClientScope } from './clients/client-scope';
import { toApiError } from './errors';

/** Who is calling; transports fill it (for logs and per-origin decisions). */
export interface CallContext {
  transport: 'ipc' | 'ws' | 'rest' | 'test';
  /**
   * The connected client behind the call (a WebSocket, an Electron window), which owns what
   * the call starts (live tails); absent for one-shot callers such as REST.
   */
  client?: ClientScope;
}

export type Handler<N extends MethodName> = (
  input: MethodParsedInput<N>,
  ctx: CallContext,
) => Promise<MethodOutput<N>> | MethodOutput<N>;

/** A feature's handlers: exactly one per method of its slice of the contract. */
export type HandlersFor<M> = { [N in keyof M & MethodName]: Handler<N> };

/**
 * Validates input at the boundary with the method's zod schema, runs the handler and
 * returns a CallResult; errors become envelopes, so transports never see a raw throw.
 */
export class Router {
  private readonly handlers = new Map<string, Handler<MethodName>>();

  register(handlers: Partial<{ [N in MethodName]: Handler<N> }>): void {
    for (const [name, h] of Object.entries(handlers)) {
      if (this.handlers.has(name)) throw new Error(`handler for ${name} registered twice`);
      this.handlers.set(name, h as Handler<MethodName>);
    }
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  /** Throws ApiError; for in-process callers (REST handlers, tests). */
  async invoke<N extends MethodName>(name: N, input: unknown, ctx: CallContext): Promise<MethodOutput<N>> {
    if (typeof name !== 'string' || !isMethodName(name)) {
      throw new ApiError('not_found', `unknown method ${String(name)}`);
    }
    const handler = this.handlers.get(name);
    if (!handler) throw new ApiError('unsupported', `method ${name} is not available in this build`);
    if (exceedsDepth(input, MAX_INPUT_DEPTH)) {
      throw new ApiError('invalid_input', `input is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    }
    const parsed = methods[name].input.safeParse(input);
    if (!parsed.success) throw toApiError(parsed.error);
    try {
      // Data other NATS clients wrote (task payloads) may be too deep to serialize: capped, not a 500.
      return capDepth(await handler(parsed.data as never, ctx)) as MethodOutput<N>;
    } catch (err) {
      throw toApiError(err);
    }
  }

  async dispatch(name: string, input: unknown, ctx: CallContext): Promise<CallResult> {
    try {
      const result = await this.invoke(name as MethodName, input, ctx);
      return { ok: true, result: result === undefined ? null : result };
    } catch (err) {
      return { ok: false, error: toApiError(err).toEnvelope() };
    }
  }
}
