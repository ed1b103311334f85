import { z } from 'zod';
import { event, method } from '../define';
import type { MessageBody } from './messages';
import { isValidSubject, subjectSchema } from './streams';

/*
 * Core NATS: publish to any subject with headers, request/reply with a timeout, and live
 * subscriptions (wildcards allowed) that stream batches to the client that started them.
 * A subscription is bounded (newest `bufferSize` kept, the rest counted as dropped), pausable,
 * and ends when its client (socket, window) goes away or the connection closes.
 */

/** A subject to publish or send a request to: wildcards are for subscribing only. */
export const publishSubjectSchema = subjectSchema.refine((s) => !/(^|\.)[*>](\.|$)/.test(s), {
  message: 'publish to a concrete subject: "*" and ">" only match when subscribing',
});

/** Header names: printable ASCII without ":" or spaces; values: one line each. */
const HEADER_NAME = /^[!-9;-~]{1,256}$/;
export const headersInputSchema = z
  .record(
    z.string(),
    z
      .array(
        z
          .string()
          .max(4096)
          .regex(/^[^\r\n]*$/, 'header values are one line each'),
      )
      .min(1)
      .max(32),
  )
  .superRefine((h, ctx) => {
    const names = Object.keys(h);
    if (names.length > 64) ctx.addIssue({ code: 'custom', message: 'at most 64 headers' });
    for (const n of names)
      if (!HEADER_NAME.test(n))
        ctx.addIssue({
          code: 'custom',
          path: [n],
          message: 'header names are 1-256 printable ASCII characters without ":" or spaces',
        });
  });
export type HeadersInput = z.input<typeof headersInputSchema>;

/** `text` is sent as UTF-8; `base64` carries any bytes. */
export const payloadEncodingSchema = z.enum(['text', 'base64']).default('text');
const payloadSchema = z.string().max(8 * 1024 * 1024, 'payload text is at most 8 MiB');

export const corePublishInputSchema = z
  .strictObject({
    subject: publishSubjectSchema,
    data: payloadSchema.default(''),
    encoding: payloadEncodingSchema,
    headers: headersInputSchema.optional(),
    /** Reply subject the receiver sees (no wildcards). */
    reply: publishSubjectSchema.optional(),
  })
  .refine((v) => v.encoding !== 'base64' || /^[A-Za-z0-9+/]*={0,2}$/.test(v.data), {
    message: 'data is not valid base64',
    path: ['data'],
  });
export type CorePublishInput = z.input<typeof corePublishInputSchema>;

export const MAX_REQUEST_TIMEOUT_MS = 60_000;
export const coreRequestInputSchema = z
  .strictObject({
    subject: publishSubjectSchema,
    data: payloadSchema.default(''),
    encoding: payloadEncodingSchema,
    headers: headersInputSchema.optional(),
    timeoutMs: z
      .number()
      .int()
      .min(1)
      .max(MAX_REQUEST_TIMEOUT_MS, `timeout is at most ${MAX_REQUEST_TIMEOUT_MS / 1000} s`)
      .default(5000),
  })
  .refine((v) => v.encoding !== 'base64' || /^[A-Za-z0-9+/]*={0,2}$/.test(v.data), {
    message: 'data is not valid base64',
    path: ['data'],
  });
export type CoreRequestInput = z.input<typeof coreRequestInputSchema>;

/** A message as core NATS delivered it (no sequence: nothing is stored). */
export interface CoreMessage extends MessageBody {
  subject: string;
  reply?: string;
  /** ISO time the core received it. */
  time: string;
}

export interface CoreReply extends CoreMessage {
  /** Round trip of the request, ms. */
  elapsedMs: number;
}

export const MAX_SUBSCRIPTIONS_PER_CLIENT = 8;

export const coreSubscribeInputSchema = z.strictObject({
  /** Wildcards allowed ("orders.*", "orders.>", ">"). */
  subject: subjectSchema,
  /** Join a queue group (the subscription then shares messages with its other members). */
  queue: z
    .string()
    .min(1)
    .max(256)
    .refine((q) => isValidSubject(q) && !/[*>]/.test(q), {
      message: 'a queue group name is one or more tokens without wildcards',
    })
    .optional(),
  /** Most messages held between flushes or while paused; older ones are dropped and counted. */
  bufferSize: z.number().int().min(1).max(10_000).default(1000),
  /** Payload bytes sent per message (the UI shows the rest as truncated). */
  previewBytes: z
    .number()
    .int()
    .min(0)
    .max(64 * 1024)
    .default(4096),
});
export type CoreSubscribeInput = z.input<typeof coreSubscribeInputSchema>;

export type CoreSubscriptionState = 'running' | 'paused' | 'stopped' | 'error';
export interface CoreSubscriptionInfo {
  subId: string;
  subject: string;
  queue?: string;
  state: CoreSubscriptionState;
  bufferSize: number;
  /** Messages received since the start (including dropped ones). */
  received: number;
  /** Messages dropped since the start (buffer full). */
  dropped: number;
  error?: string;
}

export interface CoreBatch {
  subId: string;
  messages: CoreMessage[];
  /** Messages dropped since the previous batch because the buffer was full. */
  dropped: number;
  /** Messages received since the start, at this batch. */
  received: number;
}

const subRef = z.strictObject({ subId: z.string().min(1).max(64) });

export const coreNatsMethods = {
  /** Publishes one message (fire and forget; flushed so errors such as permissions surface). */
  'core.publish': method(corePublishInputSchema).returns<{ subject: string; bytes: number }>(),
  /** Sends a request and waits for the first reply; no responders and timeouts are errors. */
  'core.request': method(coreRequestInputSchema).returns<CoreReply>(),
  /** Starts a live subscription owned by the calling client (app window or WebSocket; not REST). */
  'core.subscribe': method(coreSubscribeInputSchema).returns<CoreSubscriptionInfo>(),
  'core.pause': method(subRef).returns<CoreSubscriptionInfo>(),
  'core.resume': method(subRef).returns<CoreSubscriptionInfo>(),
  'core.unsubscribe': method(subRef).returns<{ stopped: boolean }>(),
  'core.subscriptions': method(z.strictObject({}).optional()).returns<{
    subscriptions: CoreSubscriptionInfo[];
  }>(),
};

export const coreNatsEvents = {
  /** Subscription batches, at most one per subscription every 100 ms. */
  'core.messages': event<CoreBatch>(),
  'core.subscription.state': event<CoreSubscriptionInfo>(),
};
