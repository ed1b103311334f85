import type { RawConsumerInfo, RawStreamInfo } from '../../nats/metrics/inputs';
import { ApiError } from '../../api/errors';
import type { RequestMux } from './request-mux';

interface Page {
  total: number;
  offset: number;
  limit: number;
  error?: { code: number; description: string };
}

/**
 * Lists streams and consumers with full info by pages (256 per request), not one INFO call per
 * object: 50 streams and 200 consumers cost 1 + (streams with consumers) requests per sample.
 */
export async function listStreams(mux: RequestMux): Promise<RawStreamInfo[]> {
  return listAll<RawStreamInfo>(mux, `${mux.jsApi}.STREAM.LIST`, 'streams');
}

export async function listConsumers(mux: RequestMux, stream: string): Promise<RawConsumerInfo[]> {
  return listAll<RawConsumerInfo>(mux, `${mux.jsApi}.CONSUMER.LIST.${stream}`, 'consumers');
}

async function listAll<T>(mux: RequestMux, subject: string, field: string): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ;) {
    const page = await mux.request<Page & Record<string, unknown>>(subject, { offset });
    if (page.error) throw new ApiError('nats_error', `${subject}: ${page.error.description}`, page.error);
    const items = (page[field] as T[] | null) ?? [];
    out.push(...items);
    offset += items.length;
    if (items.length === 0 || offset >= page.total) return out;
  }
}
