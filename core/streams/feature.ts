import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsumerConfig, JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import type {
  BackupInfo,
  CapabilityName,
  streamsMethods,
  StreamConfigJson,
  StreamDetail,
  StreamSummary,
  STREAM_SORT_KEYS,
} from '../../api/features/streams';
import { ApiError } from '../../api/errors';
import type { ActiveConnection } from '../connections/connection-manager';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from './api-errors';
import {
  BACKUP_DATA,
  BACKUP_META,
  backupStream,
  readBackupMeta,
  restoreStream,
  type BackupResult,
} from './backup';
import {
  CONSUMER_FIELD_CAPABILITY,
  STREAM_FIELD_CAPABILITY,
  capability,
  consumerCapabilities,
  serverCapabilities,
  unsupportedFields,
} from './capabilities';
import { diffConfigs, mergeConfig } from './config-diff';
import { listConsumers, sortConsumers } from './consumers';
import { RateSampler } from './rates';
import { consumerSummary, sourceView, streamSummary } from './views';

/** Per-subject counts beyond this many subjects are cut off (the UI narrows the filter). */
const MAX_SUBJECT_COUNTS = 10_000;

type StreamSortKey = (typeof STREAM_SORT_KEYS)[number];
const STREAM_SORTERS: Record<StreamSortKey, (a: StreamSummary, b: StreamSummary) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  messages: (a, b) => a.messages - b.messages,
  bytes: (a, b) => a.bytes - b.bytes,
  consumers: (a, b) => a.consumers - b.consumers,
  lastTime: (a, b) => (a.lastTime ?? '').localeCompare(b.lastTime ?? ''),
};

export async function listAllStreams(jsm: JetStreamManager): Promise<StreamInfo[]> {
  const out: StreamInfo[] = [];
  // The lister reads STREAM.LIST in the server's pages (256 streams with full info each).
  for await (const si of jsm.streams.list()) out.push(si);
  return out;
}

function matchesSearch(s: StreamSummary, q: string): boolean {
  return (
    s.name.toLowerCase().includes(q) ||
    s.subjects.some((x) => x.toLowerCase().includes(q)) ||
    !!s.description?.toLowerCase().includes(q)
  );
}

