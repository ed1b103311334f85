import type { RequestMux } from './request-mux';

/** The parts of the server's StreamInfo / ConsumerInfo JSON the sampler and health checks read. */
export interface RawStreamInfo {
  config: { name: string; max_msgs?: number; max_bytes?: number; num_replicas?: number; retention?: string };
  state: {
    messages: number;
    bytes: number;
    first_seq: number;
    last_seq: number;
    consumer_count: number;
  };
  cluster?: {
    leader?: string;
    replicas?: { name: string; current: boolean; offline?: boolean; lag?: number; active?: number }[];
  };
}
export interface RawConsumerInfo {
  stream_name: string;
  name: string;
  config: { durable_name?: string; max_ack_pending?: number; max_deliver?: number };
  delivered: { consumer_seq: number; stream_seq: number };
  ack_floor: { consumer_seq: number; stream_seq: number; last_active?: string };
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  num_pending: number;
}

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
    if (page.error) throw new Error(`${subject}: ${page.error.description}`);
    const items = (page[field] as T[] | null) ?? [];
    out.push(...items);
    offset += items.length;
    if (items.length === 0 || offset >= page.total) return out;
  }
}
