import type { z } from 'zod';

/** One API method: a zod schema for its input and (phantom) output type. */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  /** Never set at runtime; carries the output type. */
  readonly __output?: O;
}

/** One event topic: carries only its payload type. */
export interface EventSpec<P = unknown> {
  readonly __payload?: P;
}

/** `method(schema).returns<Output>()` declares a method once for every transport. */
export function method<I extends z.ZodType>(input: I) {
  return {
    returns<O>(): MethodSpec<I, O> {
      return { input };
    },
  };
}

export function event<P>(): EventSpec<P> {
  return {};
}
