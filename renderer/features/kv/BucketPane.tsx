import { useEffect, useState } from 'react';
import { api } from '../../api';
import { isValidKvFilter, type KvBucketSummary } from '../../../api/features/kv';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { Icon } from '../../ui/Icon';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { formatAgo, formatBytes, formatCount } from '../../ui/format';
import { errorMessage, formatLimit, formatTime } from '../streams/format';
import { toastError, toastInfo } from '../toasts/store';
import { useKeys, useLiveWatch } from './hooks';
import { KeyDrawer } from './KeyDrawer';
import { formatTtl } from './model';
import { useKv } from './store';
import { SearchBox } from '../../ui/SearchBox';

/** The open bucket: its limits, keys (filter, search), live changes and admin actions. */
export function BucketPane({ b, onChanged }: { b: KvBucketSummary; onChanged: () => void }) {
  const filter = useKv((s) => s.filter);
  const search = useKv((s) => s.search);
  const keys = useKv((s) => s.keys);
  const keysError = useKv((s) => s.keysError);
  const set = useKv((s) => s.set);
  const { reload } = useKeys(b.bucket);
  const [live, setLive] = useState(false);
  // The watch follows the filter of the listing shown (debounced, and already checked by the server).
  useLiveWatch(b.bucket, keys?.filter ?? '>', live);
  const [open, setOpen] = useState<{ key?: string }>();
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const filterBad = filter.trim() !== '' && !isValidKvFilter(filter.trim());
  // Live changes move the bucket's counts too: refresh them a second after the last one.
  const liveCount = useKv((s) => s.live.length + s.liveDropped);
  useEffect(() => {
    if (!liveCount) return;
    const t = setTimeout(onChanged, 1000);
    return () => clearTimeout(t);
  }, [liveCount, onChanged]);

  const remove = async () => {
    setBusy(true);
    try {
      await api.call('kv.delete', { bucket: b.bucket, confirmName: b.bucket });
      toastInfo('Bucket deleted', b.bucket);
      setDeleting(false);
    } catch (err) {
      toastError(`Could not delete ${b.bucket}`, err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="kv-pane" data-testid="kv-bucket-pane" data-bucket={b.bucket}>
      <div className="card-head">
        <h2 className="kv-title">{b.bucket}</h2>
        <div className="actions">
          <button className="btn" onClick={reload} data-testid="kv-keys-refresh">
            Refresh
          </button>
          <button className="btn primary" onClick={() => setOpen({})} data-testid="kv-new-key">
            <Icon name="plus" size={14} /> New key
          </button>
          <button
            className="btn danger-ghost"
            onClick={() => setDeleting(true)}
            data-testid="kv-delete-bucket"
          >
            Delete bucket…
          </button>
        </div>
      </div>
      {b.description && <p className="muted">{b.description}</p>}
      <dl className="kv-facts" data-testid="kv-bucket-facts">
        <div>
          <dt>Keys</dt>
          <dd>{formatCount(b.keys)}</dd>
        </div>
        <div>
          <dt>Values</dt>
          <dd>{formatCount(b.values)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(b.bytes)}</dd>
        </div>
        <div>
          <dt>History</dt>
          <dd>{b.history}</dd>
        </div>
        <div>
          <dt>TTL</dt>
          <dd>{formatTtl(b.ttlMs)}</dd>
        </div>
        <div>
          <dt>Replicas</dt>
          <dd title={b.cluster?.leader ? `leader ${b.cluster.leader}` : undefined}>R{b.replicas}</dd>
        </div>
        <div>
          <dt>Storage</dt>
          <dd>{b.storage}</dd>
        </div>
        <div>
          <dt>Max value</dt>
          <dd>{formatLimit(b.maxValueSize, formatBytes)}</dd>
        </div>
      </dl>
      <div className="toolbar">
        <label className="search kv-filter">
          <span className="muted small">Keys</span>
          <input
            type="text"
            className="mono"
            placeholder="> (all) · users.* · orders.>"
            value={filter}
            onChange={(e) => set({ filter: e.target.value })}
            aria-label="Key filter (wildcards)"
            aria-invalid={filterBad}
            data-testid="kv-filter"
          />
        </label>
        <SearchBox
          value={search}
          onValue={(v) => set({ search: v })}
          placeholder="Key contains"
          testId="kv-search"
        />
        <label className="check">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => setLive(e.target.checked)}
            data-testid="kv-live"
          />
          Live
        </label>
      </div>
      {filterBad && (
        <p className="error-text small" role="alert">
          A filter is a key where * replaces a token and &gt; the last tokens.
        </p>
      )}
      <div className={`kv-body${live ? ' with-live' : ''}`}>
        <div className="kv-keys">
          {keysError !== undefined && !keys ? (
            <ErrorState title="Could not list keys" message={errorMessage(keysError)} onRetry={reload} />
          ) : !keys ? (
            <Skeleton rows={5} />
          ) : keys.keys.length === 0 ? (
            <EmptyState title={filter || search ? 'No key matches' : 'No keys yet'} testId="kv-keys-empty">
              <p>{filter || search ? 'Try another filter.' : 'Write one with “New key”.'}</p>
            </EmptyState>
          ) : (
            <>
              <div className="table-wrap">
                <table className="data-table" data-testid="kv-keys">
                  <thead>
                    <tr>
                      <th>Key</th>
                      <th className="num">Revision</th>
                      <th className="num">Size</th>
                      <th>Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {keys.keys.map((k) => (
                      <tr
                        key={k.key}
                        className={`clickable${k.operation !== 'PUT' ? ' kv-gone' : ''}`}
                        onClick={() => setOpen({ key: k.key })}
                        onKeyDown={(e) => e.key === 'Enter' && setOpen({ key: k.key })}
                        tabIndex={0}
                        data-testid="kv-key-row"
                        data-key={k.key}
                      >
                        <td className="mono kv-key">
                          {k.key}
                          {k.operation !== 'PUT' && (
                            <span className="badge">{k.operation === 'DEL' ? 'deleted' : 'purged'}</span>
                          )}
                        </td>
                        <td className="num">{k.revision}</td>
                        <td className="num">{k.operation === 'PUT' ? formatBytes(k.length) : '—'}</td>
                        <td title={formatTime(k.created)}>{formatAgo(k.created)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="muted small" data-testid="kv-keys-count">
                {formatCount(keys.keys.length)} key(s)
                {keys.truncated && ' · showing the first 1,000: narrow the filter to see the rest'}
              </p>
            </>
          )}
        </div>
        {live && <LiveFeed onOpen={(key) => setOpen({ key })} />}
      </div>
      {open && (
        <KeyDrawer
          bucket={b.bucket}
          keyName={open.key}
          onClose={() => setOpen(undefined)}
          onChanged={() => {
            reload();
            onChanged();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete bucket ${b.bucket}`}
          confirmLabel="Delete bucket"
          requireText={b.bucket}
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setDeleting(false)}
          testId="kv-delete-bucket-dialog"
        >
          <p>
            Deletes <b>{b.bucket}</b> with its {formatCount(b.keys)} key(s) and their history. This cannot be
            undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Changes as they happen (newest first), from the core's batched watch. */
function LiveFeed({ onOpen }: { onOpen: (key: string) => void }) {
  const live = useKv((s) => s.live);
  const dropped = useKv((s) => s.liveDropped);
  const watch = useKv((s) => s.watch);
  const paused = watch?.state === 'paused';
  // Paused in the core: changes keep arriving there (the newest held, older ones counted) until resumed.
  const togglePause = async () => {
    if (!watch) return;
    try {
      const info = await api.call(paused ? 'kv.watch.resume' : 'kv.watch.pause', { watchId: watch.watchId });
      if (useKv.getState().watch?.watchId === info.watchId) useKv.getState().set({ watch: info });
    } catch (err) {
      toastError('Could not change the watch', err);
    }
  };
  return (
    <section className="kv-live" aria-label="Live changes" data-testid="kv-live-feed">
      <h3>
        Live changes{' '}
        <span
          className={`badge${watch?.state === 'running' ? ' ok' : paused ? ' warn' : ''}`}
          data-testid="kv-live-state"
        >
          {watch?.state ?? 'starting'}
        </span>{' '}
        <button
          className="btn small"
          disabled={!watch || (watch.state !== 'running' && !paused)}
          onClick={() => void togglePause()}
          data-testid="kv-live-pause"
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
      </h3>
      {dropped > 0 && (
        <p className="muted small">{formatCount(dropped)} change(s) skipped (too fast to show)</p>
      )}
      {live.length === 0 ? (
        <p className="muted small">Waiting for changes…</p>
      ) : (
        <ul className="plain kv-live-list">
          {live.map((e) => (
            <li key={`${e.key}@${e.revision}`} data-testid="kv-live-row">
              <button className="link mono" onClick={() => onOpen(e.key)}>
                {e.key}
              </button>
              <span className={`badge${e.operation === 'PUT' ? ' accent' : ''}`}>{e.operation}</span>
              <span className="muted small">
                rev {e.revision} · {new Date(e.created).toLocaleTimeString()}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
