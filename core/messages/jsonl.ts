import { z } from 'zod';
import { isValidSubject } from '../../api/features/streams';
import { ApiError } from '../../api/errors';
import { formatZodError, jsonErrorMessage } from '../errors';
import { isUtf8Text, type RawMsg } from './format';

/*
 * JSON Lines export/import: one message per line,
 * {subject, seq, time, headers?, data (utf8 text) | data_b64 (anything else)}.
 */

export function toJsonLine(m: RawMsg): string {
  const text = isUtf8Text(m.data);
  const buf = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  return JSON.stringify({
    subject: m.subject,
    seq: m.seq,
    time: new Date(m.timeMs).toISOString(),
    ...(m.headers ? { headers: m.headers } : {}),
    ...(text ? { data: buf.toString('utf8') } : { data_b64: buf.toString('base64') }),
  });
}

const lineSchema = z
  .object({
    subject: z.string().refine((s) => isValidSubject(s) && !/[*>]/.test(s), {
      message: 'subject must be a valid subject without wildcards',
    }),
    seq: z.number().int().nonnegative().optional(),
    time: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'time must be an ISO date-time' })
      .optional(),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    data: z.string().optional(),
    data_b64: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data_b64 must be base64')
      .optional(),
  })
  .refine((l) => !(l.data !== undefined && l.data_b64 !== undefined), {
    message: 'give data or data_b64, not both',
  });

export interface ParsedLine extends RawMsg {
  line: number;
}

const MAX_REPORTED = 20;

/** Parses and validates every line; throws invalid_input listing the bad lines by number. */
export function parseJsonLines(content: string): ParsedLine[] {
  const out: ParsedLine[] = [];
  const errors: { line: number; message: string }[] = [];
  let errorCount = 0;
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (!text) continue;
    const lineNo = i + 1;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      errorCount++;
      if (errors.length < MAX_REPORTED)
        errors.push({ line: lineNo, message: `not JSON (${jsonErrorMessage(err)})` });
      continue;
    }
    const r = lineSchema.safeParse(json);
    if (!r.success) {
      errorCount++;
      if (errors.length < MAX_REPORTED) errors.push({ line: lineNo, message: formatZodError(r.error) });
      continue;
    }
    const l = r.data;
    const headers = l.headers
      ? Object.fromEntries(Object.entries(l.headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]))
      : undefined;
    const data =
      l.data_b64 !== undefined ? Buffer.from(l.data_b64, 'base64') : Buffer.from(l.data ?? '', 'utf8');
    out.push({
      line: lineNo,
      seq: l.seq ?? 0,
      subject: l.subject,
      timeMs: l.time ? Date.parse(l.time) : 0,
      headers,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
  }
  if (errors.length) {
    const more = errorCount > errors.length ? ` (and ${errorCount - errors.length} more)` : '';
    throw new ApiError(
      'invalid_input',
      `${errorCount} invalid line(s)${more}: ${errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`,
      { errors, errorCount },
    );
  }
  if (out.length === 0) throw new ApiError('invalid_input', 'no messages to import (empty content)');
  return out;
}