/** Registers the streams feature's handlers and hooks. */
export function registerStreams(core: Core): void {
  const rates = new RateSampler(core);
  core.onDispose(() => rates.stop());
  core.connections.onDisconnected(() => rates.reset());

  const ctx = async (): Promise<{ conn: ActiveConnection; jsm: JetStreamManager }> => {
    const conn = core.connections.require();
    return { conn, jsm: await conn.jsm() };
  };

  async function detail(
    conn: ActiveConnection,
    jsm: JetStreamManager,
    name: string,
    subjectsFilter?: string,
  ): Promise<StreamDetail> {
    const si = await jsm.streams.info(name, subjectsFilter ? { subjects_filter: subjectsFilter } : undefined);
    const summary = streamSummary(si, rates.rate(name));
    const counts = si.state.subjects;
    let subjectsCounts: StreamDetail['subjects_counts'];
    if (subjectsFilter) {
      const entries = Object.entries(counts ?? {});
      const truncated = entries.length > MAX_SUBJECT_COUNTS || (si.total ?? 0) > entries.length;
      entries.sort((a, b) => b[1] - a[1]);
      const kept = entries.slice(0, MAX_SUBJECT_COUNTS);
      subjectsCounts = {
        filter: subjectsFilter,
        counts: Object.fromEntries(kept),
        total: entries.reduce((n, [, c]) => n + c, 0),
        truncated,
      };
    }
    const cfg = si.config;
    return {
      ...summary,
      config: cfg as unknown as StreamConfigJson,
      subjects_counts: subjectsCounts,
      numSubjects: si.state.num_subjects,
      mirror: si.mirror ? sourceView(si.mirror, cfg.mirror?.filter_subject) : undefined,
      sources: (si.sources ?? []).map((s) =>
        sourceView(s, cfg.sources?.find((c) => c.name === s.name)?.filter_subject),
      ),
      capabilities: serverCapabilities(conn),
    };
  }

  function checkVersionGated(
    conn: ActiveConnection,
    config: Record<string, unknown>,
    table: Record<string, CapabilityName>,
  ): void {
    const problems = unsupportedFields(conn, config, table);
    if (problems.length) throw new ApiError('unsupported', problems.join('; '), { problems });
  }

  const handlers: HandlersFor<typeof streamsMethods> = {
    'streams.capabilities': async () => serverCapabilities((await ctx()).conn),

    'streams.list': async (input) => {
      const { conn, jsm } = await ctx();
      const infos = await listAllStreams(jsm);
      if (rates.watching) rates.record(infos);
      let list = infos.map((si) => streamSummary(si, rates.rate(si.config.name)));
      const accountTotal = list.length;
      const q = input?.search?.trim().toLowerCase();
      if (q) list = list.filter((s) => matchesSearch(s, q));
      const key = input?.sort ?? 'name';
      const dir = (input?.order ?? (key === 'name' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
      list.sort((a, b) => dir * STREAM_SORTERS[key](a, b) || a.name.localeCompare(b.name));
      const offset = input?.offset ?? 0;
      const limit = input?.limit ?? list.length;
      return {
        streams: list.slice(offset, offset + limit),
        total: list.length,
        accountTotal,
        capabilities: serverCapabilities(conn),
      };
    },

    'streams.info': async ({ name, subjectsFilter }) => {
      const { conn, jsm } = await ctx();
      return detail(conn, jsm, name, subjectsFilter);
    },

    'streams.create': async ({ config }) => {
      const { conn, jsm } = await ctx();
      checkVersionGated(conn, config, STREAM_FIELD_CAPABILITY);
      await jsm.streams.add(config as unknown as StreamConfig);
      core.bus.emit('streams.changed', { name: config.name, change: 'created' });
      return detail(conn, jsm, config.name);
    },

    'streams.diff': async ({ config }) => {
      const { conn, jsm } = await ctx();
      const current = (await jsm.streams.info(config.name)).config as unknown as Record<string, unknown>;
      const merged = mergeConfig(current, config);
      const changes = diffConfigs(current, merged);
      const problems = [
        ...changes.filter((c) => c.immutable).map((c) => `${c.path} cannot be changed on an existing stream`),
        ...unsupportedFields(
          conn,
          Object.fromEntries(changes.map((c) => [c.path.split('.')[0], merged[c.path.split('.')[0]]])),
          STREAM_FIELD_CAPABILITY,
        ),
      ];
      return { name: config.name, changes, merged: merged as StreamConfigJson, problems };
    },

    'streams.update': async ({ config }) => {
      const { conn, jsm } = await ctx();
      const current = (await jsm.streams.info(config.name)).config as unknown as Record<string, unknown>;
      const merged = mergeConfig(current, config);
      const changed = Object.fromEntries(
        diffConfigs(current, merged).map((c) => [c.path.split('.')[0], merged[c.path.split('.')[0]]]),
      );
      checkVersionGated(conn, changed, STREAM_FIELD_CAPABILITY);
      await jsm.streams.update(config.name, merged as unknown as StreamConfig);
      core.bus.emit('streams.changed', { name: config.name, change: 'updated' });
      return detail(conn, jsm, config.name);
    },

    'streams.purge': async (input) => {
      const { jsm } = await ctx();
      let res;
      switch (input.mode) {
        case 'all':
          res = await jsm.streams.purge(input.name);
          break;
        case 'subject':
          res = await jsm.streams.purge(input.name, { filter: input.subject });
          break;
        case 'upToSeq':
          res = await jsm.streams.purge(input.name, {
            seq: input.seq,
            ...(input.subject ? { filter: input.subject } : {}),
          });
          break;
        case 'keep':
          res = await jsm.streams.purge(input.name, {
            keep: input.keep,
            ...(input.subject ? { filter: input.subject } : {}),
          });
          break;
      }
      core.bus.emit('streams.changed', { name: input.name, change: 'purged' });
      return { purged: res.purged };
    },

    'streams.backup': async ({ stream, name }) => {
      const { conn } = await ctx();
      const folder = name ?? `${stream}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const dir = join(backupsDir(core), folder);
      if (existsSync(dir)) throw new ApiError('conflict', `a backup named "${folder}" already exists`);
      const r = await backupStream(conn.nc, stream, dir, (p) =>
        core.bus.emit('streams.backupProgress', { ...p, name: folder }),
      );
      return backupInfo(folder, r);
    },
    'streams.restore': async ({ name }) => {
      const { conn, jsm } = await ctx();
      const dir = join(backupsDir(core), name);
      if (!existsSync(dir)) throw new ApiError('not_found', `no backup named "${name}"`);
      const r = await restoreStream(conn.nc, dir, (p) =>
        core.bus.emit('streams.backupProgress', { ...p, name }),
      );
      await jsm.streams.info(r.stream); // the restored stream is there before we say so
      core.bus.emit('streams.changed', { name: r.stream, change: 'created' });
      return backupInfo(name, r);
    },
    'streams.backups': () => {
      const dir = backupsDir(core);
      const backups = (existsSync(dir) ? readdirSync(dir) : []).flatMap((name) => {
        try {
          const meta = readBackupMeta(join(dir, name));
          const at = statSync(join(dir, name, BACKUP_META)).mtime;
          return [
            {
              name,
              stream: meta.config.name,
              messages: meta.state.messages,
              lastSeq: meta.state.last_seq,
              consumers: meta.state.consumer_count,
              bytes: statSync(join(dir, name, BACKUP_DATA)).size,
              at: at.toISOString(),
            },
          ];
        } catch {
          return []; // not a backup (or an unfinished one): not listed
        }
      });
      backups.sort((a, b) => b.at.localeCompare(a.at));
      return { dir, backups };
    },

    'streams.delete': async ({ name }) => {
      const { jsm } = await ctx();
      const deleted = await jsm.streams.delete(name);
      core.bus.emit('streams.changed', { name, change: 'deleted' });
      return { deleted };
    },

    'streams.watch': (input) => rates.watch(input?.watchId, input?.ttlMs),
    'streams.unwatch': ({ watchId }) => ({ stopped: rates.unwatch(watchId) }),

    'consumers.list': async (input) => {
      const { conn, jsm } = await ctx();
      const streams = input?.stream ? [input.stream] : (await listAllStreams(jsm)).map((s) => s.config.name);
      const { consumers, errors } = await listConsumers(jsm, streams);
      if (input?.stream && errors.length) throw new ApiError('not_found', errors[0].message);
      const q = input?.search?.trim().toLowerCase();
      const filtered = q
        ? consumers.filter((c) => c.name.toLowerCase().includes(q) || c.stream.toLowerCase().includes(q))
        : consumers;
      return {
        consumers: sortConsumers(filtered, input?.sort, input?.order),
        total: filtered.length,
        capabilities: consumerCapabilities(conn),
        errors,
      };
    },

    'consumers.info': async ({ stream, name }) => {
      const { conn, jsm } = await ctx();
      return {
        ...consumerSummary(await jsm.consumers.info(stream, name)),
        capabilities: consumerCapabilities(conn),
      };
    },

    'consumers.create': async ({ stream, config }) => {
      const { conn, jsm } = await ctx();
      checkVersionGated(conn, config, CONSUMER_FIELD_CAPABILITY);
      const ci = await jsm.consumers.add(stream, config as unknown as Partial<ConsumerConfig>);
      return consumerSummary(ci);
    },

    'consumers.update': async ({ stream, name, config }) => {
      const { conn, jsm } = await ctx();
      checkVersionGated(conn, config, CONSUMER_FIELD_CAPABILITY);
      const current = (await jsm.consumers.info(stream, name)).config as unknown as Record<string, unknown>;
      const merged = mergeConfig(current, config);
      // The update API takes the mutable fields; identity fields are rejected if they differ.
      const ci = await jsm.consumers.update(stream, name, merged as never);
      return consumerSummary(ci);
    },

    'consumers.delete': async ({ stream, name }) => {
      const { jsm } = await ctx();
      return { deleted: await jsm.consumers.delete(stream, name) };
    },

    'consumers.pause': async ({ stream, name, until }) => {
      const { conn, jsm } = await ctx();
      requireCapability(conn, 'consumerPause');
      const at = new Date(until);
      if (at.getTime() <= Date.now()) throw new ApiError('invalid_input', 'until must be in the future');
      const r = (await jsm.consumers.pause(stream, name, at)) as { paused?: boolean; pause_until?: string };
      return { paused: !!r.paused, pauseUntil: r.pause_until };
    },

    'consumers.resume': async ({ stream, name }) => {
      const { conn, jsm } = await ctx();
      requireCapability(conn, 'consumerPause');
      const r = (await jsm.consumers.resume(stream, name)) as { paused?: boolean };
      return { paused: !!r.paused };
    },

    'consumers.reset': async ({ stream, name, seq }) => {
      const { conn, jsm } = await ctx();
      requireCapability(conn, 'consumerReset');
      await jsm.consumers.reset(stream, name, seq);
      return consumerSummary(await jsm.consumers.info(stream, name));
    },
  };
  core.router.register(withApiErrors(handlers));
}

function requireCapability(conn: ActiveConnection, name: 'consumerPause' | 'consumerReset'): void {
  const c = capability(conn, name);
  if (!c.supported)
    throw new ApiError('unsupported', c.reason ?? `${name} is not supported`, {
      capability: name,
      minVersion: c.minVersion,
    });
}

/** Backups the API may read and write: `<data folder>/backups` only (no caller-given paths). */
function backupsDir(core: Core): string {
  return join(core.dataDir, 'backups');
}

function backupInfo(name: string, r: BackupResult): BackupInfo {
  return {
    name,
    stream: r.stream,
    messages: r.messages,
    lastSeq: r.lastSeq,
    consumers: r.consumers,
    bytes: r.bytes,
    at: new Date().toISOString(),
  };
}
