import { JetStreamApiError } from '@nats-io/jetstream';
import { bucketExists } from '../../nats/kv-bucket';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import {
  savedViewInputSchema,
  VIEWS_BUCKET,
  type SavedView,
  type SavedViewDef,
  type ViewFilterOf,
  type ViewScreen,
  type viewsMethods,
} from '../../api/features/views';
import { ApiError } from '../../api/errors';
import { TASKS_STREAM } from '../../api/task-wire';
import type { Core } from '../core';
import type { HandlersFor } from '../router';
import { withApiErrors } from '../streams/api-errors';

/** Revisions kept per view (an overwritten view can be looked up in the KV screen). */
const VIEW_HISTORY = 5;
/** Most views read per list: far more than a team saves; the rest are ignored, not buffered. */
const MAX_VIEWS = 1000;
/** The server's error code for an expected-last-sequence mismatch. */
const WRONG_LAST_SEQUENCE = 10071;

const keyOf = (screen: ViewScreen, name: string) => `${screen}.${name}`;

/** Saved views, kept in the `jetdeck_views` KV bucket: JetStream holds them, every JetDeck shares them. */
export class ViewsService {
  constructor(private readonly core: Core) {}

  /** The bucket, or undefined when no view was ever saved (reads never create it). */
  private async bucket(create: boolean): Promise<KV | undefined> {
    const conn = this.core.connections.require();
    const jsm = await conn.jsm();
    const kvm = new Kvm(conn.js);
    if (await bucketExists(jsm, VIEWS_BUCKET)) return kvm.open(VIEWS_BUCKET);
    if (!create) return undefined;
    // Where the task queue is replicated, so are the team's views.
    const tasks = await jsm.streams.info(TASKS_STREAM).catch(() => undefined);
    return kvm.create(VIEWS_BUCKET, {
      history: VIEW_HISTORY,
      replicas: tasks?.config.num_replicas ?? 1,
      description: 'JetDeck saved views (filters of Tasks, Dead letters and Messages)',
    });
  }

  async list(screen?: ViewScreen): Promise<SavedView[]> {
    const kv = await this.bucket(false);
    if (!kv) return [];
    const keys: string[] = [];
    const iter = await kv.keys(screen ? `${screen}.*` : '>');
    for await (const k of iter) {
      keys.push(k);
      if (keys.length >= MAX_VIEWS) {
        iter.stop();
        break;
      }
    }
    const entries = await Promise.all(keys.map((k) => kv.get(k)));
    return entries
      .flatMap((e) => (e ? [toView(e)] : []))
      .flatMap((v) => (v ? [v] : []))
      .sort((a, b) => a.screen.localeCompare(b.screen) || a.name.localeCompare(b.name));
  }

  async get(screen: ViewScreen, name: string): Promise<SavedView> {
    const kv = await this.bucket(false);
    const e = kv ? await kv.get(keyOf(screen, name)) : null;
    const v = e && toView(e);
    if (!v) throw new ApiError('not_found', `there is no saved ${screenLabel(screen)} view "${name}"`);
    return v;
  }

  /** The filter of a view of `screen` (for REST's `?view=`). */
  async filter<S extends ViewScreen>(screen: S, name: string): Promise<ViewFilterOf<S>> {
    return (await this.get(screen, name)).filter as ViewFilterOf<S>;
  }

  async save(view: SavedViewDef, expectRevision?: number): Promise<SavedView> {
    const kv = (await this.bucket(true))!;
    const key = keyOf(view.screen, view.name);
    const stored = { ...view, updated_at: new Date().toISOString() };
    const data = JSON.stringify(stored);
    let revision: number;
    try {
      revision =
        expectRevision === undefined
          ? await kv.put(key, data)
          : expectRevision === 0
            ? await kv.create(key, data)
            : await kv.update(key, data, expectRevision);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === WRONG_LAST_SEQUENCE) {
        throw new ApiError(
          'conflict',
          expectRevision
            ? `view "${view.name}" was changed by someone else since you loaded it`
            : `a ${screenLabel(view.screen)} view named "${view.name}" already exists`,
        );
      }
      throw err;
    }
    this.core.bus.emit('views.changed', { screen: view.screen, name: view.name, change: 'saved' });
    return { ...stored, revision };
  }

  async delete(screen: ViewScreen, name: string): Promise<boolean> {
    const kv = await this.bucket(false);
    const e = kv ? await kv.get(keyOf(screen, name)) : null;
    if (!kv || !e || e.operation !== 'PUT') return false;
    await kv.delete(keyOf(screen, name));
    this.core.bus.emit('views.changed', { screen, name, change: 'deleted' });
    return true;
  }
}

/** A stored view, checked against today's schema: one another tool wrote badly is skipped, not served. */
function toView(e: KvEntry): SavedView | undefined {
  if (e.operation !== 'PUT') return undefined;
  let raw: unknown;
  try {
    raw = e.json();
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const { updated_at: at, ...def } = raw as { updated_at?: unknown };
  const r = savedViewInputSchema.safeParse(def);
  if (!r.success) return undefined;
  return {
    ...r.data,
    updated_at: typeof at === 'string' ? at : e.created.toISOString(),
    revision: e.revision,
  };
}

function screenLabel(s: ViewScreen): string {
  return s === 'deadLetters' ? 'dead-letter' : s === 'tasks' ? 'task' : 'message';
}

/** Registers the views contract methods; returns the service (REST resolves `?view=` with it). */
export function registerViews(core: Core): ViewsService {
  const svc = new ViewsService(core);
  const handlers: HandlersFor<typeof viewsMethods> = {
    'views.list': async (input) => ({ views: await svc.list(input?.screen) }),
    'views.get': ({ screen, name }) => svc.get(screen, name),
    'views.save': ({ view, expectRevision }) => svc.save(view, expectRevision),
    'views.delete': async ({ screen, name }) => ({ deleted: await svc.delete(screen, name) }),
  };
  core.router.register(withApiErrors(handlers));
  return svc;
}
