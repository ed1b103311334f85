import { JetStreamApiError, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { decodeKvValue, type kvMethods, type KvEntryView } from '../../api/features/kv';
import { ApiError } from '../../api/errors';
import type { ClientScope } from '../clients/client-scope';
import type { ActiveConnection } from '../connections/connection-manager';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';
import { listKeys } from './keys';
import { bucketSummary, entryView, kvStreamName } from './views';
import { KvLiveWatch } from './watch';

/** Live watches one client (a WebSocket, an app window) may run at once. */
export const MAX_WATCHES_PER_CLIENT = 4;
/** The server's error code for an expected-last-sequence mismatch. */
const WRONG_LAST_SEQUENCE = 10071;

interface OwnedWatch {
  watch: KvLiveWatch;
  owner: ClientScope;
  off: () => void;
}

/** Registers the KV feature: buckets, keys, values, history and live watches. */
export function registerKv(core: Core): void {
  const watches = new Map<string, OwnedWatch>();
  const release = (e: OwnedWatch): Promise<void> => {
    if (!watches.delete(e.watch.id)) return Promise.resolve();
    e.off();
    return e.watch.stop();
  };
  const stopAll = () => {
    for (const e of [...watches.values()]) void release(e);
  };
  const watchOf = (watchId: string): KvLiveWatch => {
    const e = watches.get(watchId);
    if (!e) throw new ApiError('not_found', `no KV watch ${watchId} (it ended, or it never started)`);
    return e.watch;
  };
  core.connections.onDisconnected(stopAll);
  core.onDispose(stopAll);

  const ctx = async (): Promise<{ conn: ActiveConnection; jsm: JetStreamManager; kvm: Kvm }> => {
    const conn = core.connections.require();
    return { conn, jsm: await conn.jsm(), kvm: new Kvm(conn.js) };
  };

  /** The bucket's stream info, or a not_found that names the bucket. */
  const info = async (jsm: JetStreamManager, bucket: string) => {
    try {
      return await jsm.streams.info(kvStreamName(bucket));
    } catch (err) {
      if (err instanceof JetStreamApiError && err.status === 404)
        throw new ApiError('not_found', `there is no KV bucket "${bucket}"`);
      throw err;
    }
  };
  /** Opens an existing bucket (checked first: binding alone never asks the server). */
  const open = async (bucket: string): Promise<KV> => {
    const { jsm, kvm } = await ctx();
    await info(jsm, bucket);
    return kvm.open(bucket);
  };
  const missingKey = (bucket: string, key: string, revision?: number) =>
    new ApiError(
      'not_found',
      revision
        ? `key "${key}" has no revision ${revision} in bucket "${bucket}"`
        : `key "${key}" is not in bucket "${bucket}"`,
    );

  const handlers: HandlersFor<typeof kvMethods> = {
    'kv.list': async (input) => {
      const { kvm } = await ctx();
      const q = input?.search?.trim().toLowerCase();
      const buckets = [];
      for await (const st of kvm.list()) {
        const s = bucketSummary(st.streamInfo);
        if (!q || s.bucket.toLowerCase().includes(q)) buckets.push(s);
      }
      buckets.sort((a, b) => a.bucket.localeCompare(b.bucket));
      return { buckets };
    },

    'kv.info': async ({ bucket }) => bucketSummary(await info((await ctx()).jsm, bucket)),

    'kv.create': async (input) => {
      const { jsm, kvm } = await ctx();
      const exists = await jsm.streams.info(kvStreamName(input.bucket)).then(
        () => true,
        (err: unknown) =>
          err instanceof JetStreamApiError && err.status === 404 ? false : Promise.reject(err),
      );
      if (exists) throw new ApiError('conflict', `a KV bucket "${input.bucket}" already exists`);
      await kvm.create(input.bucket, {
        history: input.history,
        ttl: input.ttlMs,
        replicas: input.replicas,
        storage: input.storage === 'memory' ? StorageType.Memory : StorageType.File,
        max_bytes: input.maxBytes,
        maxValueSize: input.maxValueSize,
        ...(input.description ? { description: input.description } : {}),
      });
      core.bus.emit('kv.changed', { bucket: input.bucket, change: 'created' });
      return bucketSummary(await info(jsm, input.bucket));
    },

    'kv.delete': async ({ bucket }) => {
      const { jsm } = await ctx();
      await info(jsm, bucket);
      const deleted = await jsm.streams.delete(kvStreamName(bucket));
      for (const e of [...watches.values()]) if (e.watch.info().bucket === bucket) void release(e);
      core.bus.emit('kv.changed', { bucket, change: 'deleted' });
      return { deleted };
    },

    'kv.keys': async ({ bucket, filter, search, limit }) => {
      const { conn, jsm } = await ctx();
      const si = await info(jsm, bucket);
      const history = si.config.max_msgs_per_subject;
      return listKeys(conn.js, bucket, { filter, search, limit, history });
    },

    'kv.get': async ({ bucket, key, revision }) => {
      const kv = await open(bucket);
      const e = await kv.get(key, revision ? { revision } : undefined);
      if (!e) throw missingKey(bucket, key, revision);
      return entryView(e);
    },

    'kv.put': async ({ bucket, key, value, format, expectRevision }) => {
      const bytes = decodeKvValue(value, format);
      if (typeof bytes === 'string') throw new ApiError('invalid_input', bytes);
      const kv = await open(bucket);
      try {
        const revision =
          expectRevision === undefined
            ? await kv.put(key, bytes)
            : expectRevision === 0
              ? await kv.create(key, bytes)
              : await kv.update(key, bytes, expectRevision);
        return { revision };
      } catch (err) {
        if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) {
          throw new ApiError(
            'conflict',
            expectRevision
              ? `key "${key}" changed since revision ${expectRevision}: reload it and edit again`
              : `key "${key}" already exists`,
            { errCode: err.code },
          );
        }
        throw err;
      }
    },

    'kv.history': async ({ bucket, key, previewBytes }) => {
      const kv = await open(bucket);
      const iter = await kv.history({ key });
      const entries: KvEntryView[] = [];
      // Bounded by the bucket's history (at most 64 revisions per key, plus a delete marker).
      for await (const e of iter) entries.push(entryView(e, previewBytes));
      if (!entries.length) throw missingKey(bucket, key);
      return { entries: entries.reverse() };
    },

    'kv.deleteKey': async ({ bucket, key }) => {
      const kv = await open(bucket);
      if (!(await kv.get(key))) throw missingKey(bucket, key);
      await kv.delete(key);
      return { deleted: true };
    },

    'kv.purgeKey': async ({ bucket, key }) => {
      const kv = await open(bucket);
      if (!(await kv.get(key))) throw missingKey(bucket, key);
      await kv.purge(key);
      return { purged: true };
    },

    'kv.watch.start': async (input, callCtx) => {
      // A watch streams batches to one client as events; it lives as long as that client.
      const owner = callCtx.client;
      if (!owner || owner.closed) {
        throw new ApiError(
          'unsupported',
          'a live watch streams to a connected client: start it from the app or over the WebSocket, not REST',
        );
      }
      const mine = [...watches.values()].filter((e) => e.owner === owner).length;
      if (mine >= MAX_WATCHES_PER_CLIENT) {
        throw new ApiError(
          'conflict',
          `this client already runs ${MAX_WATCHES_PER_CLIENT} KV watches, the most one client may run: stop one first`,
          { limit: MAX_WATCHES_PER_CLIENT },
        );
      }
      const w = new KvLiveWatch(core.bus, input);
      const entry: OwnedWatch = { watch: w, owner, off: () => {} };
      // Counted while it starts, so concurrent starts respect the cap.
      watches.set(w.id, entry);
      try {
        const { conn, jsm } = await ctx();
        await info(jsm, input.bucket);
        await w.start(conn.js);
      } catch (err) {
        watches.delete(w.id);
        void w.stop();
        throw err;
      }
      // Runs at once if the client went away while the watch was starting.
      entry.off = owner.onClose(() => void release(entry));
      return w.info();
    },

    'kv.watch.stop': async ({ watchId }) => {
      const e = watches.get(watchId);
      if (e) await release(e);
      return { stopped: !!e };
    },
    'kv.watch.pause': ({ watchId }) => {
      const w = watchOf(watchId);
      w.pause();
      return w.info();
    },
    'kv.watch.resume': ({ watchId }) => {
      const w = watchOf(watchId);
      w.resume();
      return w.info();
    },
  };
  core.router.register(withApiErrors(handlers));
}
