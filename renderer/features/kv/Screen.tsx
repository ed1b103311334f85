import { NotConnected } from '../connections/NotConnected';
import { useState } from 'react';
import { Icon } from '../../ui/Icon';
import { ScreenHeader } from '../../ui/ScreenHeader';
import { EmptyState, ErrorState, Skeleton } from '../../ui/States';
import { formatBytes, formatCount } from '../../ui/format';
import { useConnections } from '../connections/store';
import { errorMessage } from '../streams/format';
import { BucketPane } from './BucketPane';
import { CreateBucketDialog } from './CreateBucketDialog';
import { useBuckets } from './hooks';
import { formatTtl } from './model';
import { useKv } from './store';
import '../streams/streams.css';
import './kv.css';
import { SearchBox } from '../../ui/SearchBox';

/** KV buckets: the list on the left, the open bucket's keys, values and live changes on the right. */
export function KvScreen() {
  const connected = useConnections((s) => s.status.state === 'connected');
  const { reload } = useBuckets(connected);
  const buckets = useKv((s) => s.buckets);
  const error = useKv((s) => s.bucketsError);
  const selected = useKv((s) => s.selected);
  const select = useKv((s) => s.select);
  const [creating, setCreating] = useState(false);
  const [search, setSearch] = useState('');
  const open = buckets?.find((b) => b.bucket === selected);
  const q = search.trim().toLowerCase();
  const shown = buckets?.filter((b) => !q || b.bucket.toLowerCase().includes(q));

  return (
    <section className="screen wide-screen" data-testid="kv-screen">
      <ScreenHeader
        title="KV"
        subtitle={
          buckets
            ? `${formatCount(buckets.length)} bucket(s) in the account`
            : 'Key-value buckets of the connected account'
        }
        actions={
          <>
            <button className="btn" onClick={reload} disabled={!connected} data-testid="kv-refresh">
              Refresh
            </button>
            <button
              className="btn primary"
              onClick={() => setCreating(true)}
              disabled={!connected}
              data-testid="kv-create"
            >
              <Icon name="plus" size={14} /> New bucket
            </button>
          </>
        }
      />
      {!connected ? (
        <NotConnected testId="kv-disconnected">Connect to see the server's KV buckets.</NotConnected>
      ) : error !== undefined && !buckets ? (
        <ErrorState title="Could not list buckets" message={errorMessage(error)} onRetry={reload} />
      ) : !buckets || !shown ? (
        <Skeleton rows={5} />
      ) : buckets.length === 0 ? (
        <EmptyState title="No KV buckets yet" testId="kv-empty">
          <p>Create one with “New bucket”. JetDeck keeps its own task state in buckets named jetdeck_*.</p>
        </EmptyState>
      ) : (
        <div className="kv-layout">
          <nav className="kv-buckets" aria-label="Buckets">
            <SearchBox
              value={search}
              onValue={setSearch}
              placeholder="Find a bucket"
              testId="kv-bucket-search"
            />
            <ul className="plain" data-testid="kv-bucket-list">
              {shown.map((b) => (
                <li key={b.bucket}>
                  <button
                    className={`kv-bucket${b.bucket === selected ? ' on' : ''}`}
                    aria-current={b.bucket === selected ? 'true' : undefined}
                    onClick={() => select(b.bucket)}
                    data-testid="kv-bucket-row"
                    data-bucket={b.bucket}
                  >
                    <span className="kv-bucket-name mono">{b.bucket}</span>
                    <span className="muted small">
                      {formatCount(b.keys)} key(s) · {formatBytes(b.bytes)} · history {b.history} · TTL{' '}
                      {formatTtl(b.ttlMs)} · R{b.replicas}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          <div className="card kv-main">
            {open ? (
              <BucketPane key={open.bucket} b={open} onChanged={reload} />
            ) : (
              <EmptyState title="Pick a bucket" testId="kv-pick">
                <p>Its keys, values, history and live changes show here.</p>
              </EmptyState>
            )}
          </div>
        </div>
      )}
      {creating && (
        <CreateBucketDialog
          onClose={() => setCreating(false)}
          onCreated={(b) => {
            setCreating(false);
            reload();
            select(b);
          }}
        />
      )}
    </section>
  );
}
