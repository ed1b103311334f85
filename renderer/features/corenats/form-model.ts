import {
  corePublishInputSchema,
  coreRequestInputSchema,
  coreSubscribeInputSchema,
  type CorePublishInput,
  type CoreRequestInput,
  type CoreSubscribeInput,
} from '../../../api/features/corenats';
import { fieldErrors, type FormIssue } from '../../ui/form-issues';
import type { HeaderRow } from '../tasks/publish-form-model';

/** The send form (publish or request); every rule comes from the contract's schemas. */
export interface SendFormValues {
  mode: 'publish' | 'request';
  subject: string;
  payload: string;
  encoding: 'text' | 'base64';
  headers: HeaderRow[];
  /** Publish only: the reply subject the receiver sees. */
  reply: string;
  /** Request only. */
  timeoutMs: string;
}

export const INITIAL_SEND_FORM: SendFormValues = {
  mode: 'publish',
  subject: '',
  payload: '',
  encoding: 'text',
  headers: [],
  reply: '',
  timeoutMs: '5000',
};

export type SendField = 'subject' | 'payload' | 'headers' | 'reply' | 'timeoutMs';
export type SendErrors = Partial<Record<SendField, string>>;

export type SendCall =
  { method: 'core.publish'; input: CorePublishInput } | { method: 'core.request'; input: CoreRequestInput };

const FIELD_OF: Record<string, SendField> = {
  subject: 'subject',
  data: 'payload',
  encoding: 'payload',
  headers: 'headers',
  reply: 'reply',
  timeoutMs: 'timeoutMs',
};

/** Issues (local or the server's) on their fields; a header's issue names the header. */
export function sendFieldErrors(issues: readonly FormIssue[]): SendErrors {
  return fieldErrors(
    issues,
    (path) => FIELD_OF[String(path[0])] ?? 'subject',
    (i) =>
      i.path[0] === 'headers' && i.path.length > 1 ? `"${String(i.path[1])}": ${i.message}` : i.message,
  );
}

/** Header rows to the contract's record (repeated names become several values); blank rows skipped. */
export function headerRecord(rows: HeaderRow[]): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const r of rows) {
    if (!r.key.trim() && !r.value.trim()) continue;
    (out[r.key.trim()] ??= []).push(r.value);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Builds the call the form stands for and checks it with the schema the core applies. */
export function validateSendForm(f: SendFormValues): { errors: SendErrors; call?: SendCall } {
  const common = {
    subject: f.subject.trim(),
    data: f.payload,
    encoding: f.encoding,
    headers: headerRecord(f.headers),
  };
  if (f.mode === 'publish') {
    const input = { ...common, ...(f.reply.trim() ? { reply: f.reply.trim() } : {}) };
    const r = corePublishInputSchema.safeParse(input);
    return r.success
      ? { errors: {}, call: { method: 'core.publish', input } }
      : { errors: sendFieldErrors(r.error.issues) };
  }
  const timeout = f.timeoutMs.trim();
  const input = { ...common, timeoutMs: timeout && /^\d+$/.test(timeout) ? Number(timeout) : NaN };
  const r = coreRequestInputSchema.safeParse(input);
  return r.success
    ? { errors: {}, call: { method: 'core.request', input } }
    : { errors: sendFieldErrors(r.error.issues) };
}

export interface SubscribeFormValues {
  subject: string;
  queue: string;
}

/** The subscribe row's input, checked with the contract's schema. */
export function validateSubscribeForm(f: SubscribeFormValues): {
  errors: Partial<Record<'subject' | 'queue', string>>;
  input?: CoreSubscribeInput;
} {
  const input: CoreSubscribeInput = {
    subject: f.subject.trim(),
    ...(f.queue.trim() ? { queue: f.queue.trim() } : {}),
  };
  const r = coreSubscribeInputSchema.safeParse(input);
  if (r.success) return { errors: {}, input };
  return {
    errors: fieldErrors(r.error.issues, (p) => (p[0] === 'queue' ? 'queue' : 'subject')),
  };
}
