import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import type { ConsumerSummary, CONSUMER_SORT_KEYS } from '../../api/features/streams';
import { toApiError } from '../errors';
import { consumerSummary } from './views';

const LIST_CONCURRENCY = 8;

/** Consumers of the given streams (CONSUMER.LIST pages per stream, a few streams at a time). */
export async function listConsumers(
  jsm: JetStreamManager,
  streams: string[],
): Promise<{ consumers: ConsumerSummary[]; errors: { stream: string; message: string }[] }> {
  const consumers: ConsumerSummary[] = [];
  const errors: { stream: string; message: string }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < streams.length) {
      const stream = streams[next++];
      try {
        const infos: ConsumerInfo[] = [];
        for await (const ci of jsm.consumers.list(stream)) infos.push(ci);
        consumers.push(...infos.map(consumerSummary));
      } catch (err) {
        errors.push({ stream, message: toApiError(err).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, streams.length) }, worker));
  return { consumers, errors };
}

type SortKey = (typeof CONSUMER_SORT_KEYS)[number];

const SORTERS: Record<SortKey, (a: ConsumerSummary, b: ConsumerSummary) => number> = {
  name: (a, b) => a.name.localeCompare(b.name) || a.stream.localeCompare(b.stream),
  stream: (a, b) => a.stream.localeCompare(b.stream) || a.name.localeCompare(b.name),
  lag: (a, b) => a.lag - b.lag,
  ackPending: (a, b) => a.numAckPending - b.numAckPending,
  redelivered: (a, b) => a.numRedelivered - b.numRedelivered,
  waiting: (a, b) => a.numWaiting - b.numWaiting,
  lastActive: (a, b) => (a.lastActive ?? '').localeCompare(b.lastActive ?? ''),
};

export function sortConsumers(
  list: ConsumerSummary[],
  key: SortKey = 'name',
  order?: 'asc' | 'desc',
): ConsumerSummary[] {
  const dir = (order ?? (key === 'name' || key === 'stream' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
  const cmp = SORTERS[key];
  return [...list].sort((a, b) => dir * cmp(a, b) || a.name.localeCompare(b.name));
}
